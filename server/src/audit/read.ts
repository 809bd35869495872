/**
 * Reading a dataset: JSONL in any of three shapes (OpenAI `messages`, Gemini `contents`, our
 * records.jsonl), line by line in fixed-size chunks so a file of any size streams through; lines
 * end in LF, CRLF or CR, and may start with a byte-order mark.
 */
import { closeSync, constants, readSync } from 'node:fs';
import { NotRegularFileError, openRegular } from '../files/regularFile';
import type { AuditRecord, BadLine } from './types';

/** A dataset that cannot be read at all (missing, a folder, no permission). */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

/** One line of a file: its bytes without its line ending, and the line ending as it was. */
export interface RawLine {
  /** 1-based. */
  readonly line: number;
  readonly bytes: Buffer;
  /** What ended the line: LF, CRLF or a lone CR; '' for a last line with none. */
  readonly ending: '\n' | '\r\n' | '\r' | '';
}

const CHUNK = 1 << 20;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The lines of the file at `path`, in order, as raw bytes (so a filter can copy them verbatim, line
 * endings included). A line ends at LF, CRLF or a lone CR (old Mac files): none of these bytes
 * occurs inside a UTF-8 multi-byte sequence, nor unescaped inside a JSON value. The file is read
 * in 1 MiB chunks: only the current line is held. Throws DatasetError when the file cannot be
 * opened or read, or is not a regular file (a FIFO or a device would hang or never end).
 */
export function* rawLines(path: string): Generator<RawLine> {
  let fd: number;
  try {
    fd = openRegular(path, constants.O_RDONLY, { follow: true });
  } catch (error) {
    if (error instanceof NotRegularFileError)
      throw new DatasetError(`${path}: not a regular file (${error.kind}); a dataset must be a file`);
    throw new DatasetError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    let pending: Buffer[] = [];
    let line = 1;
    // A line whose CR was a chunk's last byte: CR or CRLF is known only from the next chunk.
    let held: Buffer | undefined;
    for (;;) {
      // A fresh buffer per chunk: the lines handed out are views into it and must stay valid.
      const chunk = Buffer.allocUnsafe(CHUNK);
      let read: number;
      try {
        read = readSync(fd, chunk, 0, CHUNK, null);
      } catch (error) {
        throw new DatasetError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      if (read === 0) break;
      const data = chunk.subarray(0, read);
      let start = 0;
      if (held) {
        const crlf = data[0] === LF;
        yield { line: line++, bytes: held, ending: crlf ? '\r\n' : '\r' };
        held = undefined;
        if (crlf) start = 1;
      }
      let lf = data.indexOf(LF, start);
      let cr = data.indexOf(CR, start);
      while (lf !== -1 || cr !== -1) {
        const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
        const piece = data.subarray(start, end);
        // Lines longer than a chunk are collected in pieces and joined once, not re-copied per chunk.
        const bytes = pending.length ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        if (end === lf) {
          yield { line: line++, bytes, ending: '\n' };
          start = end + 1;
        } else if (end + 1 === read) {
          held = bytes;
          start = read;
          break;
        } else if (data[end + 1] === LF) {
          yield { line: line++, bytes, ending: '\r\n' };
          start = end + 2;
        } else {
          yield { line: line++, bytes, ending: '\r' };
          start = end + 1;
        }
        if (lf !== -1 && lf < start) lf = data.indexOf(LF, start);
        if (cr !== -1 && cr < start) cr = data.indexOf(CR, start);
      }
      if (start < read) pending.push(data.subarray(start));
    }
    if (held) yield { line: line++, bytes: held, ending: '\r' };
    if (pending.length) yield { line, bytes: Buffer.concat(pending), ending: '' };
  } finally {
    closeSync(fd);
  }
}

/** A parsed line: a record, a bad line, or nothing (a blank line, skipped silently). */
export type ParsedLine = { record: AuditRecord } | { bad: BadLine } | null;

/**
 * Turns lines into records with the same ids every time (readDataset, the streaming audit and
 * filterDataset agree): `id` field, else the 0-based line number; a repeated id gets
 * `#<0-based line>` appended, and `.2`, `.3`, … after that while the result is still taken (an
 * explicit id such as `a#7` elsewhere in the file), so no two records share an id.
 */
export class LineParser {
  private readonly seen = new Set<string>();

  /**
   * Parses one raw line (1-based `line`). Blank lines give null; a byte-order mark at the start of
   * a line is ignored (some tools write one before every line).
   */
  parse(line: number, bytes: Buffer): ParsedLine {
    let text = bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { bad: { line, reason: `not JSON (${(error as Error).message})` } };
    }
    const parsed = extractRecord(value);
    if (typeof parsed === 'string') return { bad: { line, reason: parsed } };
    let id = parsed.id ?? String(line - 1);
    if (this.seen.has(id)) {
      const renamed = `${id}#${line - 1}`;
      id = renamed;
      for (let k = 2; this.seen.has(id); k++) id = `${renamed}.${k}`;
    }
    this.seen.add(id);
    return { record: { id, line, traitId: parsed.traitId, prompt: parsed.prompt, response: parsed.response } };
  }
}

/** The parsed lines of the dataset at `path`, in order, blank lines left out (see rawLines, LineParser). */
export function* datasetLines(path: string): Generator<{ record: AuditRecord } | { bad: BadLine }> {
  const parser = new LineParser();
  for (const { line, bytes } of rawLines(path)) {
    const parsed = parser.parse(line, bytes);
    if (parsed) yield parsed;
  }
}

/**
 * How many bad lines the streaming readers keep (the first ones); the rest are only counted. Each
 * is an object with a message: a file of nothing but bad lines must not fill memory.
 */
export const MAX_BAD_LINES_KEPT = 1000;

/**
 * Reads the JSONL dataset at `path` into memory: every line that holds an assistant turn becomes an
 * AuditRecord; lines that are not JSON, not an object or hold no assistant turn with text are
 * returned in `badLines` (1-based line numbers) and skipped; blank lines are skipped silently.
 * For what needs the texts (the model pass, tests); the offline audit streams (offlineAuditFile).
 * Throws DatasetError only when the file cannot be read.
 */
export function readDataset(path: string): { records: AuditRecord[]; badLines: BadLine[] } {
  const records: AuditRecord[] = [];
  const badLines: BadLine[] = [];
  for (const parsed of datasetLines(path)) {
    if ('record' in parsed) records.push(parsed.record);
    else badLines.push(parsed.bad);
  }
  return { records, badLines };
}

/** The records of `path` whose ids are in `ids` (the report's examples, say), by id; one pass, only those kept. */
export function readRecordsById(path: string, ids: ReadonlySet<string>): Map<string, AuditRecord> {
  const found = new Map<string, AuditRecord>();
  if (ids.size === 0) return found;
  for (const parsed of datasetLines(path)) {
    if ('record' in parsed && ids.has(parsed.record.id)) {
      found.set(parsed.record.id, parsed.record);
      if (found.size === ids.size) break;
    }
  }
  return found;
}

type Extracted = { id: string | null; traitId: string | null; prompt: string; response: string };

/** The record in one parsed line, or why there is none. */
function extractRecord(value: unknown): Extracted | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const o = value as Record<string, unknown>;
  const id = idOf(o.id);
  const metadata = typeof o.metadata === 'object' && o.metadata !== null ? (o.metadata as Record<string, unknown>) : {};
  const traitId = idOf(o.traitId) ?? idOf(metadata.trait) ?? idOf(o.trait);
  if (Array.isArray(o.messages)) {
    const turns = o.messages.map((m) => turn(m, (x) => contentText(x.content)));
    return fromTurns(turns, 'assistant') ?? 'no assistant turn with text in "messages"';
  }
  if (Array.isArray(o.contents)) {
    const turns = o.contents.map((m) => turn(m, (x) => partsText(x.parts)));
    return fromTurns(turns, 'model') ?? 'no model turn with text in "contents"';
  }
  if (typeof o.response === 'string' && o.response.trim() !== '') {
    return { id, traitId, prompt: typeof o.prompt === 'string' ? o.prompt : '', response: o.response };
  }
  return 'no assistant turn: expected "messages" (OpenAI), "contents" (Gemini) or "response" (records.jsonl)';

  function fromTurns(turns: { role: string; text: string }[], assistant: string): Extracted | null {
    // The last assistant turn with text answers; tool-call turns without text are passed over.
    let r = turns.length - 1;
    while (r >= 0 && !(turns[r].role === assistant && turns[r].text.trim() !== '')) r--;
    if (r < 0) return null;
    let u = r - 1;
    while (u >= 0 && turns[u].role !== 'user') u--;
    return { id, traitId, prompt: u >= 0 ? turns[u].text : '', response: turns[r].text };
  }
}

/** A turn's role and text; a turn that is not an object has neither. */
function turn(m: unknown, text: (m: Record<string, unknown>) => string): { role: string; text: string } {
  if (typeof m !== 'object' || m === null) return { role: '', text: '' };
  const o = m as Record<string, unknown>;
  return { role: typeof o.role === 'string' ? o.role : '', text: text(o) };
}

/** OpenAI content: a string, or parts of which the text ones count. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) =>
      typeof p === 'string'
        ? p
        : typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
    )
    .join('');
}

/** Gemini parts: the text ones, joined. */
function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .map((p) =>
      typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '',
    )
    .join('');
}

/** A string or finite number as an id; anything else (empty string included) is none. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
