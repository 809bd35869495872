// filterDataset: drops and deterministic down-sampling of the records of chosen patterns, lines
// copied byte for byte, a log of what was left out, atomic output, and refusals.
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildReport, FilterError, filterDataset, offlineAudit, readDataset, type AuditReport } from '../../server/src/audit';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-filter-'));
  dirs.push(dir);
  return dir;
}

const N = 60;
/** The great-question records a down-sample to 25 % keeps, with seed 7 and with seed 0 (see the test that pins them). */
const GOLDEN_7 = ['r6', 'r36', 'r51', 'r54', 'r57'];
const GOLDEN_0 = ['r3', 'r24', 'r30', 'r39', 'r48'];
/** Record i opens with "Great question!" when i % 3 === 0 (20 records) and ends with "Does that help?" when i % 4 === 0 (15). */
const greatQuestion = (i: number) => i % 3 === 0;
const doesThatHelp = (i: number) => i % 4 === 0;

/**
 * The dataset's lines as written: OpenAI lines with ids, some CRLF-terminated, non-ASCII text and
 * odd spacing (which re-serialising would change), a bad line and a blank line in between, and no
 * newline after the last line.
 */
function datasetLines(): { lines: string[]; ending: string[]; recordAt: (number | null)[] } {
  const lines: string[] = [];
  const ending: string[] = [];
  const recordAt: (number | null)[] = [];
  for (let i = 0; i < N; i++) {
    const response = `${greatQuestion(i) ? 'Great question! ' : `Réponse numéro ${i} — `}Here is item ${i} explained with care, step ${i * 7}.${doesThatHelp(i) ? ' Does that help?' : ` Fin ${i}.`}`;
    lines.push(
      `{"id":  "r${i}", "messages": [{"role": "user", "content": "q${i}"}, {"role": "assistant", "content": ${JSON.stringify(response)}}]}`,
    );
    ending.push(i % 5 === 0 ? '\r\n' : '\n');
    recordAt.push(i);
    if (i === 10) {
      lines.push('not json at all');
      ending.push('\n');
      recordAt.push(null);
      lines.push('');
      ending.push('\n');
      recordAt.push(null);
    }
  }
  ending[ending.length - 1] = '';
  return { lines, ending, recordAt };
}

function writeDataset(
  dir: string,
  name = 'data.jsonl',
): { path: string; report: AuditReport; lines: string[]; ending: string[]; recordAt: (number | null)[] } {
  const { lines, ending, recordAt } = datasetLines();
  const path = join(dir, name);
  writeFileSync(path, lines.map((l, k) => l + ending[k]).join(''));
  const { records, badLines } = readDataset(path);
  const report = buildReport(path, records, badLines, offlineAudit(records), 0.25);
  return { path, report, lines, ending, recordAt };
}

/** The file the filter should write when it leaves out records `out` (by index). */
function expected(lines: string[], ending: string[], recordAt: (number | null)[], out: (i: number) => boolean): string {
  return lines
    .map((l, k) => ({ text: l + ending[k], i: recordAt[k] }))
    .filter(({ i }) => i === null || !out(i))
    .map(({ text }) => text)
    .join('');
}

describe('filterDataset', () => {
  it('drops the strict matches of a pattern and copies every other line byte for byte, with a log', () => {
    const dir = tempDir();
    const { path, report, lines, ending, recordAt } = writeDataset(dir);
    assert.deepEqual(
      report.patterns.find((p) => p.id === 'opening:great-question')?.records,
      Array.from({ length: N }, (_, i) => i)
        .filter(greatQuestion)
        .map((i) => `r${i}`),
    );
    const output = join(dir, 'clean.jsonl');
    const result = filterDataset(path, output, report, [{ patternId: 'opening:great-question', mode: 'drop' }]);
    assert.equal(readFileSync(output, 'utf8'), expected(lines, ending, recordAt, greatQuestion));
    assert.equal(result.written, N - 20);
    assert.equal(result.dropped.length, 20);
    // 1-based line numbers: records after index 10 sit two lines further down (a bad and a blank line).
    assert.deepEqual(result.dropped[0], { id: 'r0', line: 1, patterns: ['opening:great-question'] });
    assert.deepEqual(result.dropped[4], { id: 'r12', line: 15, patterns: ['opening:great-question'] });
    assert.equal(result.log, join(dir, 'clean.log.jsonl'));
    const log = readFileSync(result.log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(log[0].filter.choices, [{ patternId: 'opening:great-question', mode: 'drop' }]);
    assert.equal(log[0].filter.dropped, 20);
    assert.equal(log[0].filter.written, N - 20);
    assert.deepEqual(log.slice(1), result.dropped);
    // No temporary file is left beside the output.
    assert.deepEqual(readdirSync(dir).sort(), ['clean.jsonl', 'clean.log.jsonl', 'data.jsonl']);
  });

  it('names every chosen pattern that left a record out', () => {
    const dir = tempDir();
    const { path, report, lines, ending, recordAt } = writeDataset(dir);
    const output = join(dir, 'out.jsonl');
    const result = filterDataset(path, output, report, [
      { patternId: 'opening:great-question', mode: 'drop' },
      { patternId: 'closing:does-that-help', mode: 'drop' },
    ]);
    assert.equal(
      readFileSync(output, 'utf8'),
      expected(lines, ending, recordAt, (i) => greatQuestion(i) || doesThatHelp(i)),
    );
    assert.deepEqual(result.dropped.find((d) => d.id === 'r12')?.patterns, ['opening:great-question', 'closing:does-that-help']);
    assert.deepEqual(result.dropped.find((d) => d.id === 'r4')?.patterns, ['closing:does-that-help']);
    assert.equal(result.written, N - 30);
  });

  it('down-samples deterministically: exactly the fraction kept, the same records for the same seed, whatever the line order', () => {
    const dir = tempDir();
    const { path, report } = writeDataset(dir);
    const choice = [{ patternId: 'opening:great-question', mode: 'downsample' as const, keep: 0.25 }];
    const a = filterDataset(path, join(dir, 'a.jsonl'), report, choice, 7);
    const b = filterDataset(path, join(dir, 'b.jsonl'), report, choice, 7);
    const c = filterDataset(path, join(dir, 'c.jsonl'), report, choice, 8);
    // round(0.25 × 20) = 5 kept, 15 left out.
    assert.equal(a.dropped.length, 15);
    assert.ok(a.dropped.every((d) => greatQuestion(Number(d.id.slice(1)))));
    assert.deepEqual(b.dropped, a.dropped);
    assert.equal(readFileSync(join(dir, 'a.jsonl'), 'utf8'), readFileSync(join(dir, 'b.jsonl'), 'utf8'));
    assert.notDeepEqual(
      c.dropped.map((d) => d.id),
      a.dropped.map((d) => d.id),
    );
    // The same file with its lines reversed: the same records are left out.
    const reversed = join(dir, 'reversed.jsonl');
    writeFileSync(
      reversed,
      readFileSync(path, 'utf8')
        .replace(/\r/g, '')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .reverse()
        .join('\n'),
    );
    const { records } = readDataset(reversed);
    const reversedReport = buildReport(reversed, records, [], offlineAudit(records), 0.25);
    const r = filterDataset(reversed, join(dir, 'r.jsonl'), reversedReport, choice, 7);
    assert.deepEqual(r.dropped.map((d) => d.id).sort(), a.dropped.map((d) => d.id).sort());
    // keep 1 leaves everything, keep 0 drops every match.
    assert.equal(filterDataset(path, join(dir, 'all.jsonl'), report, [{ ...choice[0], keep: 1 }]).dropped.length, 0);
    assert.equal(filterDataset(path, join(dir, 'none.jsonl'), report, [{ ...choice[0], keep: 0 }]).dropped.length, 20);
  });

  it('keeps the records a seed chose in earlier versions: a published filter and its seed reproduce the same dataset', () => {
    const dir = tempDir();
    const { path, report } = writeDataset(dir);
    const kept = (seed: number, keep: number) => {
      const dropped = new Set(
        filterDataset(
          path,
          join(dir, `seed-${seed}.jsonl`),
          report,
          [{ patternId: 'opening:great-question', mode: 'downsample', keep }],
          seed,
        ).dropped.map((d) => d.id),
      );
      return report.patterns.find((p) => p.id === 'opening:great-question')!.records.filter((id) => !dropped.has(id));
    };
    // The choice (cyrb53 of seed, pattern id and record id) as this version makes it: pinned, so a
    // change of hash, of what it hashes or of how it ranks shows here.
    assert.deepEqual(kept(7, 0.25), GOLDEN_7);
    assert.deepEqual(kept(0, 0.25), GOLDEN_0);
  });

  it('writes over an earlier output of its own (another file on the same disk is not the input)', () => {
    const dir = tempDir();
    const { path, report } = writeDataset(dir);
    const output = join(dir, 'out.jsonl');
    filterDataset(path, output, report, [{ patternId: 'opening:great-question', mode: 'drop' }]);
    const again = filterDataset(path, output, report, [{ patternId: 'closing:does-that-help', mode: 'drop' }], 3);
    assert.equal(again.dropped.length, 15);
    assert.equal(
      readFileSync(output, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{')).length,
      N - 15,
    );
    const header = JSON.parse(readFileSync(again.log, 'utf8').split('\n')[0]).filter;
    assert.deepEqual([header.input, header.output, header.report, header.seed], [path, output, report.dataset, 3]);
  });

  it('refuses to write over the input, by the same path or another name of the same file', () => {
    const dir = tempDir();
    const { path, report } = writeDataset(dir);
    const before = readFileSync(path);
    const choice = [{ patternId: 'opening:great-question', mode: 'drop' as const }];
    assert.throws(() => filterDataset(path, path, report, choice), FilterError);
    assert.throws(() => filterDataset(path, join(dir, '.', 'data.jsonl'), report, choice), /is the input dataset/);
    const link = join(dir, 'link.jsonl');
    linkSync(path, link);
    assert.throws(() => filterDataset(path, link, report, choice), /is the input dataset/);
    // The log of output "data" would be data.log.jsonl; an input of that name is refused too.
    const logNamed = writeDataset(dir, 'x.log.jsonl');
    assert.throws(() => filterDataset(logNamed.path, join(dir, 'x.jsonl'), logNamed.report, choice), /log .* is the input dataset/);
    assert.deepEqual(readFileSync(path), before);
  });

  it('refuses unknown patterns, bad fractions and a report of another file, writing nothing', () => {
    const dir = tempDir();
    const { path, report } = writeDataset(dir);
    const output = join(dir, 'out.jsonl');
    assert.throws(() => filterDataset(path, output, report, [{ patternId: 'nope', mode: 'drop' }]), /no pattern "nope"/);
    assert.throws(
      () => filterDataset(path, output, report, [{ patternId: 'opening:great-question', mode: 'downsample', keep: 1.5 }]),
      /fraction from 0 to 1/,
    );
    const other = { ...report, records: report.records + 1 };
    assert.throws(
      () => filterDataset(path, output, other, [{ patternId: 'opening:great-question', mode: 'drop' }]),
      /audit the file again/,
    );
    const renamed = {
      ...report,
      patterns: report.patterns.map((p) => (p.id === 'opening:great-question' ? { ...p, records: [...p.records, 'r999'] } : p)),
    };
    assert.throws(
      () => filterDataset(path, output, renamed, [{ patternId: 'opening:great-question', mode: 'drop' }]),
      /"r999" of the report is not in/,
    );
    assert.equal(existsSync(output), false);
    assert.deepEqual(readdirSync(dir), ['data.jsonl']);
  });
});
