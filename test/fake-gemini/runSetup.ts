import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOptions, RunSettings } from '../../server/src/generation/run';
import { GeminiBatchService } from '../../server/src/llm/batch';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy, type RequestPolicyOptions } from '../../server/src/llm/requestPolicy';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { ASTER_DOCUMENT, RUN_MODELS, RUN_PRICES } from './runAnswers';
import type { FakeGemini } from './server';

const templates = loadTemplates(TEMPLATE_STAGES);

/** A request policy for tests: retries without waiting, 5 s timeout, 8 calls at once; `more` replaces any of these. */
export const testPolicy = (more: RequestPolicyOptions = {}): RequestPolicy =>
  new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000, concurrency: 8, ...more });

/** The real Gemini SDK provider pointed at `fake`, with a fresh `testPolicy(policy)`. */
export const fakeGeminiProvider = (fake: FakeGemini, policy: RequestPolicyOptions = {}): GeminiProvider =>
  new GeminiProvider({ apiKey: 'k', baseUrl: fake.baseUrl, policy: testPolicy(policy) });

/** The real Batch API client pointed at `fake`, with a fresh `testPolicy()`. */
export const fakeBatchService = (fake: FakeGemini): GeminiBatchService =>
  new GeminiBatchService({ apiKey: 'k', baseUrl: fake.baseUrl, policy: testPolicy() });

/**
 * A run's settings as its manifest records them, for tests of manifests and resumes: trait `t`, two
 * scenarios per trait, the OpenAI format, three midtraining documents, four items at a time, no rate
 * limits, dedup at 0.9 with 512-dimensional embeddings, Gemini for everything; `overrides` replace any.
 */
export const testRunSettings = (overrides: Partial<RunSettings> = {}): RunSettings => ({
  traits: ['t'],
  perTrait: 2,
  formats: ['openai'],
  midtraining: 3,
  midtrainingDocTypes: null,
  concurrency: 4,
  requestsPerMinute: null,
  tokensPerMinute: null,
  rateWindowMs: 60_000,
  dedupThreshold: 0.9,
  embeddingModel: 'embedder',
  embeddingDimensions: 512,
  providerId: 'gemini',
  baselineProviderId: null,
  embeddingProviderId: 'gemini',
  ...overrides,
});

/**
 * The options of a run of ASTER_DOCUMENT against `fake` into `outDir`: one scenario per trait, the
 * OpenAI format, no midtraining, one item at a time, RUN_MODELS at RUN_PRICES, the stock templates
 * and a fresh `fakeGeminiProvider(fake)`. `overrides` replace any field; a test states there what
 * it depends on beyond these.
 */
export function runTestOptions(fake: FakeGemini, outDir: string, overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    documentPath: '/docs/aster.traits.md',
    documentText: ASTER_DOCUMENT,
    outDir,
    perTrait: 1,
    formats: ['openai'],
    midtraining: 0,
    concurrency: 1,
    provider: overrides.provider ?? fakeGeminiProvider(fake),
    providerId: 'gemini',
    models: RUN_MODELS,
    prices: RUN_PRICES,
    templates,
    ...overrides,
  };
}

/**
 * Temporary folders for one test file: `make()` creates a fresh folder under the OS temp folder
 * (its name starts with `prefix`) and returns its path; `removeAll()` deletes the folders this
 * instance made, and nothing else.
 */
export function tempDirs(prefix: string): { make: () => string; removeAll: () => void } {
  const made: string[] = [];
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll: () => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
  };
}

/**
 * One temporary folder for a whole test file, `root`, and `folder()`: a new empty numbered folder
 * inside it on each call. `remove` deletes `root` (and only it) with everything in it.
 */
export function tempRoot(prefix: string): { root: string; folder: () => string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let folders = 0;
  return {
    root,
    folder: () => {
      const dir = join(root, String(++folders));
      mkdirSync(dir);
      return dir;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * The values of a JSON Lines file (a run's records.jsonl, rejected.jsonl, sft.*.jsonl), one per
 * non-empty line. A missing file throws ENOENT, or reads as [] with `{ missingIsEmpty: true }`
 * (a run that has not written that file yet).
 */
export function jsonLines<T = Record<string, unknown>>(path: string, options: { missingIsEmpty?: boolean } = {}): T[] {
  if (options.missingIsEmpty && !existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
