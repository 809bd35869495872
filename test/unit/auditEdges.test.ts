// The audit's edges a data engineer runs into: filter choices repeated or left at their defaults,
// the log's header, seeds and modes that make no sense; the auditor's options at their bounds and
// its two passes given out of step; the discovered phrases' default support on a larger dataset.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildReport,
  FilterError,
  filterDataset,
  offlineAudit,
  OfflineAuditor,
  readDataset,
  type AuditRecord,
  type FilterChoice,
} from '../../server/src/audit';
import { fixedDetector, type Detection } from '../../server/src/audit/detectors/detector';
import { NO_TRAIT, TraitIndex, TraitIndexBuilder } from '../../server/src/audit/score';
import { ResponseView } from '../../server/src/audit/text';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-audit-edges-'));
  dirs.push(dir);
  return dir;
}

const record = (i: number, response: string, traitId: string | null = null): AuditRecord => ({
  id: `r${i}`,
  line: i + 1,
  traitId,
  prompt: 'q',
  response,
});

/** 40 records; every one of the first 20 ends with a question. */
function dataset(dir: string) {
  const path = join(dir, 'data.jsonl');
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({
      id: `r${i}`,
      response: i < 20 ? `Answer number ${i} is here. Does that work for you?` : `Answer number ${i} is here. Done.`,
    }),
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
  const { records, badLines } = readDataset(path);
  return { path, report: buildReport(path, records, badLines, offlineAudit(records), 0.25) };
}

describe('filterDataset choices', () => {
  const output = (dir: string) => join(dir, 'out.jsonl');
  const ids = (path: string) => readDataset(path).records.map((r) => r.id);

  it('logs a record left out by the same pattern chosen twice once, with the pattern once, after a header saying what ran', () => {
    const dir = tempDir();
    const { path, report } = dataset(dir);
    const choices: FilterChoice[] = [
      { patternId: 'closing-question', mode: 'drop' },
      { patternId: 'closing-question', mode: 'drop' },
    ];
    const result = filterDataset(path, output(dir), report, choices, 7);
    assert.equal(result.written, 20);
    assert.equal(result.dropped.length, 20);
    assert.deepEqual(result.dropped[0], { id: 'r0', line: 1, patterns: ['closing-question'] });
    const log = readFileSync(result.log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(log[0], {
      filter: { input: path, output: output(dir), report: path, seed: 7, choices, written: 20, dropped: 20 },
    });
    assert.deepEqual(log.slice(1), result.dropped);
    assert.equal(result.log, join(dir, 'out.log.jsonl'));
  });

  it('keeps half the matches by default, all at keep 1 and none at keep 0', () => {
    const dir = tempDir();
    const { path, report } = dataset(dir);
    const kept = (keep?: number) => {
      const r = filterDataset(path, output(dir), report, [
        { patternId: 'closing-question', mode: 'downsample', ...(keep === undefined ? {} : { keep }) },
      ]);
      return { written: r.written, matchesKept: ids(output(dir)).filter((id) => Number(id.slice(1)) < 20).length };
    };
    assert.deepEqual(kept(), { written: 30, matchesKept: 10 });
    assert.deepEqual(kept(1), { written: 40, matchesKept: 20 });
    assert.deepEqual(kept(0), { written: 20, matchesKept: 0 });
    assert.deepEqual(kept(0.26), { written: 25, matchesKept: 5 }, 'round(0.26 × 20) = 5 kept');
  });

  it('refuses a seed that is not a whole number, a negative keep and an unknown mode, writing nothing', () => {
    const dir = tempDir();
    const { path, report } = dataset(dir);
    const drop: FilterChoice[] = [{ patternId: 'closing-question', mode: 'drop' }];
    assert.throws(() => filterDataset(path, output(dir), report, drop, 0.5), /seed must be a whole number, not 0\.5/);
    assert.throws(
      () => filterDataset(path, output(dir), report, [{ patternId: 'closing-question', mode: 'downsample', keep: -0.1 }]),
      (e: Error) => e instanceof FilterError && /keep for "closing-question" must be a fraction from 0 to 1, not -0\.1/.test(e.message),
    );
    assert.throws(
      () => filterDataset(path, output(dir), report, [{ patternId: 'closing-question', mode: 'remove' as 'drop' }]),
      (e: Error) => e instanceof FilterError && /mode for "closing-question" must be "drop" or "downsample", not "remove"/.test(e.message),
    );
    assert.throws(
      () => filterDataset(path, output(dir), report, [{ patternId: 'nope', mode: 'drop' }]),
      /its patterns: ([\w:-]+, )+[\w:-]+\)$/,
    );
    assert.throws(() => readFileSync(output(dir)), /ENOENT/);
  });
});

describe('OfflineAuditor options and passes', () => {
  const plain = Array.from({ length: 6 }, (_, i) => record(i, `Plain answer ${i}. Does it help?`));

  it('accepts thresholds 0 and 1 and minSupport 1; refuses a negative threshold and a minSupport under 1', () => {
    const zero = offlineAudit(plain, { threshold: 0 });
    assert.ok(zero.find((p) => p.id === 'closing-question')!.flagged, 'at threshold 0 six matches flag');
    assert.equal(offlineAudit(plain, { threshold: 1 }).find((p) => p.id === 'closing-question')!.flagged, true);
    assert.throws(() => offlineAudit(plain, { threshold: -0.1 }), /threshold must be from 0 to 1, not -0\.1/);
    assert.throws(() => offlineAudit(plain, { minSupport: 0.5 }), /minSupport must be at least 1, not 0\.5/);
    assert.throws(() => offlineAudit(plain, { minSupport: Number.NaN }), RangeError);
    assert.ok(offlineAudit(plain, { minSupport: 1 }).some((p) => p.id.startsWith('opening:plain-answer')));
  });

  it('refuses a record after the first pass and a second pass that differs from the first', () => {
    const records = Array.from({ length: 8 }, (_, i) => record(i, `Picture this, friend: item ${i}. Done.`));
    const auditor = new OfflineAuditor();
    for (const r of records) auditor.add(r);
    assert.equal(auditor.records, 8);
    assert.equal(auditor.needsSecondPass(), true, 'a discovered phrase needs its broad matches');
    assert.throws(() => auditor.add(records[0]), /add after the first pass ended/);
    assert.throws(() => auditor.patterns(), /the second pass saw 0 of 8 records/);
    auditor.addAgain(records[0]);
    assert.throws(() => auditor.addAgain(records[2]), /changed between the audit's two passes \(record 2\)/);

    const long = new OfflineAuditor();
    for (const r of records) long.add(r);
    long.needsSecondPass();
    for (const r of records) long.addAgain(r);
    assert.throws(() => long.addAgain(records[0]), /record 9/);
  });

  it('finds a phrase with the default support: 2% of a large dataset, and 5 records at least', () => {
    // 610 records: the default support is ⌈12.2⌉ = 13; a phrase opening 13 is found, one opening 12 is not.
    const texts = (phrase: string, k: number) => Array.from({ length: k }, (_, i) => `${phrase}, number ${i}. Fine.`);
    const responses = [...texts('Thirteen times over', 13), ...texts('Twelve times over', 12)];
    while (responses.length < 610) responses.push('Fine.');
    const found = offlineAudit(responses.map((r, i) => record(i, r))).map((p) => p.id);
    assert.ok(found.includes('opening:thirteen-times-over-number'));
    assert.ok(!found.some((id) => id.startsWith('opening:twelve')));
    // A trait of 100 records among them: its own support is 5, so its 5-record phrase is found.
    const withTrait = responses.map((r, i) =>
      record(i, i >= 500 ? (i < 505 ? `Within the trait ${i}. Fine.` : r) : r, i >= 500 ? 'small' : null),
    );
    const traitFound = offlineAudit(withTrait).map((p) => p.id);
    assert.ok(traitFound.includes('opening:within-the-trait'), traitFound.filter((id) => id.startsWith('opening')).join(', '));
    const four = responses.map((r, i) =>
      record(i, i >= 500 ? (i < 504 ? `Within the trait ${i}. Fine.` : r) : r, i >= 500 ? 'small' : null),
    );
    assert.ok(!offlineAudit(four).some((p) => p.id === 'opening:within-the-trait'));
  });
});

describe('the length patterns as the report names and describes them', () => {
  const cluster = (counts: number[]) =>
    offlineAudit(counts.map((c, i) => record(i, 'w '.repeat(c)))).find((p) => p.id === 'length-cluster')!;

  it('names the densest window and gives its broad widening and the dataset’s percentiles', () => {
    const counts = [3, 10, 10, 11, 12, 14, 20, 21, 30, 40, 44, 47, 50, 60, 70, 80, 90, 100, 130, 400];
    const p = cluster(counts);
    assert.equal(p.name, 'Length 10–14 words');
    assert.equal(
      p.description,
      'Responses of nearly the same length: 10–14 words is the narrowest window (about ±10%) holding the most responses (strict); broad widens it to 4–20 words. ' +
        'Word counts in the dataset: 10th percentile 10, median 44, 90th percentile 130, longest 400.',
    );
    assert.deepEqual(
      [p.records, p.broadRecords],
      [
        ['r1', 'r2', 'r3', 'r4', 'r5'],
        ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'],
      ],
    );
  });

  it('keeps the densest window even when a smaller one came first', () => {
    assert.equal(cluster([1, 10, 10, 10, 50, 50, 50, 50]).name, 'Length 50–50 words');
    assert.equal(cluster([10, 10, 10, 50, 50, 50, 50]).name, 'Length 50–50 words');
  });

  it('never says a negative word count, and rounds a fractional widening inwards', () => {
    assert.match(cluster([1, 2, 3, 5, 5, 30]).description, /1–5 words is the narrowest .* broad widens it to 0–11 words\./);
    assert.match(
      cluster([50, 55, 60, 61, 72, 73, 37, 38]).description,
      /broad widens it to 38–72 words\. .*10th percentile 37, median 60, 90th percentile 73, longest 73\./,
    );
  });

  it('says there are no records rather than naming a window', () => {
    const p = offlineAudit([]).find((x) => x.id === 'length-cluster')!;
    assert.deepEqual([p.name, p.description], ['Responses of one length', 'Responses of nearly the same length (no records).']);
    const long = offlineAudit([]).find((x) => x.id === 'long-response')!;
    assert.deepEqual(
      [long.name, long.description],
      ['Long responses', 'Long responses. Strict: 400 words or more. Broad: 250 words or more.'],
    );
  });
});

describe('the trait index and a fixed detector, as their contracts say', () => {
  it('builds an index mid-stream without changing the one built later: records without a trait stay in their group', () => {
    const builder = new TraitIndexBuilder();
    builder.add(null);
    const before = builder.build();
    assert.deepEqual([before.keys, [...before.of], before.sizes], [[], [-1], []], 'no trait named yet: no groups, -1 everywhere');
    builder.add('a');
    const after = builder.build();
    assert.deepEqual(
      [after.keys, [...after.of], after.sizes],
      [
        [NO_TRAIT, 'a'],
        [0, 1],
        [1, 1],
      ],
    );
    assert.deepEqual([...TraitIndex.of([record(0, 'x'), record(1, 'y')]).of], [-1, -1]);
  });

  it('reports only indices of the records it saw', () => {
    const detector = fixedDetector({ id: 'd', name: 'D', description: 'D.' }, (view) =>
      view.text === 's' ? 'strict' : view.text === 'b' ? 'broad' : null,
    );
    const pass = detector.begin();
    ['s', 'x', 'b', 's'].forEach((text, i) => pass.add(new ResponseView(text), i));
    const [found] = pass.end({ records: 4, minSupport: 5, traitMinSupport: [], traitOf: new Int32Array(4) }) as Detection[];
    assert.deepEqual(
      [found.strict, found.broad],
      [
        [0, 3],
        [0, 2, 3],
      ],
    );
  });
});
