import * as vscode from 'vscode';
import { DEFAULT_MAX_ANSWER_CHARS, type AnswerLimits } from '../../../server/src/llm/answerCheck';
import type { AnswerCache } from '../../../server/src/llm/cache';
import { DiskAnswerCache } from '../../../server/src/llm/cache';
import { defaultPrices, type ModelPrice } from '../../../server/src/llm/cost';
import { DEFAULT_MODELS, type StageModels } from '../../../server/src/generation/stages/stage';
import { loadTemplates, type Template, type TemplateStage, TEMPLATE_STAGES } from '../../../server/src/llm/templates';
import { GeminiProvider } from '../../../server/src/llm/gemini';
import { openAICompatibleBaseline } from '../../../server/src/llm/openai';
import { credentialFreeUrl } from '../../../server/src/llm/redact';
import type { ModelProvider } from '../../../server/src/llm/provider';
import { RequestPolicy } from '../../../server/src/llm/requestPolicy';
import { geminiApiKey } from './apiKey';

/** Everything one preview runs with, read from settings, secret storage and the workspace. */
export interface PreviewSetup {
  readonly provider: ModelProvider;
  readonly providerId: string;
  readonly baselineProvider?: ModelProvider;
  readonly baselineProviderId?: string;
  readonly models: StageModels;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  readonly cache: AnswerCache;
  readonly prices: Readonly<Record<string, ModelPrice>>;
  /** Scenarios per preview (traitStudio.preview.scenarios). */
  readonly count: number;
  /** What an answer may be (traitStudio.generate.maxAnswerChars). */
  readonly answerLimits: AnswerLimits;
}

/** No Gemini credentials: neither a stored key, GEMINI_API_KEY, nor Vertex AI settings. */
export class MissingKeyError extends Error {
  override readonly name = 'MissingKeyError';
  constructor() {
    super('Trait Studio needs a Gemini API key to preview scenarios: run "Trait Studio: Set API Key", set GEMINI_API_KEY, or set traitStudio.gemini.vertex.project and .location for Vertex AI.');
  }
}

const ROLES = ['brainstorm', 'critique', 'baseline', 'response', 'autorate'] as const;

/**
 * Builds the providers and options of a preview for a document in `folder` (its workspace folder,
 * where `.traits/prompts/` overrides are read when templateWorkspace allows). Gemini uses Vertex AI when
 * `traitStudio.gemini.vertex.project` and `.location` are set, else the API key (see geminiApiKey);
 * the environment's GOOGLE_GEMINI_BASE_URL points it elsewhere, as for the CLI. The baseline comes
 * from `traitStudio.baseline.openaiBaseUrl` when set (with TRAIT_STUDIO_BASELINE_API_KEY if the
 * endpoint needs a key; OPENAI_API_KEY is never sent to an endpoint of the user's choosing).
 * `concurrency` is the requests in flight per model (a dataset run asks for its own). Throws
 * MissingKeyError without credentials, and the template loader's error for an unreadable override.
 */
export async function previewSetup(context: vscode.ExtensionContext, folder: vscode.Uri | undefined, policies: PolicyCache, concurrency = 4): Promise<PreviewSetup> {
  const config = vscode.workspace.getConfiguration('traitStudio', folder);
  const policy = policies.get(config.get<number>('requests.timeoutSeconds', 120), config.get<number>('requests.perMinute', 0), concurrency);
  const project = config.get<string>('gemini.vertex.project', '').trim();
  const location = config.get<string>('gemini.vertex.location', '').trim();
  const baseUrl = process.env.GOOGLE_GEMINI_BASE_URL || undefined;
  let provider: ModelProvider;
  let providerId: string;
  if (project && location) {
    provider = new GeminiProvider({ vertex: { project, location }, baseUrl, policy });
    providerId = `vertex-ai@${project}/${location}`;
  } else {
    const key = await geminiApiKey(context.secrets);
    if (!key) throw new MissingKeyError();
    provider = new GeminiProvider({ apiKey: key.key, baseUrl, policy });
    providerId = baseUrl ? `gemini@${credentialFreeUrl(baseUrl)}` : 'gemini';
  }
  const openaiBaseUrl = config.get<string>('baseline.openaiBaseUrl', '').trim();
  const baseline = openAICompatibleBaseline(openaiBaseUrl || undefined, process.env, policy);
  const models = Object.fromEntries(ROLES.map((role) => [role, config.get<string>(`models.${role}`, '').trim() || DEFAULT_MODELS[role]])) as unknown as StageModels;
  return {
    provider,
    providerId,
    ...baseline,
    models,
    templates: loadTemplates(TEMPLATE_STAGES, templateWorkspace(folder)),
    cache: new DiskAnswerCache(vscode.Uri.joinPath(context.globalStorageUri, 'answers').fsPath),
    prices: { ...defaultPrices(), ...config.get<Record<string, ModelPrice>>('prices', {}) },
    count: Math.min(10, Math.max(1, Math.round(config.get<number>('preview.scenarios', 3)))),
    answerLimits: { maxChars: Math.min(100_000_000, Math.max(1, Math.round(config.get<number>('generate.maxAnswerChars', DEFAULT_MAX_ANSWER_CHARS)))) },
  };
}

/**
 * The folder whose `.traits/prompts` templates previews, runs and the audit's model pass use: the
 * workspace folder when it is on disk, the workspace is trusted and
 * `traitStudio.prompts.useWorkspaceTemplates` is on for it; else none (the shipped templates).
 */
export function templateWorkspace(folder: vscode.Uri | undefined): string | undefined {
  if (!folder || folder.scheme !== 'file' || !vscode.workspace.isTrusted) return undefined;
  return vscode.workspace.getConfiguration('traitStudio', folder).get<boolean>('prompts.useWorkspaceTemplates', false) ? folder.fsPath : undefined;
}

/**
 * One RequestPolicy per timeout, rate and concurrency: previews share it, so the per-model rate limit holds
 * across panels; a settings change makes a new one.
 */
export class PolicyCache {
  private policies = new Map<string, RequestPolicy>();

  get(timeoutSeconds: number, perMinute: number, concurrency: number): RequestPolicy {
    const key = `${timeoutSeconds}/${perMinute}/${concurrency}`;
    let policy = this.policies.get(key);
    if (!policy) {
      policy = new RequestPolicy({ timeoutMs: Math.max(1, timeoutSeconds) * 1000, concurrency, ...(perMinute > 0 ? { requestsPerMinute: perMinute } : {}) });
      this.policies.set(key, policy);
    }
    return policy;
  }
}
