/**
 * What the audit's model pass sends and reads back: its answer schemas, the features they carry,
 * and the scan, cluster and rate requests (shared by the pass and its estimate, so the estimate
 * reads the prompts the pass will send).
 */
import { z } from 'zod';
import type { GenerateRequest } from '../llm/provider';
import { jsonSchemaOf } from '../llm/structured';
import { render, type AuditTemplateStage, type Templates } from '../llm/templates';
import type { AuditRecord } from './types';

export type AuditTemplates = Templates<AuditTemplateStage>;

/** Features a scan call is asked for (at most); extra ones in an answer are dropped. */
export const FEATURES_PER_SCAN = 8;

/**
 * Characters of a record shown to the scan and to the rater. Longer texts keep their start (60%)
 * and end (40%) with the middle cut and marked: openings and closings are where the structural
 * habits are. The rater is shown more, since its answer is per record.
 */
const SCAN_LIMITS = { prompt: 600, response: 1500 } as const;
const RATE_LIMITS = { prompt: 1000, response: 3000 } as const;

// Answer schemas. Top-level keys are distinct from every generation stage's, so a request says
// which stage it is by its schema alone (test/fake-gemini/stages.ts relies on it).

const CRITERIA = {
  name: z.string().min(1),
  description: z.string().min(1),
  broad_criterion: z.string().min(1),
  strict_criterion: z.string().min(1),
};

const RATING = z.object({ feature: z.string(), broad: z.boolean(), strict: z.boolean() });

export const AUDIT_SCHEMAS = {
  'audit-scan': z.object({ recurring_features: z.array(z.object(CRITERIA)) }),
  'audit-cluster': z.object({ merged_features: z.array(z.object({ ...CRITERIA, merges: z.array(z.string().min(1)).min(1) })) }),
  'audit-rate': z.object({ record_ratings: z.array(z.object({ id: z.string(), ratings: z.array(RATING) })) }),
} as const;

export type ClusterAnswer = z.infer<(typeof AUDIT_SCHEMAS)['audit-cluster']>;
export type RateAnswer = z.infer<(typeof AUDIT_SCHEMAS)['audit-rate']>;

/** A feature as the scan and the cluster describe it. */
export interface Feature {
  readonly name: string;
  readonly description: string;
  readonly broad: string;
  readonly strict: string;
}

/** A feature of an answer, its text trimmed. */
export function featureOf(f: z.infer<z.ZodObject<typeof CRITERIA>>): Feature {
  return { name: f.name.trim(), description: f.description.trim(), broad: f.broad_criterion.trim(), strict: f.strict_criterion.trim() };
}

/** `text` within `max` characters: its start and end, the middle replaced by a marked cut. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil(max * 0.6);
  const tail = max - head;
  return `${text.slice(0, head)}\n[… ${text.length - max} characters cut …]\n${text.slice(text.length - tail)}`;
}

/** A record as a prompt shows it; a `<transcript` tag inside the text is escaped so it cannot close the block. */
function transcript(record: AuditRecord, limits: { prompt: number; response: number }): string {
  const clean = (s: string) => s.replace(/<(\/?transcript)/gi, '&lt;$1');
  return `<transcript id=${JSON.stringify(record.id)}>\nUser: ${clean(shorten(record.prompt, limits.prompt))}\n\nAssistant: ${clean(shorten(record.response, limits.response))}\n</transcript>`;
}

/** A feature as the cluster and rate prompts list it, under `label` (a scan key or a pattern id). */
export function describeFeature(label: string, f: Feature): string {
  return `- ${label}: ${f.name}. ${f.description}\n  Broad: ${f.broad}\n  Strict: ${f.strict}`;
}

/** The request of a stage: its rendered template as the one user message, at temperature 0, with the stage's schema. */
function request(stage: AuditTemplateStage, text: string, model: string): GenerateRequest {
  return { model, messages: [{ role: 'user', text }], temperature: 0, responseJsonSchema: jsonSchemaOf(AUDIT_SCHEMAS[stage]) };
}

/** The scan request of one batch of records. */
export function scanRequest(templates: AuditTemplates, model: string, batch: readonly AuditRecord[]): GenerateRequest {
  const text = render(templates['audit-scan'], {
    count: batch.length,
    max_features: FEATURES_PER_SCAN,
    transcripts: batch.map((r) => transcript(r, SCAN_LIMITS)).join('\n\n'),
  });
  return request('audit-scan', text, model);
}

/** The cluster request over `features` (describeFeature lines). */
export function clusterRequest(templates: AuditTemplates, model: string, features: string, maxPatterns: number): GenerateRequest {
  return request('audit-cluster', render(templates['audit-cluster'], { features, max_patterns: maxPatterns }), model);
}

/** The rating request of one batch of records against `features` (describeFeature lines). */
export function rateRequest(templates: AuditTemplates, model: string, features: string, batch: readonly AuditRecord[]): GenerateRequest {
  const text = render(templates['audit-rate'], { features, transcripts: batch.map((r) => transcript(r, RATE_LIMITS)).join('\n\n') });
  return request('audit-rate', text, model);
}
