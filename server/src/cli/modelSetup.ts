// What the model-calling subcommands (preview, generate, audit) share: how they reach their models
// (through llm/modelAccess.ts), where they keep answers, which templates and answer limits they use.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { answerLimits, type AnswerLimits } from '../llm/answerCheck';
import { DiskAnswerCache } from '../llm/cache';
import { OVERRIDE_DIR, TemplateError } from '../llm/templates';
import { geminiFromEnvironment, ModelAccessError, modelAccess, type GeminiEndpoint, type ModelAccess } from '../llm/modelAccess';
import type { ServiceTier } from '../llm/provider';
import type { RequestPolicy } from '../llm/requestPolicy';
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
export function cliAnswerCache(
  noCache: boolean | undefined,
  out: CliOutput,
  env: NodeJS.ProcessEnv = process.env,
): DiskAnswerCache | undefined {
  if (noCache) return undefined;
  const dir = answerCacheDir(env);
  let warned = false;
  return new DiskAnswerCache(dir, {
    onError: (error, operation) => {
      if (warned) return;
      warned = true;
      const reason = error instanceof Error ? error.message : String(error);
      out.stderr(
        `trait-studio: warning: answer cache ${dir}: ${operation === 'write' ? 'could not keep an answer' : 'skipped an entry it cannot use'} (${reason})\n`,
      );
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
 * The model access of a CLI command (llm/modelAccess.ts `modelAccess`) from the environment
 * (`geminiFromEnvironment`), with a baseline server when `baselineUrl` is given, Gemini asking for
 * `serviceTier` (give it the tier's `policy` too). Throws UsageError
 * naming what is missing for `purpose` ("preview scenarios", "generate a dataset").
 */
export function cliModelAccess(
  env: NodeJS.ProcessEnv,
  purpose: string,
  options: { baselineUrl?: string; policy?: () => RequestPolicy; serviceTier?: ServiceTier } = {},
): ModelAccess {
  let endpoint: GeminiEndpoint;
  try {
    endpoint = geminiFromEnvironment(env, purpose);
  } catch (error) {
    if (error instanceof ModelAccessError) throw new UsageError(error.message);
    throw error;
  }
  return modelAccess(endpoint, { env, ...options });
}
