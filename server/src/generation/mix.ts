/**
 * Baseline mixing: a run's accepted SFT records and a sample of a baseline SFT file (ordinary
 * instruction-following data, which keeps a model trained on the synthetic records from collapsing
 * onto the traits), shuffled together with a recorded seed into `sft.mixed.<format>.jsonl` beside
 * the run's own SFT files. The ratio R is baseline records per synthetic record: the mix asks for
 * round(R × synthetic) baseline records, a seeded sample when the file has more, all of them (and
 * the shortfall said) when it has fewer.
 */
import { createHash, randomInt } from 'node:crypto';
import { join, resolve } from 'node:path';
import { readRegularFile } from '../files/regularFile';
import { RunError } from './run/errors';
import { SFT_FORMATS } from './run/formats';
import { MANIFEST_FILE, readManifest, readRunItems } from './run/manifest';
import { lockRunFolder, writeFileAtomic } from './run/store';
import type { RunManifest, SftFormat } from './run/types';
import { seededRandom, shuffle } from './seededRandom';

/** One training example, whatever the format it was read from. */
export interface SftExample {
  /** A system prompt (OpenAI's system message, Gemini's systemInstruction), if it has one. */
  readonly system?: string;
  /** user, assistant, user, assistant, …: starts with the user and ends with the assistant. */
  readonly turns: readonly { readonly role: 'user' | 'assistant'; readonly text: string }[];
}

/** A line of the baseline file that is no training example, 1-based. */
export interface BadLine {
  readonly line: number;
  readonly reason: string;
}

/** A baseline file read line by line. */
export interface BaselineFile {
  readonly path: string;
  /** SHA-256 of the file's bytes, hex. */
  readonly sha256: string;
  readonly examples: readonly SftExample[];
  readonly bad: readonly BadLine[];
  /** Empty or whitespace-only lines (no example, not an error). */
  readonly blank: number;
}

/** The `mix` member of a run's manifest: what `mixRun` wrote. */
export interface MixRecord {
  /** The baseline file as given (absolute) and the SHA-256 of its bytes. */
  readonly source: { readonly path: string; readonly sha256: string };
  /** Baseline records per synthetic record. */
  readonly ratio: number;
  /** The seed of the sample and the shuffle (0 to 2^32 - 1): the same seed, file and run give the same files. */
  readonly seed: number;
  /** Synthetic records (the run's accepted ones). */
  readonly synthetic: number;
  /** Baseline records asked for: round(ratio × synthetic). */
  readonly baselineWanted: number;
  /** Baseline records in the mix: baselineWanted, or every valid one when the file has fewer. */
  readonly baseline: number;
  /** Valid baseline records in the file. */
  readonly baselineAvailable: number;
  /** baselineWanted - baseline: how many the file was short (0 when it had enough). */
  readonly baselineShort: number;
  readonly total: number;
  /** Lines of the file skipped as bad (only with skipBadLines), and blank lines. */
  readonly skippedLines: number;
  readonly blankLines: number;
  /** The files written, in the run folder. */
  readonly files: readonly string[];
  readonly at: string;
}

/** The mixed file of `format` in a run folder. */
export function mixedSftFile(format: SftFormat): string {
  return `sft.mixed.${format}.jsonl`;
}

/**
 * Reads `path` as an SFT file: each non-blank line one JSON object in the OpenAI chat format
 * (`{"messages":[{"role":"system"|"user"|"assistant","content":"…"}…]}`) or the Gemini tuning format
 * (`{"contents":[{"role":"user"|"model","parts":[{"text":"…"}]}…]}`, optionally `systemInstruction`),
 * as the run's sft.openai.jsonl and sft.gemini.jsonl are written — turns alternating from the user
 * to a final assistant (model) turn, every text a non-empty string. Lines that are not are returned
 * in `bad` with their numbers and reasons. Throws RunError('io') when the file cannot be read.
 */
export function readBaselineFile(path: string): BaselineFile {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, { follow: true });
  } catch (error) {
    throw new RunError('io', `cannot read the baseline file ${path}: ${(error as Error).message}`);
  }
  const examples: SftExample[] = [];
  const bad: BadLine[] = [];
  let blank = 0;
  const lines = bytes.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((text, i) => {
    if (!text.trim()) return void blank++;
    const parsed = parseExample(text);
    if (typeof parsed === 'string') bad.push({ line: i + 1, reason: parsed });
    else examples.push(parsed);
  });
  return { path: resolve(path), sha256: createHash('sha256').update(bytes).digest('hex'), examples, bad, blank };
}

/** The example of one JSONL line, or why it is none. */
export function parseExample(line: string): SftExample | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if ('messages' in record && 'contents' in record) return 'has both "messages" (OpenAI) and "contents" (Gemini)';
  if (Array.isArray(record.messages)) return fromOpenAI(record.messages);
  if (Array.isArray(record.contents)) return fromGemini(record.contents, record.systemInstruction);
  return 'neither an OpenAI chat example ({"messages":[…]}) nor a Gemini one ({"contents":[…]})';
}

function fromOpenAI(messages: unknown[]): SftExample | string {
  let system: string | undefined;
  const turns: { role: 'user' | 'assistant'; text: string }[] = [];
  for (const [i, message] of messages.entries()) {
    const m = message as { role?: unknown; content?: unknown } | null;
    if (!m || typeof m !== 'object') return `messages[${i}] is not an object`;
    if (typeof m.content !== 'string' || !m.content.trim()) return `messages[${i}].content is not a non-empty string`;
    if (m.role === 'system') {
      if (i !== 0) return `messages[${i}] is a system message after the first message`;
      system = m.content;
    } else if (m.role === 'user' || m.role === 'assistant') turns.push({ role: m.role, text: m.content });
    else return `messages[${i}].role is ${JSON.stringify(m.role)}, not system, user or assistant`;
  }
  return checkTurns(system, turns, 'assistant');
}

function fromGemini(contents: unknown[], systemInstruction: unknown): SftExample | string {
  let system: string | undefined;
  if (systemInstruction !== undefined) {
    const text = partsText(systemInstruction);
    if (text === undefined) return 'systemInstruction has no text parts';
    system = text;
  }
  const turns: { role: 'user' | 'assistant'; text: string }[] = [];
  for (const [i, content] of contents.entries()) {
    const c = content as { role?: unknown } | null;
    if (!c || typeof c !== 'object') return `contents[${i}] is not an object`;
    if (c.role !== 'user' && c.role !== 'model') return `contents[${i}].role is ${JSON.stringify(c.role)}, not user or model`;
    const text = partsText(c);
    if (text === undefined) return `contents[${i}].parts is not a list of non-empty {"text"} parts`;
    turns.push({ role: c.role === 'model' ? 'assistant' : 'user', text });
  }
  return checkTurns(system, turns, 'model');
}

/** The joined text of `{parts: [{text}…]}`, or undefined when it is not that or empty. */
function partsText(value: unknown): string | undefined {
  const parts = (value as { parts?: unknown } | null)?.parts;
  if (!Array.isArray(parts) || parts.length === 0) return undefined;
  const texts = parts.map((p) => (p && typeof p === 'object' ? (p as { text?: unknown }).text : undefined));
  if (!texts.every((t): t is string => typeof t === 'string')) return undefined;
  const text = texts.join('');
  return text.trim() ? text : undefined;
}

function checkTurns(system: string | undefined, turns: SftExample['turns'], answerRole: string): SftExample | string {
  if (turns.length === 0) return 'has no user or assistant turn';
  for (const [i, turn] of turns.entries()) {
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (turn.role !== expected)
      return `turn ${i + 1} is ${turn.role === 'assistant' ? answerRole : 'user'}: turns must alternate, starting with the user`;
  }
  if (turns.length % 2 !== 0) return `ends with a user turn: the last turn must be the ${answerRole}'s answer`;
  return system === undefined ? { turns } : { system, turns };
}

/** `example` as one line of `format`, as the run's SFT files write them (see formats.ts). */
export function exampleLine(format: SftFormat, example: SftExample): object {
  if (format === 'openai') {
    return {
      messages: [
        ...(example.system !== undefined ? [{ role: 'system', content: example.system }] : []),
        ...example.turns.map((t) => ({ role: t.role, content: t.text })),
      ],
    };
  }
  return {
    ...(example.system !== undefined ? { systemInstruction: { parts: [{ text: example.system }] } } : {}),
    contents: example.turns.map((t) => ({ role: t.role === 'assistant' ? 'model' : 'user', parts: [{ text: t.text }] })),
  };
}

/** The bad lines of `file` as text, at most `limit` of them and a count of the rest. */
export function describeBadLines(file: BaselineFile, limit = 20): string {
  const shown = file.bad.slice(0, limit).map((b) => `  ${file.path}:${b.line}: ${b.reason}`);
  if (file.bad.length > limit) shown.push(`  … and ${file.bad.length - limit} more`);
  return shown.join('\n');
}

/** What to mix. */
export interface MixOptions {
  /** The baseline file, already read (readBaselineFile), so it is checked before a run starts. */
  readonly baseline: BaselineFile;
  /** Baseline records per synthetic record, a finite number ≥ 0. */
  readonly ratio: number;
  /** 0 to 2^32 - 1; default a random one (recorded). */
  readonly seed?: number;
  /** Mix although the file has bad lines (they are skipped and counted); otherwise they refuse the mix. */
  readonly skipBadLines?: boolean;
}

/** Checks `options` before anything is run; throws RunError('usage') naming what is wrong (bad lines with their numbers). */
export function checkMixOptions(options: MixOptions): void {
  const { ratio, seed, baseline } = options;
  if (!(typeof ratio === 'number' && Number.isFinite(ratio) && ratio >= 0))
    throw new RunError('usage', `the mix ratio must be a number of baseline records per synthetic record, 0 or more, not ${String(ratio)}`);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff))
    throw new RunError('usage', `the seed must be a whole number from 0 to 4294967295, not ${String(seed)}`);
  if (baseline.bad.length > 0 && !options.skipBadLines)
    throw new RunError(
      'usage',
      `${baseline.path} has ${baseline.bad.length} bad line${baseline.bad.length === 1 ? '' : 's'} (fix them, or skip them with --skip-bad-lines):\n${describeBadLines(baseline)}`,
    );
}

/**
 * Mixes the finished run in `dir` with `options.baseline`: writes `sft.mixed.<format>.jsonl` for
 * each of the run's formats (whole files, atomically; the same examples in the same order in each)
 * and records the MixRecord as `mix` in its manifest.json. The synthetic records are records.jsonl's
 * accepted ones (each an example of its final prompt and response, no system prompt). Holds the
 * folder's lock meanwhile. Throws RunError: 'usage' for bad options (checkMixOptions) or a folder
 * with no run, 'busy' when a run is writing to it, 'io' when a file cannot be read or written.
 */
export function mixRun(dir: string, options: MixOptions, now = new Date()): MixRecord {
  checkMixOptions(options);
  const unlock = lockRunFolder(dir);
  try {
    const manifest = readManifest(dir);
    if (!manifest) throw new RunError('usage', `${dir} holds no run (no ${MANIFEST_FILE})`);
    const synthetic: SftExample[] = readRunItems(dir).accepted.map((r) => ({
      turns: [
        { role: 'user', text: r.prompt },
        { role: 'assistant', text: r.response },
      ],
    }));
    const seed = options.seed ?? randomInt(0, 0xffffffff);
    const random = seededRandom(seed);
    const { baseline } = options;
    const wanted = Math.round(options.ratio * synthetic.length);
    const sample = shuffle([...baseline.examples], random).slice(0, wanted);
    const mixed = shuffle([...synthetic, ...sample], random);
    const formats = (manifest.settings.formats ?? SFT_FORMATS).filter((f) => SFT_FORMATS.includes(f));
    for (const format of formats) {
      const text = mixed.map((e) => `${JSON.stringify(exampleLine(format, e))}\n`).join('');
      writeFileAtomic(join(dir, mixedSftFile(format)), text);
    }
    const record: MixRecord = {
      source: { path: baseline.path, sha256: baseline.sha256 },
      ratio: options.ratio,
      seed,
      synthetic: synthetic.length,
      baselineWanted: wanted,
      baseline: sample.length,
      baselineAvailable: baseline.examples.length,
      baselineShort: wanted - sample.length,
      total: mixed.length,
      skippedLines: baseline.bad.length,
      blankLines: baseline.blank,
      files: formats.map(mixedSftFile),
      at: now.toISOString(),
    };
    const updated: RunManifest & { mix: MixRecord } = { ...manifest, mix: record };
    writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(updated, null, 2)}\n`);
    return record;
  } finally {
    unlock();
  }
}

/** The lines a person reads about `mix`: counts, seed, files, and a shortfall or skipped lines when there were. */
export function describeMix(mix: MixRecord): string[] {
  const lines = [
    `mixed ${mix.synthetic} synthetic + ${mix.baseline} baseline = ${mix.total} records (ratio ${mix.ratio}, seed ${mix.seed}) into ${mix.files.join(', ')}`,
  ];
  if (mix.baselineShort > 0)
    lines.push(
      `baseline short: ratio ${mix.ratio} asks for ${mix.baselineWanted} baseline records, ${mix.source.path} has ${mix.baselineAvailable} valid ones; all of them are in the mix, ${mix.baselineShort} fewer than asked`,
    );
  if (mix.skippedLines > 0) lines.push(`skipped ${mix.skippedLines} bad line${mix.skippedLines === 1 ? '' : 's'} of ${mix.source.path}`);
  return lines;
}
