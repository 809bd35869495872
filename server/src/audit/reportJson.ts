/**
 * The audit report as JSON, written in pieces: a report lists the ids of every matching record,
 * which for a large dataset is more text than one string may hold (V8 caps a string near 2^29
 * characters). The pieces join to exactly `JSON.stringify(report, null, 2)` plus a newline.
 */
import type { AuditReport } from './types';

/** Pieces of about this many characters are handed to `write`. */
const PIECE = 1 << 16;

/**
 * Writes `report` as pretty-printed JSON (two-space indent) and a final newline through `write`, a
 * piece at a time: the id lists are written an id at a time, everything else as JSON.stringify
 * gives it.
 */
export function reportJson(report: AuditReport, write: (piece: string) => void): void {
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= PIECE) {
      write(buffer);
      buffer = '';
    }
  };
  value(report, '', emit);
  emit('\n');
  if (buffer) write(buffer);
}

/** `v` at indentation `indent`, as JSON.stringify(v, null, 2) would write it there; arrays of strings an item at a time. */
function value(v: unknown, indent: string, emit: (text: string) => void): void {
  if (Array.isArray(v)) {
    if (v.length === 0) return emit('[]');
    const inner = `${indent}  `;
    emit('[');
    v.forEach((item, i) => {
      emit(`${i ? ',' : ''}\n${inner}`);
      value(item === undefined || typeof item === 'function' ? null : item, inner, emit);
    });
    return emit(`\n${indent}]`);
  }
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
    if (entries.length === 0) return emit('{}');
    const inner = `${indent}  `;
    emit('{');
    entries.forEach(([key, x], i) => {
      emit(`${i ? ',' : ''}\n${inner}${JSON.stringify(key)}: `);
      value(x, inner, emit);
    });
    return emit(`\n${indent}}`);
  }
  emit(JSON.stringify(v) ?? 'null');
}
