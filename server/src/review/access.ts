/**
 * The review's key-free option: an OpenAI-compatible server the user runs (Ollama, vLLM, LM Studio)
 * answers the review instead of Gemini.
 */
import type { ModelAccess } from '../llm/modelAccess';
import { OpenAICompatibleProvider } from '../llm/openai';
import { credentialFreeUrl } from '../llm/redact';
import type { RequestPolicy } from '../llm/requestPolicy';

/**
 * The model access of an OpenAI-compatible server at `baseUrl` (its API root, `/v1` included), its
 * key from TRAIT_STUDIO_REVIEW_API_KEY in `env` when the server needs one (OPENAI_API_KEY is never
 * sent to a server of the user's choosing). Its answers are cached under
 * `openai-compatible@<URL without credentials>`, apart from Gemini's.
 */
export function openAICompatibleReviewAccess(baseUrl: string, env: NodeJS.ProcessEnv, policy?: RequestPolicy): ModelAccess {
  return {
    provider: new OpenAICompatibleProvider({ baseUrl, apiKey: env.TRAIT_STUDIO_REVIEW_API_KEY || undefined, policy }),
    providerId: `openai-compatible@${credentialFreeUrl(baseUrl)}`,
  };
}
