// The audit streams: it keeps compact per-record features, not the records (a dataset larger than
// the heap: auditBoundedMemory.test.ts); what it finds is what the in-memory audit finds; a byte-order mark at the
// start of every line and CR-only line endings are read; the report's JSON is written in pieces.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildReport,
  filterDataset,
  offlineAudit,
  offlineAuditFile,
  readDataset,
  writeAuditFiles,
  type AuditRecord,
} from '../../server/src/audit';
import { MAX_BAD_LINES_KEPT, readRecordsById } from '../../server/src/audit/read';
import { reportJson } from '../../server/src/audit/reportJson';
import { auditView } from '../../client/src/webviews/auditView';
import { writeRecords } from './auditRecords';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-audit-stream-'));
  dirs.push(dir);
  return dir;
};

/** Records as readDataset gives them, in memory: the reference the streaming audit must match. */
function inMemory(path: string): { records: AuditRecord[] } {
  return readDataset(path);
}

describe('offlineAuditFile (streaming)', () => {
  it('finds exactly what the in-memory audit finds, per trait too', () => {
    const path = join(tempDir(), 'data.jsonl');
    writeRecords(path, 3000);
    const streamed = offlineAuditFile(path);
    const { records } = inMemory(path);
    assert.equal(streamed.records, 3000);
    assert.deepEqual(streamed.patterns, offlineAudit(records));
    assert.ok(streamed.patterns.some((p) => p.id === 'opening:great-question' && p.flagged));
    assert.ok(streamed.patterns.some((p) => p.id.startsWith('closing:')));
  });

  it('reads a byte-order mark at the start of every line', () => {
    const dir = tempDir();
    const plain = join(dir, 'plain.jsonl');
    const bom = join(dir, 'bom.jsonl');
    writeRecords(plain, 500);
    writeRecords(bom, 500, { prefix: '\ufeff' });
    const a = offlineAuditFile(plain);
    const b = offlineAuditFile(bom);
    assert.equal(b.records, 500);
    assert.deepEqual(b.badLines, []);
    assert.deepEqual(b.patterns, a.patterns);
    assert.equal(readDataset(bom).records.length, 500);
  });

  it('reads CR-only and CRLF line endings, and audit filter keeps each line ending as it was', () => {
    const dir = tempDir();
    const plain = join(dir, 'plain.jsonl');
    writeRecords(plain, 500);
    const reference = offlineAuditFile(plain);
    for (const [name, lineEnd] of [
      ['cr', '\r'],
      ['crlf', '\r\n'],
    ] as const) {
      const path = join(dir, `${name}.jsonl`);
      writeRecords(path, 500, { lineEnd });
      const result = offlineAuditFile(path);
      assert.equal(result.records, 500, name);
      assert.deepEqual(result.badLines, [], name);
      assert.deepEqual(result.patterns, reference.patterns, name);
      const report = buildReport(path, result.records, result.badLines, result.patterns, 0.25);
      const out = join(dir, `${name}.filtered.jsonl`);
      const filtered = filterDataset(path, out, report, [{ patternId: 'opening:great-question', mode: 'drop' }]);
      const dropped = new Set(filtered.dropped.map((d) => d.line));
      const kept = readFileSync(path, 'latin1')
        .split(lineEnd)
        .filter((line, i) => line !== '' && !dropped.has(i + 1));
      assert.equal(readFileSync(out, 'latin1'), kept.map((line) => `${line}${lineEnd}`).join(''), name);
    }
  });

  it('keeps the first bad lines and counts them all', () => {
    const path = join(tempDir(), 'bad.jsonl');
    writeFileSync(
      path,
      `${Array.from({ length: MAX_BAD_LINES_KEPT + 500 }, (_, i) => `not json ${i}`).join('\n')}\n${JSON.stringify({ response: 'One good line.' })}\n`,
    );
    const result = offlineAuditFile(path);
    assert.equal(result.records, 1);
    assert.equal(result.badLines.length, MAX_BAD_LINES_KEPT);
    assert.equal(result.badLineCount, MAX_BAD_LINES_KEPT + 500);
    const report = buildReport(path, result.records, result.badLines, result.patterns, 0.25, null, result.badLineCount);
    assert.equal(report.badLineCount, MAX_BAD_LINES_KEPT + 500);
    // The audit panel lists the first hundred and says how many there were.
    const view = auditView(report, [], 'bad.jsonl');
    assert.equal(view.badLines.length, 100);
    assert.equal(view.badLineCount, MAX_BAD_LINES_KEPT + 500);
  });

  it('readRecordsById reads back just the records asked for', () => {
    const path = join(tempDir(), 'data.jsonl');
    writeRecords(path, 200);
    const got = readRecordsById(path, new Set(['r3', 'r150', 'missing']));
    assert.deepEqual([...got.keys()].sort(), ['r150', 'r3']);
    assert.equal(got.get('r3')?.line, 4);
  });
});

describe('the report JSON, in pieces', () => {
  it('is exactly JSON.stringify(report, null, 2)', () => {
    const path = join(tempDir(), 'data.jsonl');
    writeRecords(path, 400);
    const result = offlineAuditFile(path);
    const report = buildReport(path, result.records, [{ line: 9, reason: 'not JSON' }], result.patterns, 0.25);
    const pieces: string[] = [];
    reportJson(report, (piece) => void pieces.push(piece));
    assert.ok(pieces.length > 1, 'written in more than one piece');
    assert.equal(pieces.join(''), `${JSON.stringify(report, null, 2)}\n`);
    const files = writeAuditFiles(path, report);
    assert.deepEqual(JSON.parse(readFileSync(files.json, 'utf8')), report);
  });
});
