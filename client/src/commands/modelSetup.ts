import * as vscode from 'vscode';
import type { StageModels } from '../../../server/src/generation/stages/stage';
import type { AnswerLimits } from '../../../server/src/llm/answerCheck';
import { DiskAnswerCache, type AnswerCache } from '../../../server/src/llm/cache';
import { defaultPrices, type ModelPrice } from '../../../server/src/llm/cost';
import {
  geminiFromSettings,
  modelAccess,
  requestPolicy,
  type GeminiEndpoint,
  type ModelAccess,
  type PolicySettings,
} from '../../../server/src/llm/modelAccess';
import type { ServiceTier } from '../../../server/src/llm/provider';
import type { RequestPolicy } from '../../../server/src/llm/requestPolicy';
import type { Settings } from '../../../server/src/llm/settings';
import { loadTemplates, TEMPLATE_STAGES, type Template, type TemplateStage } from '../../../server/src/llm/templates';
import { modelSettings } from '../config';
import { geminiApiKey } from './apiKey';

/** Everything a model-calling command (preview, generate, the audit's model pass) runs with, read from settings, secret storage and the workspace. */
export interface ModelSetup extends ModelAccess {
  readonly models: StageModels;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  readonly cache: AnswerCache;
  readonly prices: Readonly<Record<string, ModelPrice>>;
  /** Scenarios per preview (traitStudio.preview.scenarios). */
  readonly count: number;
  /** What an answer may be (traitStudio.generate.maxAnswerChars). */
  readonly answerLimits: AnswerLimits;
  /** The settings it was made from. */
  readonly settings: Settings;
  /** The Gemini endpoint the providers use (a batch-mode run makes its batch service from it). */
  readonly endpoint: GeminiEndpoint;
  /** The request policy of the providers. */
  readonly policy: RequestPolicy;
}

/** No Gemini credentials: neither a stored key, GEMINI_API_KEY, nor Vertex AI settings. */
export class MissingKeyError extends Error {
  override readonly name = 'MissingKeyError';
  constructor() {
    super(
      'Trait Studio needs a Gemini API key to preview scenarios: run "Trait Studio: Set API Key", set GEMINI_API_KEY, or set traitStudio.gemini.vertex.project and .location for Vertex AI.',
    );
  }
}

/**
 * Builds the providers and options of a model-calling command for a document in `folder` (its
 * workspace folder, where `.traits/prompts/` overrides are read when templateWorkspace allows),
 * through server/src/llm/modelAccess.ts as the CLI does: Gemini through Vertex AI when
 * `traitStudio.gemini.vertex.project` and `.location` are set, else the API key (see
 * geminiApiKey); the baseline from `traitStudio.baseline.openaiBaseUrl` when set. `concurrency`
 * is the requests in flight per model (a dataset run asks for its own); `serviceTier` the Gemini
 * tier asked for (Flex: under the Flex request policy). Throws MissingKeyError without
 * credentials, and the template loader's error for an unreadable override.
 */
export async function modelSetup(
  context: vscode.ExtensionContext,
  folder: vscode.Uri | undefined,
  policies: PolicyCache,
  concurrency = 4,
  serviceTier: ServiceTier = 'standard',
): Promise<ModelSetup> {
  const settings = modelSettings(folder);
  const policy = policies.get({
    timeoutSeconds: settings['requests.timeoutSeconds'],
    perMinute: settings['requests.perMinute'],
    concurrency,
    serviceTier,
  });
  const vertex = { project: settings['gemini.vertex.project'], location: settings['gemini.vertex.location'] };
  const key = vertex.project && vertex.location ? undefined : await geminiApiKey(context.secrets);
  const endpoint = geminiFromSettings(vertex, key?.key, process.env);
  if (!endpoint) throw new MissingKeyError();
  const models: StageModels = {
    brainstorm: settings['models.brainstorm'],
    critique: settings['models.critique'],
    baseline: settings['models.baseline'],
    response: settings['models.response'],
    autorate: settings['models.autorate'],
  };
  return {
    ...modelAccess(endpoint, { baselineUrl: settings['baseline.openaiBaseUrl'], env: process.env, policy: () => policy, serviceTier }),
    models,
    templates: loadTemplates(TEMPLATE_STAGES, templateWorkspace(folder)),
    cache: new DiskAnswerCache(vscode.Uri.joinPath(context.globalStorageUri, 'answers').fsPath),
    prices: { ...defaultPrices(), ...settings.prices },
    count: settings['preview.scenarios'],
    answerLimits: { maxChars: settings['generate.maxAnswerChars'] },
    settings,
    endpoint,
    policy,
  };
}

/**
 * The folder whose `.traits/prompts` templates previews, runs and the audit's model pass use: the
 * workspace folder when it is on disk, the workspace is trusted and
 * `traitStudio.prompts.useWorkspaceTemplates` is on for it; else none (the shipped templates).
 */
export function templateWorkspace(folder: vscode.Uri | undefined): string | undefined {
  if (!folder || folder.scheme !== 'file' || !vscode.workspace.isTrusted) return undefined;
  return modelSettings(folder)['prompts.useWorkspaceTemplates'] ? folder.fsPath : undefined;
}

/**
 * One RequestPolicy per timeout, rate, concurrency and service tier: previews share it, so the per-model rate limit holds
 * across panels; a settings change makes a new one.
 */
export class PolicyCache {
  private policies = new Map<string, RequestPolicy>();

  get(settings: PolicySettings): RequestPolicy {
    const key = `${settings.timeoutSeconds}/${settings.perMinute}/${settings.concurrency}/${settings.serviceTier ?? 'standard'}`;
    let policy = this.policies.get(key);
    if (!policy) this.policies.set(key, (policy = requestPolicy(settings)));
    return policy;
  }
}
