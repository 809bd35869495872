/**
 * How every model-calling feature reaches its models, from the CLI's environment or the editor's
 * settings: one factory, so both name the same endpoint the same way (its answers share one cache)
 * and build the same providers under one request policy.
 */
import { GeminiProvider, type GeminiOptions } from './gemini';
import { openAICompatibleBaseline } from './openai';
import type { ModelProvider, ServiceTier } from './provider';
import { credentialFreeUrl } from './redact';
import { FLEX_POLICY, RequestPolicy } from './requestPolicy';

/** Where Gemini is reached: the Developer API with a key, or Vertex AI (Application Default Credentials); `baseUrl` points either elsewhere. */
export type GeminiEndpoint =
  | { readonly apiKey: string; readonly baseUrl?: string }
  | { readonly vertex: { readonly project: string; readonly location: string }; readonly baseUrl?: string };

/** What is missing to reach Gemini, in a sentence that says how to give it. */
export class ModelAccessError extends Error {
  override readonly name = 'ModelAccessError';
}

/**
 * The id naming `endpoint` in answer-cache keys and run manifests: `gemini` or
 * `vertex-ai@<project>/<location>`, followed by `@<base URL>` (without its credentials) when one is
 * set. The CLI and the editor both use it, so an endpoint's answers are cached under one id.
 */
export function geminiProviderId(endpoint: GeminiEndpoint): string {
  const at = endpoint.baseUrl ? `@${credentialFreeUrl(endpoint.baseUrl)}` : '';
  return 'vertex' in endpoint ? `vertex-ai@${endpoint.vertex.project}/${endpoint.vertex.location}${at}` : `gemini${at}`;
}

/**
 * The endpoint the CLI's environment names: Vertex AI when GOOGLE_GENAI_USE_VERTEXAI is "true" or
 * "1" (as the SDK reads it; with GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION), else the
 * Developer API with GEMINI_API_KEY; GOOGLE_GEMINI_BASE_URL points either elsewhere. Throws
 * ModelAccessError naming what is missing for `purpose` ("preview scenarios", …).
 */
export function geminiFromEnvironment(env: NodeJS.ProcessEnv, purpose: string): GeminiEndpoint {
  const baseUrl = env.GOOGLE_GEMINI_BASE_URL || undefined;
  if (/^(true|1)$/i.test(env.GOOGLE_GENAI_USE_VERTEXAI ?? '')) {
    const project = env.GOOGLE_CLOUD_PROJECT;
    const location = env.GOOGLE_CLOUD_LOCATION;
    if (!project || !location)
      throw new ModelAccessError('GOOGLE_GENAI_USE_VERTEXAI=true needs GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (e.g. us-central1)');
    return { vertex: { project, location }, baseUrl };
  }
  const apiKey = env.GEMINI_API_KEY;
  if (!apiKey)
    throw new ModelAccessError(
      `set GEMINI_API_KEY to a Gemini API key (https://aistudio.google.com/apikey) to ${purpose}, or use Vertex AI (see --help)`,
    );
  return { apiKey, baseUrl };
}

/**
 * The endpoint of the editor's settings: Vertex AI when `project` and `location` are both set
 * (trimmed), else the API key `apiKey` (undefined: none, and so no endpoint); the environment's
 * GOOGLE_GEMINI_BASE_URL points it elsewhere, as for the CLI.
 */
export function geminiFromSettings(
  vertex: { project: string; location: string },
  apiKey: string | undefined,
  env: NodeJS.ProcessEnv,
): GeminiEndpoint | undefined {
  const baseUrl = env.GOOGLE_GEMINI_BASE_URL || undefined;
  const project = vertex.project.trim();
  const location = vertex.location.trim();
  if (project && location) return { vertex: { project, location }, baseUrl };
  return apiKey ? { apiKey, baseUrl } : undefined;
}

/**
 * The request policy's settings: seconds per attempt, requests per minute per model (0: no limit),
 * requests in flight per model, and the service tier the requests ask for (default standard).
 */
export interface PolicySettings {
  readonly timeoutSeconds: number;
  readonly perMinute: number;
  readonly concurrency: number;
  readonly serviceTier?: ServiceTier;
}

/**
 * The RequestPolicy of `settings`. At the Flex tier it is FLEX_POLICY's: attempts of at least its
 * 15 minutes (`timeoutSeconds` when longer), more retries spaced further apart, and an error that
 * says the tier shed the request.
 */
export function requestPolicy(settings: PolicySettings): RequestPolicy {
  const flex = settings.serviceTier === 'flex';
  return new RequestPolicy({
    ...(flex ? FLEX_POLICY : {}),
    timeoutMs: flex ? Math.max(FLEX_POLICY.timeoutMs, settings.timeoutSeconds * 1000) : settings.timeoutSeconds * 1000,
    concurrency: settings.concurrency,
    ...(settings.perMinute > 0 ? { requestsPerMinute: settings.perMinute } : {}),
  });
}

/** The providers a model-calling feature runs with, and the ids that name them in cache keys. */
export interface ModelAccess {
  readonly provider: ModelProvider;
  readonly providerId: string;
  readonly baselineProvider?: ModelProvider;
  readonly baselineProviderId?: string;
}

/**
 * The providers for `endpoint` under `policy`: Gemini (asking for `serviceTier`, default standard;
 * give a Flex request a policy of `requestPolicy({ serviceTier: 'flex', … })`), and the baseline
 * from the OpenAI-compatible server at `baselineUrl` when one is named (its key from
 * TRAIT_STUDIO_BASELINE_API_KEY in `env`; OPENAI_API_KEY is never sent to a server of the user's
 * choosing). Each policy call to `policy()` may make a new policy (the CLI gives each provider its
 * own) or share one (the editor). The tier does not change the providers' ids: a Flex answer is
 * the same answer, and the cache serves it to a Standard run too.
 */
export function modelAccess(
  endpoint: GeminiEndpoint,
  options: { baselineUrl?: string; env: NodeJS.ProcessEnv; policy?: () => RequestPolicy; serviceTier?: ServiceTier },
): ModelAccess {
  const gemini: GeminiOptions = {
    ...endpoint,
    ...(options.policy ? { policy: options.policy() } : {}),
    ...(options.serviceTier ? { serviceTier: options.serviceTier } : {}),
  };
  return {
    provider: new GeminiProvider(gemini),
    providerId: geminiProviderId(endpoint),
    ...openAICompatibleBaseline(options.baselineUrl || undefined, options.env, options.policy?.()),
  };
}
