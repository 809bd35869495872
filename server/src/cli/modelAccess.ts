// How the model-calling subcommands (preview, generate, audit) reach Gemini from the environment,
// and where they keep answers: one place, so they cannot drift apart.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { answerLimits, type AnswerLimits } from '../llm/answerCheck';
import { DiskAnswerCache } from '../llm/cache';
import { OVERRIDE_DIR, TemplateError } from '../llm/templates';
import type { GeminiOptions } from '../llm/gemini';
import { credentialFreeUrl } from '../llm/redact';
import { UsageError } from './io';
import type { CliOutput } from './output';

/**
 * Where the CLI keeps answers: TRAIT_STUDIO_CACHE_DIR when set, else `trait-studio/answers` in the
 * user's cache folder — $XDG_CACHE_HOME (an absolute path) or ~/.cache on Linux and other Unixes,
 * ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows. Never the folder the CLI runs in: a
 * repository must not be able to hand it answers.
 */
export function answerCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.TRAIT_STUDIO_CACHE_DIR) return resolve(env.TRAIT_STUDIO_CACHE_DIR);
  const home = env.HOME || homedir();
  const root =
    platform === 'win32'
      ? env.LOCALAPPDATA || join(home, 'AppData', 'Local')
      : platform === 'darwin'
        ? join(home, 'Library', 'Caches')
        : env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)
          ? env.XDG_CACHE_HOME
          : join(home, '.cache');
  return join(root, 'trait-studio', 'answers');
}

/**
 * The answer cache in answerCacheDir(env), or none with `--no-cache`. A cache problem is warned
 * about once on stderr: the command goes on, answers just are not kept (or a damaged or
 * unauthenticated one was asked for again).
 */
export function cliAnswerCache(noCache: boolean | undefined, out: CliOutput, env: NodeJS.ProcessEnv = process.env): DiskAnswerCache | undefined {
  if (noCache) return undefined;
  const dir = answerCacheDir(env);
  let warned = false;
  return new DiskAnswerCache(dir, {
    onError: (error, operation) => {
      if (warned) return;
      warned = true;
      const reason = error instanceof Error ? error.message : String(error);
      out.stderr(`trait-studio: warning: answer cache ${dir}: ${operation === 'write' ? 'could not keep an answer' : 'skipped an entry it cannot use'} (${reason})\n`);
    },
  });
}

/**
 * Loads prompt templates with `load`: from the working folder's `.traits/prompts` only when
 * `--workspace-templates` asked for it (a repository's templates are sent to a model provider, so
 * the folder the CLI runs in is not trusted by default), else the shipped ones — with a note on
 * stderr when the folder has overrides that are being left out. A TemplateError (an override
 * leading outside the folder) becomes a UsageError.
 */
export function cliTemplates<T>(asked: boolean | undefined, out: CliOutput, load: (workspace: string | undefined) => T): T {
  const workspace = process.cwd();
  if (!asked && existsSync(join(workspace, OVERRIDE_DIR))) {
    out.stderr(`trait-studio: note: ${OVERRIDE_DIR} here is not used; pass --workspace-templates to use its prompt templates\n`);
  }
  try {
    return load(asked ? workspace : undefined);
  } catch (error) {
    if (error instanceof TemplateError) throw new UsageError(error.message);
    throw error;
  }
}

/** The AnswerLimits of --max-answer-chars (absent: the defaults); UsageError when it is not a whole number from 1 to 100 000 000. */
export function cliAnswerLimits(text: string | undefined): AnswerLimits {
  if (text === undefined) return answerLimits(undefined);
  const n = Number(text);
  try {
    if (!/^\d+$/.test(text.trim())) throw new RangeError();
    return answerLimits(n);
  } catch {
    throw new UsageError(`--max-answer-chars must be a whole number of characters from 1 to 100000000, not "${text}"`);
  }
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
