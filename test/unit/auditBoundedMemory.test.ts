// The audit streams in bounded memory: a subprocess running the built CLI with a heap far smaller than
// the dataset audits and filters it (not timed). Kept apart from auditStreaming.test.ts because the
// subprocess runs dist/cli.js, which reports no coverage and cannot activate a mutant, so it decides
// no mutant in `npm run mutate -- audit` — and under Stryker it ran past the 20 s timeout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeRecords } from './auditRecords';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir = '';
after(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('bounded memory (a subprocess whose heap is smaller than the dataset)', () => {
  it('audits and filters a dataset several times the size of its heap', () => {
    dir = mkdtempSync(join(tmpdir(), 'trait-studio-audit-bounded-'));
    const path = join(dir, 'big.jsonl');
    // About 130 MB of records (~16 KB each); the heap gets 48 MB: keeping the records cannot fit.
    writeRecords(path, 8000, { filler: 600 });
    assert.ok(statSync(path).size > 120 * 2 ** 20);
    const node = (args: string[]) =>
      spawnSync(process.execPath, ['--max-old-space-size=48', CLI, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    const audit = node(['audit', 'big.jsonl', '--offline', '--format', 'json']);
    assert.equal(audit.status, 0, audit.stderr.slice(-2000));
    const report = JSON.parse(audit.stdout);
    assert.equal(report.records, 8000);
    assert.ok(report.patterns.some((p: { id: string }) => p.id === 'opening:great-question'));
    const filter = node(['audit', 'filter', 'big.jsonl', '--out', 'small.jsonl', '--drop', 'opening:great-question', '--format', 'json']);
    assert.equal(filter.status, 0, filter.stderr.slice(-2000));
    const result = JSON.parse(filter.stdout);
    const strict = report.patterns.find((p: { id: string }) => p.id === 'opening:great-question').records.length;
    assert.equal(result.written + result.dropped.length, 8000);
    assert.equal(result.dropped.length, strict);
  });
});
