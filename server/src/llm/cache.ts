import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, readFileSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as cacache from 'cacache';
import { configure } from 'safe-stable-stringify';
import { openRegular } from '../files/regularFile';
import type { GenerateRequest } from './provider';

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

/** Bumped when what a cached answer means changes, so older entries stop matching (2: entries authenticated). */
const KEY_VERSION = 2;

/**
 * The cache key of one stage answer: the hex SHA-256 of a canonical JSON (keys sorted, undefined
 * members dropped) of the key version, provider id, stage, sample index and the whole request.
 * The trait chunk's text, its universe context and the prompt template are covered because they
 * are rendered into the request's `messages` / `systemInstruction`; an edited template, trait or
 * preamble therefore misses. Every request field is hashed, so a field added to GenerateRequest
 * later is covered without a change here. Throws only for values JSON cannot represent (a cycle).
 */
export function answerKey(parts: AnswerKeyParts): string {
  const canonical = canonicalJson({
    v: KEY_VERSION,
    providerId: parts.providerId,
    stage: parts.stage,
    sample: parts.sample,
    request: parts.request,
  });
  return createHash('sha256').update(canonical!).digest('hex');
}

/** JSON with object keys in code-unit order and `undefined` members left out, so equal values hash equally; throws on a cycle. */
const canonicalJson = configure({ deterministic: true, circularValue: Error });

/** Options of a DiskAnswerCache. */
export interface DiskAnswerCacheOptions {
  /**
   * Hears a write that failed (disk full, read-only folder: the answer is simply not kept), a
   * stored entry that exists but could not be read or trusted (failed integrity or authentication
   * check, bad content: it was treated as a miss), and a key file that cannot be used (the cache is
   * then off for this instance). An absent entry is an ordinary miss and is not reported.
   */
  readonly onError?: (error: unknown, operation: 'read' | 'write', key: string) => void;
}

/** The per-user secret's file in the cache folder: 32 random bytes, mode 0600. */
export const CACHE_KEY_FILE = 'cache.key';

/**
 * The answer cache on disk, in a `cacache` content-addressable store at `dir` (created on first
 * use, mode 0700): writes are atomic (temporary file, then rename) and every read is checked
 * against the content's SHA-512 integrity, so a torn or altered entry is a miss rather than a wrong
 * answer (and is removed, so the next answer for its key is stored afresh).
 *
 * Entries cannot be planted: each is stored under an HMAC-SHA-256 of its key and carries an
 * HMAC-SHA-256 of its key and content, both made with a secret that only this user can read
 * (`dir/cache.key`, 32 random bytes created with mode 0600). An entry someone else wrote — a
 * repository's copy of a cache folder, a file put there by another user — is never found, or fails
 * the check and is a miss. A key file that is a link, not a regular file, not this user's, or
 * readable by others is not used: the cache is off (reported to `onError`) rather than trusting it.
 *
 * Entries are kept until the folder is deleted. Several processes may share the folder (cacache
 * appends to its index). `get` and `set` never throw; what went wrong goes to `options.onError`.
 */
export class DiskAnswerCache implements AnswerCache {
  private secret: Promise<Buffer | undefined> | undefined;

  constructor(
    readonly dir: string,
    private readonly options: DiskAnswerCacheOptions = {},
  ) {}

  /**
   * The name `key`'s entry is stored under in `dir`: an HMAC of the key with this user's secret
   * (undefined when the secret cannot be had). For tools and tests that look at the store itself.
   */
  async storageKey(key: string): Promise<string | undefined> {
    const secret = await this.userSecret(key, 'read');
    return secret && mac(secret, 'key', key);
  }

  /** The entry for `key`, or undefined when there is none or it cannot be read or trusted (never throws). */
  async get(key: string): Promise<CachedAnswer | undefined> {
    const secret = await this.userSecret(key, 'read');
    if (!secret) return undefined;
    const entryKey = mac(secret, 'key', key);
    let data: Buffer;
    try {
      // memoize: false — read from disk every time, so the integrity check always runs.
      ({ data } = await cacache.get(this.dir, entryKey, { memoize: false }));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      this.options.onError?.(error, 'read', key);
      await this.discard(entryKey);
      return undefined;
    }
    const answer = decode(data, (answer) => mac(secret, 'entry', signedContent(entryKey, answer)));
    if (!answer) this.options.onError?.(new Error(`cache entry ${key} does not hold an answer this cache wrote`), 'read', key);
    return answer;
  }

  /**
   * Removes an entry whose content failed to read, content included: cacache never overwrites a
   * content file that exists, so a damaged one would otherwise keep failing after every new write
   * of the same answer.
   */
  private async discard(entryKey: string): Promise<void> {
    try {
      const info = await cacache.get.info(this.dir, entryKey);
      if (info) await cacache.rm.content(this.dir, info.integrity);
      await cacache.rm.entry(this.dir, entryKey);
    } catch {
      // Still a miss; the next good answer for this key is written under a new index line anyway.
    }
  }

  /** Stores `answer` under `key`, replacing any earlier entry; a failure goes to `onError` (never throws). */
  async set(key: string, answer: CachedAnswer): Promise<void> {
    const secret = await this.userSecret(key, 'write');
    if (!secret) return;
    try {
      const entryKey = mac(secret, 'key', key);
      const entry = stored(answer);
      entry.mac = mac(secret, 'entry', signedContent(entryKey, entry));
      await cacache.put(this.dir, entryKey, JSON.stringify(entry), { memoize: false });
    } catch (error) {
      this.options.onError?.(error, 'write', key);
    }
  }

  /** This user's secret, read or made once per instance; undefined (reported once) when it cannot be had or trusted. */
  private userSecret(key: string, operation: 'read' | 'write'): Promise<Buffer | undefined> {
    this.secret ??= readOrCreateSecret(this.dir).catch((error: unknown) => {
      this.options.onError?.(error, operation, key);
      return undefined;
    });
    return this.secret;
  }
}

/** HMAC-SHA-256 of `text` under `secret`, for one purpose ('key' or 'entry'), in hex. */
function mac(secret: Buffer, purpose: string, text: string): string {
  return createHmac('sha256', secret).update(`${purpose}\0${text}`).digest('hex');
}

const SECRET_BYTES = 32;

/**
 * The secret in `dir/cache.key`, made (32 random bytes, mode 0600, created exclusively without
 * following a link) when absent. Throws when the file is a link or not a regular file, is not
 * this user's or can be read by others (POSIX), or does not hold a secret.
 */
async function readOrCreateSecret(dir: string): Promise<Buffer> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, CACHE_KEY_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openRegular(path, constants.O_RDONLY);
      try {
        const stats = fstatSync(fd);
        if (process.platform !== 'win32' && (stats.uid !== process.getuid?.() || (stats.mode & 0o077) !== 0)) {
          throw new Error(
            `${path} is not this user's own (owner ${stats.uid}, mode ${(stats.mode & 0o777).toString(8)}); the answer cache is off until it is removed`,
          );
        }
        const secret = readFileSync(fd);
        if (secret.length !== SECRET_BYTES)
          throw new Error(`${path} does not hold a cache key; the answer cache is off until it is removed`);
        return secret;
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw error;
    }
    const secret = randomBytes(SECRET_BYTES);
    try {
      const fd = openRegular(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, { mode: 0o600 });
      try {
        writeSync(fd, secret);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return secret;
    } catch (error) {
      // Another process made it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
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
  /** DiskAnswerCache: the entry's authentication tag (signedContent). */
  mac?: string;
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

/**
 * What an entry's tag covers: the name it is stored under and every field of its answer (text,
 * usage, model version when there is one), so none of them can be changed without the secret.
 */
function signedContent(entryKey: string, answer: CachedAnswer): string {
  return `${entryKey}\0${JSON.stringify({ text: answer.text, usage: answer.usage, modelVersion: answer.modelVersion })}`;
}

/**
 * The answer in a stored entry, or undefined when it is not one this version wrote — or, with
 * `expectedMac`, when its tag is not the one its content should carry.
 */
function decode(data: Buffer, expectedMac?: (answer: CachedAnswer) => string): CachedAnswer | undefined {
  let value: Partial<Stored> | null;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (
    !value ||
    value.v !== KEY_VERSION ||
    typeof value.text !== 'string' ||
    !value.usage ||
    !count(value.usage.inputTokens) ||
    !count(value.usage.outputTokens)
  ) {
    return undefined;
  }
  const answer: CachedAnswer = {
    text: value.text,
    usage: { inputTokens: value.usage.inputTokens, outputTokens: value.usage.outputTokens },
    ...(typeof value.modelVersion === 'string' ? { modelVersion: value.modelVersion } : {}),
  };
  if (expectedMac && !sameTag(value.mac, expectedMac(answer))) return undefined;
  return answer;
}

/** Compares tags in constant time. */
function sameTag(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
