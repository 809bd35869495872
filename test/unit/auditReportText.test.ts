// What the audit report says, read as its user reads it: the Markdown summary of a hand-built report
// (bad lines beyond the first twenty, each model-pass outcome, shares under 1%, names holding table
// syntax, the empty sections), the flags buildReport sets, and the JSON written in pieces for values
// the report's types allow (optional fields left undefined, empty lists and objects).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport, reportMarkdown, type AuditPattern, type AuditReport } from '../../server/src/audit';
import { modelPassLine, tooFewToFlag } from '../../server/src/audit/report';
import { reportJson } from '../../server/src/audit/reportJson';
import { emptyUsage } from '../../server/src/llm/usage';

/** A scored pattern over `n` records, `strict` and `broad` of them matching (the first ones). */
function pattern(id: string, n: number, strict: number, broad: number, extra: Partial<AuditPattern> = {}): AuditPattern {
  const ids = (k: number) => Array.from({ length: k }, (_, i) => `${id}-${i}`);
  return {
    id,
    name: `Name of ${id}`,
    description: `What ${id} is.`,
    source: 'offline',
    prevalence: { strict: n ? strict / n : 0, broad: n ? broad / n : 0 },
    records: ids(strict),
    broadRecords: ids(broad),
    examples: ids(Math.min(strict || broad, 3)),
    flagged: false,
    perTrait: {},
    ...extra,
  };
}

const usage = (input: number, output: number) => ({ ...emptyUsage(), inputTokens: input, outputTokens: output });

describe('the report Markdown', () => {
  it('lists the first twenty bad lines and says how many more there are and where the rest are', () => {
    const bad = Array.from({ length: 25 }, (_, i) => ({ line: i + 1, reason: `reason ${i + 1}` }));
    const all = reportMarkdown(buildReport('d.jsonl', 10, bad, [], 0.25));
    assert.match(all, /^10 records read from `d\.jsonl`; 25 bad lines skipped\. /m);
    assert.match(all, /\n## Bad lines\n\n- line 1: reason 1\n/);
    assert.match(all, /- line 20: reason 20\n- … and 5 more \(all are in the JSON report\)\n/);
    assert.doesNotMatch(all, /line 21: reason 21/);
    // A streamed audit keeps only the first bad lines: the report says the JSON holds those.
    const kept = reportMarkdown(buildReport('d.jsonl', 10, bad, [], 0.25, null, 1234));
    assert.match(kept, /1,234 bad lines skipped/);
    assert.match(kept, /- … and 1,214 more \(the first 25 are in the JSON report\)\n/);
    // Exactly twenty: no "more" line; none: no section and no "skipped".
    assert.doesNotMatch(reportMarkdown(buildReport('d.jsonl', 10, bad.slice(0, 20), [], 0.25)), /more \(/);
    const clean = reportMarkdown(buildReport('d.jsonl', 1, [], [], 0.25));
    assert.match(clean, /^1 record read from `d\.jsonl`\. A pattern is flagged when 25% or more/m);
    assert.doesNotMatch(clean, /## Bad lines|skipped/);
  });

  it('says what the model pass spent, what it could not rate or scan, or why it failed', () => {
    assert.equal(modelPassLine({ modelPass: null }), 'Offline detectors only (no model pass).');
    const base = { model: 'gemini-x', usage: usage(12345, 1), cost: { usd: 0.5, unpriced: [] as string[] } };
    assert.equal(modelPassLine({ modelPass: base }), 'Model pass: gemini-x, 12,345 input tokens and 1 output token, about $0.50.');
    assert.equal(
      modelPassLine({ modelPass: { ...base, cost: { usd: 0, unpriced: ['m1', 'm2'] } } }),
      'Model pass: gemini-x, 12,345 input tokens and 1 output token, cost unknown (no price for m1, m2).',
    );
    assert.equal(
      modelPassLine({ modelPass: { ...base, unrated: 1, unscanned: 20 } }),
      'Model pass: gemini-x, 12,345 input tokens and 1 output token, about $0.50. 1 record could not be rated and 20 records could not be scanned (the model refused or answered malformed twice); its shares leave them out.',
    );
    assert.equal(
      modelPassLine({ modelPass: { ...base, unrated: 0, unscanned: 3 } }),
      'Model pass: gemini-x, 12,345 input tokens and 1 output token, about $0.50. 3 records could not be scanned (the model refused or answered malformed twice); its shares leave them out.',
    );
    assert.equal(
      modelPassLine({ modelPass: { ...base, failed: 'the scan failed.' } }),
      "The model pass (gemini-x) failed: the scan failed. The patterns below are the offline detectors' only.",
    );
    const md = reportMarkdown(buildReport('d.jsonl', 4, [], [], 0.25, base));
    assert.match(md, /\n\nModel pass: gemini-x, 12,345 input tokens/);
  });

  it('writes the flagged table, the trait-only table, every pattern and the ones found nowhere', () => {
    const n = 400;
    const patterns = [
      // Flagged overall: 30% strict, in two traits of which one is flagged.
      pattern('flag|me', n, 120, 160, {
        name: 'Has | a pipe\nand a line',
        examples: ['a`b', 'c', 'd'],
        perTrait: {
          warm: { records: 200, strict: 0.5, broad: 0.6, flagged: true },
          calm: { records: 200, strict: 0.1, broad: 0.2, flagged: false },
        },
      }),
      // Flagged within one trait only (the report sets the flag from the share: 60 of 200).
      pattern('trait-only', n, 40, 80, {
        source: 'model',
        perTrait: {
          warm: { records: 200, strict: 0.3, broad: 0.35, flagged: false },
          calm: { records: 200, strict: 0, broad: 0.1, flagged: false },
        },
      }),
      // A sliver: 2 of 400 records is 0.5%.
      pattern('rare', n, 2, 2),
      pattern('nowhere', n, 0, 0, { name: 'Never seen' }),
      pattern('nowhere-2', n, 0, 0, { name: 'Nor this' }),
    ];
    const report = buildReport('dir/data.jsonl', n, [], patterns, 0.25);
    const md = reportMarkdown(report);
    assert.match(md, /^# Dataset audit: data\.jsonl\n/);
    assert.match(
      md,
      /\n## Flagged patterns\n\n\| Pattern \| Source \| Strict \| Broad \| Traits flagged \| Examples \|\n\|---\|---\|---:\|---:\|---:\|---\|\n\| Has \\\| a pipe and a line \| offline \| 30% \(120\) \| 40% \| 1 of 2 \| `a'b`, `c`, `d` \|\n\n/,
    );
    assert.match(
      md,
      /\n## Flagged within a trait only\n\n\| Pattern \| Trait \| Trait records \| Strict \| Broad \| Overall strict \|\n\|---\|---\|---:\|---:\|---:\|---:\|\n\| Name of trait-only \| warm \| 200 \| 30% \| 35% \| 10% \|\n\n/,
    );
    assert.match(md, /\| Name of rare \| `rare` \| offline \| 0\.5% \| 0\.5% \| {2}\|/);
    assert.match(md, /\| Name of trait-only \| `trait-only` \| model \| 10% \| 20% \| {2}\|/);
    assert.match(md, /\| Has \\\| a pipe and a line \| `flag\|me` \| offline \| 30% \| 40% \| yes \|/);
    assert.match(md, /\nNot found in any record: Never seen; Nor this\.\n/);
    assert.match(
      md,
      /\n### Name of rare\n\nWhat rare is\.\n\n- `rare`, offline: strict 2 records \(0\.5%\), broad 2 \(0\.5%\)\n- examples: `rare-0`, `rare-1`\n/,
    );
    assert.match(md, /- `flag\|me`, offline: strict 120 records \(30%\), broad 160 \(40%\), \*\*flagged\*\*\n/);
    assert.doesNotMatch(md, /### Never seen/);
    assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'), 'one final newline');
  });

  it('keeps a model-written name with line breaks on one line in headings and lists', () => {
    const n = 8;
    const md = reportMarkdown(
      buildReport(
        'd.jsonl',
        n,
        [],
        [
          pattern('seen', n, 1, 1, { name: 'Opens with\npraise' }),
          pattern('few', n, 2, 2, { name: 'Asks\r\n  back' }),
          pattern('unseen', n, 0, 0, { name: 'Never\nseen' }),
        ],
        0.25,
      ),
    );
    assert.match(md, /\n### Opens with praise\n\nWhat seen is\.\n/);
    assert.match(md, /too few records to flag .*: Asks back \(25%, 2 records\)\./);
    assert.match(md, /\nNot found in any record: Never seen\.\n/);
    assert.doesNotMatch(md, /\n(?:praise|back|seen\.)/);
  });

  it('says when nothing reaches the threshold, when nothing is found, and leaves the trait column out without traits', () => {
    const none = reportMarkdown(buildReport('d.jsonl', 100, [], [pattern('a', 100, 10, 20), pattern('b', 100, 0, 0)], 0.5));
    assert.match(none, /## Flagged patterns\n\nNo pattern reaches 50% of all the records\.\n/);
    assert.doesNotMatch(none, /too few records|## Flagged within a trait only/);
    const empty = reportMarkdown(buildReport('d.jsonl', 100, [], [pattern('b', 100, 0, 0)], 0.5));
    assert.match(empty, /## All patterns\n\nNo pattern found\.\n\nNot found in any record: Name of b\.\n$/);
    assert.doesNotMatch(empty, /## Patterns/);
    const flat = reportMarkdown(buildReport('d.jsonl', 10, [], [pattern('c', 10, 5, 5)], 0.25));
    assert.match(
      flat,
      /\| Pattern \| Source \| Strict \| Broad \| Examples \|\n\|---\|---\|---:\|---:\|---\|\n\| Name of c \| offline \| 50% \(5\) \| 50% \| `c-0`, `c-1`, `c-2` \|/,
    );
  });

  it('names one or several patterns that reach the threshold on too few records', () => {
    const one = reportMarkdown(buildReport('d.jsonl', 4, [], [pattern('x', 4, 2, 2)], 0.25));
    assert.match(
      one,
      /\n1 pattern reaches 25% on too few records to flag \(fewer than 3 strict matches; [^)]+\): Name of x \(50%, 2 records\)\.\n/,
    );
    assert.match(one, /\| Name of x \| `x` \| offline \| 50% \| 50% \| no: 2 matches, needs 3 \|/);
    assert.match(
      one,
      /- `x`, offline: strict 2 records \(50%\), broad 2 \(50%\), not flagged: above 25% but fewer than 3 strict matches\n/,
    );
    const two = reportMarkdown(buildReport('d.jsonl', 4, [], [pattern('x', 4, 2, 2), pattern('y', 4, 1, 1)], 0.25));
    assert.match(
      two,
      /\n2 patterns reach 25% on too few records to flag .*: Name of x \(50%, 2 records\); Name of y \(25%, 1 record\)\.\n/,
    );
  });
});

describe('buildReport flags and tooFewToFlag', () => {
  it('refuses a threshold outside 0..1 and accepts both ends', () => {
    for (const bad of [-0.01, 1.01, Number.NaN]) assert.throws(() => buildReport('d', 1, [], [], bad), RangeError);
    assert.equal(buildReport('d', 1, [], [], 0).threshold, 0);
    assert.equal(buildReport('d', 1, [], [], 1).threshold, 1);
  });

  it('flags at the threshold exactly with three strict matches, per trait by share × records', () => {
    const at = (strict: number, n: number, threshold: number) =>
      buildReport('d', n, [], [pattern('p', n, strict, strict)], threshold).patterns[0].flagged;
    assert.equal(at(3, 12, 0.25), true);
    assert.equal(at(3, 13, 0.25), false);
    assert.equal(at(2, 4, 0.25), false, 'two matches are too few whatever the share');
    assert.equal(at(3, 3, 1), true);
    const traits = buildReport(
      'd',
      20,
      [],
      [
        pattern('p', 20, 3, 3, {
          perTrait: {
            a: { records: 12, strict: 3 / 12, broad: 3 / 12, flagged: false },
            b: { records: 8, strict: 2 / 8, broad: 2 / 8, flagged: true },
          },
        }),
      ],
      0.25,
    ).patterns[0];
    assert.equal(traits.perTrait.a.flagged, true);
    assert.equal(traits.perTrait.b.flagged, false, 'two strict matches in the trait are too few');
    assert.equal(traits.flagged, false, '3 of 20 is under 25%');
  });

  it('numbers repeated ids #2, #3 and keeps the larger bad-line count', () => {
    const r = buildReport(
      'd',
      10,
      [{ line: 1, reason: 'x' }],
      [pattern('p', 10, 0, 1), pattern('p', 10, 0, 1), pattern('p', 10, 0, 1)],
      0.25,
      undefined,
      0,
    );
    assert.deepEqual(r.patterns.map((p) => p.id).sort(), ['p', 'p#2', 'p#3']);
    assert.equal(r.badLineCount, 1, 'never fewer than the bad lines listed');
    assert.equal(r.modelPass, null);
  });

  it('says "too few" only for an unflagged pattern at or over the threshold with some but too few matches', () => {
    const report = { threshold: 0.25, minFlagMatches: 3 };
    const p = (flagged: boolean, records: number, strict: number) => ({
      flagged,
      records: Array.from({ length: records }, (_, i) => `r${i}`),
      prevalence: { strict, broad: strict },
    });
    assert.equal(tooFewToFlag(p(false, 2, 0.25), report), true);
    assert.equal(tooFewToFlag(p(false, 2, 0.2499), report), false);
    assert.equal(tooFewToFlag(p(true, 2, 0.5), report), false);
    assert.equal(tooFewToFlag(p(false, 0, 0.5), report), false);
    assert.equal(tooFewToFlag(p(false, 3, 0.5), report), false);
    assert.equal(tooFewToFlag(p(false, 3, 0.5), { threshold: 0.25, minFlagMatches: 4 }), true);
    assert.equal(tooFewToFlag(p(false, 2, 0.5), { threshold: 0.25 } as Pick<AuditReport, 'threshold' | 'minFlagMatches'>), true);
  });
});

describe('the report JSON in pieces', () => {
  const json = (value: unknown) => {
    const pieces: string[] = [];
    reportJson(value as AuditReport, (piece) => void pieces.push(piece));
    return pieces;
  };

  it('writes what JSON.stringify writes for undefined fields, empty lists and objects, dates and nulls', () => {
    const report = {
      dataset: 'd',
      badLines: [],
      perTrait: {},
      modelPass: { model: 'm', unrated: undefined, failed: undefined, cost: { usd: 0, unpriced: [] } },
      list: [1, undefined, 'x', null, { a: undefined }, [], [[]]],
      when: new Date(0),
      fn: () => 1,
      nested: { deeper: { value: 'a"b' } },
    };
    const pieces = json(report);
    assert.equal(pieces.join(''), `${JSON.stringify(report, null, 2)}\n`);
    assert.equal(pieces.length, 1, 'a small report is one piece');
  });

  it('hands out pieces of at least 64 KiB, none empty, joined to the whole', () => {
    const report = { ids: Array.from({ length: 20_000 }, (_, i) => `record-${i}`) };
    const pieces = json(report);
    assert.equal(pieces.join(''), `${JSON.stringify(report, null, 2)}\n`);
    assert.ok(pieces.length >= 4, `${pieces.length} pieces`);
    for (const piece of pieces.slice(0, -1)) assert.ok(piece.length >= 1 << 16 && piece.length < (1 << 16) + 100, `${piece.length}`);
    assert.ok(pieces.at(-1)!.length > 0);
  });
});
