/** The names of the files the audit writes beside a dataset (they are written with files/atomicWrite.ts). */
import { basename, dirname, join } from 'node:path';

/**
 * The file name of `path` without a `.jsonl` extension (other extensions are kept), joined to its
 * folder: "runs/x/records.jsonl" → "runs/x/records".
 */
export function stem(path: string): string {
  return join(dirname(path), basename(path).replace(/\.jsonl$/i, ''));
}
