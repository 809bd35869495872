/**
 * Reaching the model under test. An OpenAI-compatible target (vLLM, Ollama, a finetuned checkpoint
 * behind any Chat Completions server) gets its own provider whose only key is the target's own,
 * from TRAIT_STUDIO_TARGET_KEY: that key goes to the target's URL and nowhere else, and the Gemini
 * key never goes to the target. A Gemini target is asked through the Gemini provider the other roles use.
 */
import { OpenAICompatibleProvider } from '../llm/openai';
import type { ModelProvider } from '../llm/provider';
import { credentialFreeUrl } from '../llm/redact';
import type { RequestPolicy } from '../llm/requestPolicy';
import type { ProbeTarget } from './types';

/** The environment variable holding an OpenAI-compatible target's key (none: the target needs none). */
export const TARGET_KEY_VARIABLE = 'TRAIT_STUDIO_TARGET_KEY';

/**
 * The provider of `target` and the id naming it in cache keys: for `openai-compatible`, a new
 * OpenAICompatibleProvider at `target.url` with `env.TRAIT_STUDIO_TARGET_KEY` (OPENAI_API_KEY and
 * the Gemini key are never sent there), cached under `openai-compatible@<URL without credentials>`;
 * for `gemini`, `gemini` itself (the Gemini access of the run) under its id.
 */
export function probeTargetAccess(
  target: ProbeTarget,
  gemini: { readonly provider: ModelProvider; readonly providerId: string },
  env: NodeJS.ProcessEnv,
  policy?: RequestPolicy,
): { provider: ModelProvider; providerId: string } {
  if (target.kind === 'gemini') return { provider: gemini.provider, providerId: gemini.providerId };
  return {
    provider: new OpenAICompatibleProvider({ baseUrl: target.url, apiKey: env[TARGET_KEY_VARIABLE] || undefined, policy }),
    providerId: `openai-compatible@${credentialFreeUrl(target.url)}`,
  };
}

/** How a target reads in messages and logs: "NAME at URL" (credentials removed) or "gemini/NAME". */
export function targetLabel(target: ProbeTarget): string {
  return target.kind === 'gemini' ? `gemini/${target.model}` : `${target.model} at ${credentialFreeUrl(target.url)}`;
}
