import type { GeminiOptions } from '../providers/gemini';
import { UsageError } from './io';

/**
 * How the CLI reaches Gemini from the environment, and the provider id that keeps each endpoint's
 * answers apart in the cache: Vertex AI when GOOGLE_GENAI_USE_VERTEXAI is "true" or "1" (as the SDK
 * reads it; with GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION), else the Developer API with
 * GEMINI_API_KEY; GOOGLE_GEMINI_BASE_URL points either elsewhere. Throws UsageError naming what is
 * missing for `purpose` ("preview scenarios", "generate a dataset").
 */
export function geminiAccess(env: NodeJS.ProcessEnv, purpose: string): { options: GeminiOptions; id: string } {
  const baseUrl = env.GOOGLE_GEMINI_BASE_URL || undefined;
  const at = baseUrl ? `@${baseUrl}` : '';
  if (/^(true|1)$/i.test(env.GOOGLE_GENAI_USE_VERTEXAI ?? '')) {
    const project = env.GOOGLE_CLOUD_PROJECT;
    const location = env.GOOGLE_CLOUD_LOCATION;
    if (!project || !location) throw new UsageError('GOOGLE_GENAI_USE_VERTEXAI=true needs GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (e.g. us-central1)');
    return { options: { vertex: { project, location }, baseUrl }, id: `vertex-ai${at}` };
  }
  const apiKey = env.GEMINI_API_KEY;
  if (!apiKey) throw new UsageError(`set GEMINI_API_KEY to a Gemini API key (https://aistudio.google.com/apikey) to ${purpose}, or use Vertex AI (see --help)`);
  return { options: { apiKey, baseUrl }, id: `gemini${at}` };
}
