// How the model-calling subcommands (preview, generate, audit) reach Gemini from the environment,
// and where they keep answers: one place, so they cannot drift apart.
import { join } from 'node:path';
import { DiskAnswerCache } from '../generation/cache';
import type { GeminiOptions } from '../providers/gemini';
import { credentialFreeUrl } from '../providers/redact';
import { UsageError } from './io';
import type { CliOutput } from './output';

/** Where the answer cache lives, under the folder the CLI runs in. */
export const CACHE_DIR = join('.traits', 'cache');

/**
 * The answer cache in CACHE_DIR under the working folder, or none with `--no-cache`. A cache
 * problem is warned about once on stderr: the command goes on, answers just are not kept (or a
 * damaged one was asked for again).
 */
export function cliAnswerCache(noCache: boolean | undefined, out: CliOutput): DiskAnswerCache | undefined {
  if (noCache) return undefined;
  let warned = false;
  return new DiskAnswerCache(join(process.cwd(), CACHE_DIR), {
    onError: (error, operation) => {
      if (warned) return;
      warned = true;
      const reason = error instanceof Error ? error.message : String(error);
      out.stderr(`trait-studio: warning: answer cache ${CACHE_DIR}: ${operation === 'write' ? 'could not keep an answer' : 'skipped an unreadable entry'} (${reason})\n`);
    },
  });
}


/**
 * How the CLI reaches Gemini from the environment, and the provider id that keeps each endpoint's
 * answers apart in the cache: Vertex AI when GOOGLE_GENAI_USE_VERTEXAI is "true" or "1" (as the SDK
 * reads it; with GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION), else the Developer API with
 * GEMINI_API_KEY; GOOGLE_GEMINI_BASE_URL points either elsewhere. Throws UsageError naming what is
 * missing for `purpose` ("preview scenarios", "generate a dataset").
 */
export function geminiAccess(env: NodeJS.ProcessEnv, purpose: string): { options: GeminiOptions; id: string } {
  const baseUrl = env.GOOGLE_GEMINI_BASE_URL || undefined;
  // The id names the endpoint in cache keys and run manifests: never with the URL's credentials.
  const at = baseUrl ? `@${credentialFreeUrl(baseUrl)}` : '';
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
