import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as cacache from 'cacache';
import type { GenerateRequest } from '../providers/provider';

/** A model answer as the stages keep it: the raw text (before parsing) and the tokens it cost when made. */
export interface CachedAnswer {
  readonly text: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  /** The model version the API reported for it (GenerateResult.modelVersion); absent when it reported none or the entry predates it. */
  readonly modelVersion?: string;
}

/**
 * Where stage answers are kept between runs. `get` resolves `undefined` for a miss, including an
 * entry it cannot read or trust; `set` resolves even when the write fails (an implementation
 * reports failures its own way). The stages still guard against a cache that rejects: a cache
 * never fails a stage.
 */
export interface AnswerCache {
  get(key: string): Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer): Promise<void>;
}

/** Everything that can change a stage's answer (see `answerKey`). */
export interface AnswerKeyParts {
  /** Which provider (and endpoint) answers, e.g. "gemini", "vertex-ai", "openai-compatible@http://…". */
  readonly providerId: string;
  /** The stage name: brainstorm, scenario, critique, baseline, sharpen, response, autorate. */
  readonly stage: string;
  /** The full request as sent: model, systemInstruction, messages, temperature, maxOutputTokens, responseJsonSchema. */
  readonly request: GenerateRequest;
  /** Which sample this is: the scenario's index (0-based); the brainstorm, made once per run, uses 0. */
  readonly sample: number;
}

/** Bumped when what a cached answer means changes, so older entries stop matching. */
const KEY_VERSION = 1;

/**
 * The cache key of one stage answer: the hex SHA-256 of a canonical JSON (keys sorted, undefined
 * members dropped) of the key version, provider id, stage, sample index and the whole request.
 * The trait chunk's text, its universe context and the prompt template are covered because they
 * are rendered into the request's `messages` / `systemInstruction`; an edited template, trait or
 * preamble therefore misses. Every request field is hashed, so a field added to GenerateRequest
 * later is covered without a change here. Throws only for values JSON cannot represent (a cycle).
 */
export function answerKey(parts: AnswerKeyParts): string {
  const canonical = canonicalJson({ v: KEY_VERSION, providerId: parts.providerId, stage: parts.stage, sample: parts.sample, request: parts.request });
  return createHash('sha256').update(canonical).digest('hex');
}

/** JSON with object keys in code-unit order and `undefined` members left out, so equal values hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .filter((k) => object[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Options of a DiskAnswerCache. */
export interface DiskAnswerCacheOptions {
  /**
   * Hears a write that failed (disk full, read-only folder: the answer is simply not kept) and a
   * stored entry that exists but could not be read or trusted (failed integrity check, bad
   * content: it was treated as a miss). An absent entry is an ordinary miss and is not reported.
   */
  readonly onError?: (error: unknown, operation: 'read' | 'write', key: string) => void;
}

/**
 * The answer cache on disk, in a `cacache` content-addressable store at `dir` (created on first
 * write): writes are atomic (temporary file, then rename) and every read is checked against the
 * content's SHA-512 integrity, so a torn or altered entry is a miss rather than a wrong answer (and
 * is removed, so the next answer for its key is stored afresh).
 * Entries are kept until the folder is deleted. The folder gets a `.gitignore` of `*` so it stays
 * out of version control. Several processes may share the folder (cacache appends to its index).
 * `get` and `set` never throw; what went wrong goes to `options.onError`.
 */
export class DiskAnswerCache implements AnswerCache {
  private gitignored = false;

  constructor(
    readonly dir: string,
    private readonly options: DiskAnswerCacheOptions = {},
  ) {}

  /** The entry for `key`, or undefined when there is none or it cannot be read or trusted (never throws). */
  async get(key: string): Promise<CachedAnswer | undefined> {
    let data: Buffer;
    try {
      // memoize: false — read from disk every time, so the integrity check always runs.
      ({ data } = await cacache.get(this.dir, key, { memoize: false }));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      this.options.onError?.(error, 'read', key);
      await this.discard(key);
      return undefined;
    }
    const answer = decode(data);
    if (!answer) this.options.onError?.(new Error(`cache entry ${key} does not hold an answer`), 'read', key);
    return answer;
  }

  /**
   * Removes an entry whose content failed to read, content included: cacache never overwrites a
   * content file that exists, so a damaged one would otherwise keep failing after every new write
   * of the same answer.
   */
  private async discard(key: string): Promise<void> {
    try {
      const info = await cacache.get.info(this.dir, key);
      if (info) await cacache.rm.content(this.dir, info.integrity);
      await cacache.rm.entry(this.dir, key);
    } catch {
      // Still a miss; the next good answer for this key is written under a new index line anyway.
    }
  }

  /** Stores `answer` under `key`, replacing any earlier entry; a failure goes to `onError` (never throws). */
  async set(key: string, answer: CachedAnswer): Promise<void> {
    try {
      await cacache.put(this.dir, key, JSON.stringify(stored(answer)), { memoize: false });
    } catch (error) {
      this.options.onError?.(error, 'write', key);
      return;
    }
    if (!this.gitignored) {
      this.gitignored = true;
      // 'wx': a .gitignore someone wrote there is theirs to keep.
      await writeFile(join(this.dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
    }
  }
}

/** An answer cache in memory (tests, and one editor session); entries are copied in and out. */
export class MemoryAnswerCache implements AnswerCache {
  /** The stored entries as JSON text, by key (tests inspect or damage them). */
  readonly entries = new Map<string, string>();

  /** The entry for `key`, or undefined when there is none or it does not hold an answer. */
  async get(key: string): Promise<CachedAnswer | undefined> {
    const json = this.entries.get(key);
    return json === undefined ? undefined : decode(Buffer.from(json));
  }

  /** Stores a copy of `answer` under `key`, replacing any earlier entry. */
  async set(key: string, answer: CachedAnswer): Promise<void> {
    this.entries.set(key, JSON.stringify(stored(answer)));
  }
}

interface Stored {
  v: number;
  text: string;
  usage: { inputTokens: number; outputTokens: number };
  modelVersion?: string;
}

/** What is written for `answer`: only its known fields, so nothing else it carries is stored. */
function stored(answer: CachedAnswer): Stored {
  return {
    v: KEY_VERSION,
    text: answer.text,
    usage: { inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens },
    ...(typeof answer.modelVersion === 'string' ? { modelVersion: answer.modelVersion } : {}),
  };
}

/** The answer in a stored entry, or undefined when it is not one this version wrote. */
function decode(data: Buffer): CachedAnswer | undefined {
  let value: Partial<Stored> | null;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (!value || value.v !== KEY_VERSION || typeof value.text !== 'string' || !value.usage || !count(value.usage.inputTokens) || !count(value.usage.outputTokens)) {
    return undefined;
  }
  return {
    text: value.text,
    usage: { inputTokens: value.usage.inputTokens, outputTokens: value.usage.outputTokens },
    ...(typeof value.modelVersion === 'string' ? { modelVersion: value.modelVersion } : {}),
  };
}
