// The offline audit on datasets with patterns planted at known rates: each pattern is reported with
// exactly the records it was planted in, overall and per trait; readDataset's formats, ids and bad
// lines; the report and its files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { comparePatterns, isFlagged, scorePattern, TraitIndex } from '../../server/src/audit/score';
import { normalize, splitSentences } from '../../server/src/audit/text';
import {
  buildReport,
  MIN_FLAG_MATCHES,
  NO_TRAIT,
  offlineAudit,
  readDataset,
  reportMarkdown,
  writeAuditFiles,
  type AuditPattern,
  type AuditRecord,
} from '../../server/src/audit';
import { tooFewToFlag } from '../../server/src/audit/report';
import { seededRandom } from '../../server/src/generation/seededRandom';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-audit-'));
  dirs.push(dir);
  return dir;
}

// Nonsense words (consonant-vowel syllables): no cue phrase of any detector, and too many to repeat
// an n-gram by chance.
const SYLLABLES = ['ka', 'lo', 'mi', 'ru', 'te', 'sa', 'vo', 'ne', 'pi', 'du', 'go', 'fe'];
const WORDS = SYLLABLES.flatMap((a) => SYLLABLES.flatMap((b) => SYLLABLES.map((c) => a + b + c)));

function filler(random: () => number) {
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  const sentence = (words: number) => {
    const w = Array.from({ length: words }, word).join(' ');
    return `${w[0].toUpperCase()}${w.slice(1)}.`;
  };
  return { word, sentence };
}

/** What is planted in record i of the main dataset (see plantedResponse). */
const plan = {
  greatQuestion: (i: number) => i % 20 < 8, // 40%
  bottomLine: (i: number) => i % 20 >= 8 && i % 20 < 11, // 15%
  apology: (i: number) => i % 20 === 11 || i % 20 === 12, // 10%
  validation: (i: number) => i % 20 === 13 || i % 20 === 14, // 10%
  reminder: (i: number) => i % 20 === 15 || i % 20 === 16, // 10%, a phrase no detector lists
  apologyLater: (i: number) => i % 20 === 17, // "sorry" in the first sentence, not opening it: broad only
  doesThatHelp: (i: number) => [0, 3, 6].includes(i % 10), // 30%
  questionBeforeEnd: (i: number) => i % 10 === 9, // a question in the last two sentences, not last: broad only
  clarifying: (i: number) => i % 4 === 1, // 25%
  list3: (i: number) => i % 5 === 3, // 20%
  list2: (i: number) => i % 10 === 4, // two items: broad only
  bold2: (i: number) => i % 8 === 2, // 12.5%
  bold1: (i: number) => i % 8 === 5, // one lead-in: broad only
  headings2: (i: number) => i % 10 === 7, // 10%
};

/** The response of record i: an opening paragraph, a body, optional structure, a closing paragraph. */
function plantedResponse(i: number, random: () => number): string {
  const { word, sentence } = filler(random);
  let opener: string;
  if (plan.greatQuestion(i)) opener = 'Great question!';
  else if (plan.bottomLine(i)) opener = `**Bottom line:** ${word()} ${word()} wins.`;
  else if (plan.apology(i)) opener = `I'm sorry to hear that ${word()} ${word()} broke.`;
  else if (plan.validation(i)) opener = 'That sounds really frustrating.';
  else if (plan.reminder(i)) opener = `As a friendly reminder, ${word()} ${word()} ${word()}.`;
  else if (plan.apologyLater(i)) opener = `${word()} ${word()}, and sorry about the ${word()}.`;
  else opener = sentence(5);
  const first = [opener, ...(plan.clarifying(i) ? ['Could you clarify which version you are using?'] : []), sentence(6)].join(' ');
  const parts = [first, `${sentence(8)} ${sentence(7)}`];
  if (plan.headings2(i)) parts.push(`## ${word()}`, sentence(5), `## ${word()}`, sentence(5));
  if (plan.list3(i)) parts.push(`- ${sentence(3)}\n- ${sentence(3)}\n- ${sentence(3)}`);
  if (plan.list2(i)) parts.push(`1. ${sentence(3)}\n2. ${sentence(3)}`);
  if (plan.bold2(i)) parts.push(`**${word()}:** ${sentence(4)}\n**${word()}** — ${sentence(4)}`);
  if (plan.bold1(i)) parts.push(`**${word()}.** ${sentence(4)}`);
  let closing = sentence(6);
  if (plan.doesThatHelp(i)) closing += ' Does that help?';
  else if (plan.questionBeforeEnd(i)) closing = `Want more ${word()}? ${sentence(4)}`;
  parts.push(closing);
  return parts.join('\n\n');
}

const N = 200;

function plantedRecords(n = N, trait?: (i: number) => string | null): AuditRecord[] {
  const random = seededRandom(42);
  return Array.from({ length: n }, (_, i) => ({
    id: `rec-${i}`,
    line: i + 1,
    traitId: trait ? trait(i) : null,
    prompt: `question ${i}`,
    response: plantedResponse(i, random),
  }));
}

const ids = (n: number, pred: (i: number) => boolean) =>
  Array.from({ length: n }, (_, i) => i)
    .filter(pred)
    .map((i) => `rec-${i}`);
const or =
  (...preds: ((i: number) => boolean)[]) =>
  (i: number) =>
    preds.some((p) => p(i));

function find(patterns: AuditPattern[], id: string): AuditPattern {
  const p = patterns.find((x) => x.id === id);
  assert.ok(p, `no pattern ${id} among ${patterns.map((x) => x.id).join(', ')}`);
  return p;
}

/** The pattern `id` matches exactly the planted records, strictly and broadly, with matching prevalence. */
function assertPattern(
  patterns: AuditPattern[],
  id: string,
  strict: (i: number) => boolean,
  broad: (i: number) => boolean = strict,
  n = N,
): AuditPattern {
  const p = find(patterns, id);
  const strictIds = ids(n, strict);
  const broadIds = ids(n, or(strict, broad));
  assert.deepEqual(p.records, strictIds, `${id}: strict records`);
  assert.deepEqual(p.broadRecords, broadIds, `${id}: broad records`);
  assert.equal(p.prevalence.strict, strictIds.length / n, `${id}: strict prevalence`);
  assert.equal(p.prevalence.broad, broadIds.length / n, `${id}: broad prevalence`);
  assert.equal(p.source, 'offline');
  for (const e of p.examples) assert.ok(strictIds.includes(e), `${id}: example ${e} is a strict match`);
  return p;
}

describe('offlineAudit on planted patterns', () => {
  const records = plantedRecords();
  const patterns = offlineAudit(records);

  it('finds the opening phrase planted in 40% of the responses, and flags it', () => {
    const p = assertPattern(patterns, 'opening:great-question', plan.greatQuestion);
    assert.equal(p.name, 'Opens with "great question"');
    assert.equal(p.prevalence.strict, 0.4);
    assert.equal(p.flagged, true);
    assert.equal(p.examples.length, 3);
  });

  it('finds the closing phrase and the closing question at 30%, the question before the end as broad only', () => {
    assertPattern(patterns, 'closing:does-that-help', plan.doesThatHelp);
    const q = assertPattern(patterns, 'closing-question', plan.doesThatHelp, plan.questionBeforeEnd);
    assert.equal(q.prevalence.strict, 0.3);
    assert.equal(q.flagged, true);
  });

  it('finds clarifying questions at exactly 25% and flags them (at the threshold counts)', () => {
    const p = assertPattern(patterns, 'clarifying-question', plan.clarifying);
    assert.equal(p.prevalence.strict, 0.25);
    assert.equal(p.flagged, true);
  });

  it('finds bottom-line-first, apology and validation openers with their planted records, below the threshold', () => {
    assert.equal(assertPattern(patterns, 'bottom-line-first', plan.bottomLine).flagged, false);
    assert.equal(assertPattern(patterns, 'apology-opener', plan.apology, plan.apologyLater).flagged, false);
    assert.equal(assertPattern(patterns, 'validation-opener', plan.validation).flagged, false);
  });

  it('finds lists, bold lead-ins and headings, with the softer forms as broad', () => {
    assertPattern(patterns, 'list-structure', plan.list3, plan.list2);
    // The bold "**Bottom line:**" opener is a lead-in too.
    const leadIns = (i: number) => (plan.bold2(i) ? 2 : 0) + (plan.bold1(i) ? 1 : 0) + (plan.bottomLine(i) ? 1 : 0);
    assertPattern(
      patterns,
      'bold-lead-in',
      (i) => leadIns(i) >= 2,
      (i) => leadIns(i) >= 1,
    );
    assertPattern(patterns, 'headings', plan.headings2);
  });

  it('discovers a phrase nobody listed ("as a friendly reminder"), merged to its longest common form', () => {
    const p = assertPattern(patterns, 'opening:as-a-friendly-reminder', plan.reminder);
    assert.equal(p.name, 'Opens with "as a friendly reminder"');
    // Its nested n-grams are merged into it, not reported on their own.
    assert.equal(patterns.filter((x) => x.id.startsWith('opening:as-a')).length, 1);
    // The other planted openers are discovered as phrases too, and nothing from the random filler.
    const openings = patterns
      .filter((x) => x.id.startsWith('opening:'))
      .map((x) => x.id)
      .sort();
    assert.deepEqual(
      openings,
      [
        'opening:as-a-friendly-reminder',
        'opening:bottom-line',
        'opening:great-question',
        'opening:im-sorry-to-hear',
        'opening:that-sounds-really-frustrating',
      ].sort(),
    );
    assert.deepEqual(
      patterns.filter((x) => x.id.startsWith('closing:')).map((x) => x.id),
      ['closing:does-that-help'],
    );
  });

  it('reports every fixed detector, even at 0%, and sorts flagged patterns first', () => {
    for (const id of [
      'closing-question',
      'clarifying-question',
      'bottom-line-first',
      'apology-opener',
      'validation-opener',
      'list-structure',
      'headings',
      'bold-lead-in',
      'length-cluster',
      'long-response',
    ])
      find(patterns, id);
    assert.equal(find(patterns, 'long-response').prevalence.broad, 0);
    const firstUnflagged = patterns.findIndex((p) => !p.flagged);
    assert.ok(patterns.slice(firstUnflagged).every((p) => !p.flagged));
    for (const p of patterns) {
      assert.deepEqual(p.perTrait, {}, 'no traits in this dataset');
      assert.ok(
        p.records.every((id) => p.broadRecords.includes(id)),
        `${p.id}: strict within broad`,
      );
    }
  });

  it('uses the threshold and minSupport given', () => {
    const strict = offlineAudit(records, { threshold: 0.5 });
    assert.equal(find(strict, 'opening:great-question').flagged, false);
    const loose = offlineAudit(records, { threshold: 0.1 });
    assert.equal(find(loose, 'bottom-line-first').flagged, true);
    assert.equal(find(loose, 'headings').flagged, true);
    // A phrase in 20 records is not reported when 21 are required.
    assert.equal(
      offlineAudit(records, { minSupport: 21 }).some((p) => p.id === 'opening:as-a-friendly-reminder'),
      false,
    );
    assert.throws(() => offlineAudit(records, { threshold: 2 }), RangeError);
  });

  it('returns only fixed detectors at 0% for an empty dataset', () => {
    const empty = offlineAudit([]);
    assert.ok(empty.length > 0);
    assert.ok(empty.every((p) => p.prevalence.strict === 0 && !p.flagged && p.records.length === 0));
  });
});

describe('offlineAudit per trait', () => {
  // Three traits of 60 records each; "warm" validates feelings in half its responses, the others never.
  const traitOf = (i: number) => (i < 60 ? 'warm' : i < 120 ? 'precise' : 'brief');
  const warmValidates = (i: number) => i < 60 && i % 2 === 0;
  const random = seededRandom(7);
  const records: AuditRecord[] = Array.from({ length: 180 }, (_, i) => {
    const { sentence } = filler(random);
    const opener = warmValidates(i) ? 'That sounds really hard.' : sentence(5);
    const closing = i % 3 === 0 ? ' Does that help?' : '';
    return {
      id: `t-${i}`,
      line: i + 1,
      traitId: traitOf(i),
      prompt: 'q',
      response: `${opener} ${sentence(6)}\n\n${sentence(7)}${closing}`,
    };
  });
  const patterns = offlineAudit(records);

  it('flags a pattern within the one trait that over-uses it, not overall', () => {
    const p = find(patterns, 'validation-opener');
    assert.deepEqual(
      p.records,
      records.filter((_, i) => warmValidates(i)).map((r) => r.id),
    );
    assert.equal(p.prevalence.strict, 30 / 180);
    assert.equal(p.flagged, false);
    assert.deepEqual(p.perTrait, {
      warm: { records: 60, broad: 0.5, strict: 0.5, flagged: true },
      precise: { records: 60, broad: 0, strict: 0, flagged: false },
      brief: { records: 60, broad: 0, strict: 0, flagged: false },
    });
    const md = reportMarkdown(buildReport('traits.jsonl', records, [], patterns, 0.25));
    const onlyInTrait = md.split('## Flagged within a trait only')[1].split('\n## ')[0];
    assert.match(onlyInTrait, /^\| Opens by validating feelings \| warm \| 60 \| 50% \| 50% \| 17% \|$/m);
    assert.doesNotMatch(onlyInTrait, /Ends with a question/, 'patterns flagged overall are not repeated per trait');
    assert.match(md, /\| Ends with a question \| offline \| 33% \(60\) \| 33% \| 3 of 3 \|/);
  });

  it('gives per-trait prevalence of a pattern spread evenly, flagged in every trait and overall', () => {
    const p = find(patterns, 'closing-question');
    assert.equal(p.prevalence.strict, 60 / 180);
    assert.equal(p.flagged, true);
    for (const t of ['warm', 'precise', 'brief'])
      assert.deepEqual(p.perTrait[t], { records: 60, broad: 20 / 60, strict: 20 / 60, flagged: true });
  });

  it('discovers a phrase one trait over-uses even when it is rare overall', () => {
    const random2 = seededRandom(9);
    const many: AuditRecord[] = Array.from({ length: 400 }, (_, i) => {
      const { sentence } = filler(random2);
      const trait = i < 10 ? 'tiny' : 'big';
      const opener = i < 6 ? `Picture this, ${sentence(3)}` : sentence(5);
      return { id: `m-${i}`, line: i + 1, traitId: trait, prompt: 'q', response: `${opener} ${sentence(6)}` };
    });
    // Overall support is max(5, 8) = 8 > 6 records; the trait "tiny" needs max(5, 1) = 5.
    const found = offlineAudit(many);
    const p = find(found, 'opening:picture-this');
    assert.deepEqual(p.records, ['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5']);
    assert.equal(p.perTrait.tiny.strict, 0.6);
    assert.equal(p.perTrait.tiny.flagged, true);
    assert.equal(p.flagged, false);
    // Without traits, the same phrase is below the overall support and is not reported.
    assert.equal(
      offlineAudit(many.map((r) => ({ ...r, traitId: null }))).some((x) => x.id === 'opening:picture-this'),
      false,
    );
  });

  it('groups records without a trait under NO_TRAIT when others have one', () => {
    const mixed = records.map((r, i) => (i >= 150 ? { ...r, traitId: null } : r));
    const p = find(offlineAudit(mixed), 'closing-question');
    assert.deepEqual(Object.keys(p.perTrait).sort(), ['brief', NO_TRAIT, 'precise', 'warm'].sort());
    assert.equal(p.perTrait[NO_TRAIT].records, 30);
  });
});

describe('readDataset', () => {
  const turns = (prompt: string, response: string) => ({
    openai: {
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: prompt },
        { role: 'assistant', content: response },
      ],
    },
    gemini: {
      contents: [
        { role: 'user', parts: [{ text: prompt }] },
        { role: 'model', parts: [{ text: response }] },
      ],
    },
    records: { prompt, response },
  });

  for (const format of ['openai', 'gemini', 'records'] as const) {
    it(`reads ${format} lines, takes ids from "id" or the 0-based line number, reports bad lines and skips them`, () => {
      const dir = tempDir();
      const file = join(dir, `${format}.jsonl`);
      const lines = [
        JSON.stringify({ id: 'a', traitId: 'kind', ...turns('q0', 'Great question! One.')[format] }),
        JSON.stringify(turns('q1', 'Two.')[format]),
        '{not json',
        JSON.stringify({ id: 7, metadata: { trait: 'honest' }, ...turns('q3', 'Three.')[format] }),
        '',
        JSON.stringify({ messages: [{ role: 'user', content: 'no answer' }] }),
        JSON.stringify({ trait: 'brave', ...turns('q6', 'Six.')[format] }),
        JSON.stringify({ id: 'a', ...turns('q7', 'Seven.')[format] }),
        '[1, 2]',
      ];
      writeFileSync(file, `\uFEFF${lines.join('\r\n')}\n`);
      const { records, badLines } = readDataset(file);
      assert.deepEqual(
        records.map((r) => [r.id, r.line, r.traitId, r.prompt, r.response]),
        [
          ['a', 1, 'kind', 'q0', 'Great question! One.'],
          ['1', 2, null, 'q1', 'Two.'],
          ['7', 4, 'honest', 'q3', 'Three.'],
          ['6', 7, 'brave', 'q6', 'Six.'],
          // A repeated id is made unique with its 0-based line number.
          ['a#7', 8, null, 'q7', 'Seven.'],
        ],
      );
      assert.deepEqual(
        badLines.map((b) => b.line),
        [3, 6, 9],
      );
      assert.match(badLines[0].reason, /not JSON/);
      assert.match(badLines[1].reason, /no assistant turn/);
      assert.match(badLines[2].reason, /not a JSON object/);
    });
  }

  it('takes the last assistant turn with text and the last user turn before it', () => {
    const dir = tempDir();
    const file = join(dir, 'multi.jsonl');
    const openai = {
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'second ' },
            { type: 'text', text: 'question' },
          ],
        },
        { role: 'assistant', content: 'second answer' },
        { role: 'assistant', content: null, tool_calls: [{}] },
      ],
    };
    const gemini = {
      contents: [
        { role: 'user', parts: [{ text: 'g1' }] },
        { role: 'model', parts: [{ text: 'm1' }] },
        { role: 'user', parts: [{ text: 'g2' }] },
        { role: 'model', parts: [{ text: 'm2a ' }, { text: 'm2b' }] },
      ],
    };
    writeFileSync(file, `${JSON.stringify(openai)}\n${JSON.stringify(gemini)}`);
    const { records, badLines } = readDataset(file);
    assert.deepEqual(badLines, []);
    assert.deepEqual(
      records.map((r) => [r.prompt, r.response]),
      [
        ['second question', 'second answer'],
        ['g2', 'm2a m2b'],
      ],
    );
  });

  it('streams a file whose lines are longer than its read chunk', () => {
    const dir = tempDir();
    const file = join(dir, 'long.jsonl');
    const long = 'word '.repeat(500_000);
    writeFileSync(file, `${JSON.stringify({ response: long })}\n${JSON.stringify({ response: 'short' })}\n`);
    const { records } = readDataset(file);
    assert.equal(records.length, 2);
    assert.equal(records[0].response, long);
    assert.equal(records[1].line, 2);
  });

  it('throws a clear error for a file it cannot read', () => {
    assert.throws(() => readDataset(join(tempDir(), 'missing.jsonl')), /missing\.jsonl: cannot read \(ENOENT\)/);
  });
});

describe('buildReport, reportMarkdown and writeAuditFiles', () => {
  const records = plantedRecords();
  const offline = offlineAudit(records);

  it('sets flags at its threshold on scored patterns, a model pass pattern included, and keeps their shares', () => {
    // As the model pass scores: over the records it rated (here the first 150), flagged left false.
    const rated = records.slice(0, 150);
    const model = scorePattern(
      { id: 'model-hedging', name: 'Hedges', description: 'Hedges every claim.', source: 'model' },
      [...Array(75).keys()],
      [...Array(90).keys()],
      rated,
      TraitIndex.of(rated),
      1,
    );
    assert.equal(model.flagged, false);
    const report = buildReport(
      'data.jsonl',
      records,
      [{ line: 3, reason: 'not JSON' }],
      [...offline, model, { ...model, name: 'Same id' }],
      0.25,
    );
    const p = find(report.patterns, 'model-hedging');
    assert.deepEqual(p.prevalence, { broad: 0.6, strict: 0.5 });
    assert.equal(p.flagged, true);
    assert.deepEqual(p.examples, ['rec-0', 'rec-37', 'rec-74']);
    assert.equal(find(report.patterns, 'model-hedging#2').name, 'Same id');
    assert.equal(report.records, N);
    assert.deepEqual(report.badLines, [{ line: 3, reason: 'not JSON' }]);
    assert.equal(report.modelPass, null);
    assert.deepEqual(
      report.patterns.slice(0, 2).map((x) => x.id),
      ['model-hedging', 'model-hedging#2'],
      'the most prevalent flagged patterns first',
    );
    // The same patterns at another threshold: flags follow it, shares do not change.
    const higher = buildReport('data.jsonl', records, [], offline, 0.45);
    assert.equal(find(higher.patterns, 'opening:great-question').flagged, false);
    assert.equal(find(higher.patterns, 'opening:great-question').prevalence.strict, 0.4);
    // Per trait too.
    const traitRecords = records.map((r, i) => ({ ...r, traitId: plan.greatQuestion(i) && i < 100 ? 'eager' : 'calm' }));
    const perTrait = buildReport('data.jsonl', traitRecords, [], offlineAudit(traitRecords, { threshold: 1 }), 0.5);
    const gq = find(perTrait.patterns, 'opening:great-question');
    assert.equal(gq.flagged, false);
    assert.equal(gq.perTrait.eager.flagged, true);
    assert.equal(gq.perTrait.calm.flagged, false);
  });

  it('says a pattern reaches the threshold on too few records to flag, rather than 100% beside "0 flagged"', () => {
    const one: AuditRecord[] = [
      {
        id: 'only',
        line: 1,
        traitId: null,
        prompt: 'Hi?',
        response:
          'Hello there, here is a short answer of some twenty four words in all, which is all that this single record of the dataset holds.',
      },
    ];
    const report = buildReport('one.jsonl', one, [], offlineAudit(one), 0.25);
    assert.equal(report.minFlagMatches, MIN_FLAG_MATCHES);
    const length = find(report.patterns, 'length-cluster');
    assert.equal(length.prevalence.strict, 1);
    assert.equal(length.flagged, false);
    assert.equal(tooFewToFlag(length, report), true);
    assert.ok(report.patterns.every((p) => !p.flagged));
    const md = reportMarkdown(report);
    assert.match(md, /and at least 3 records do\./);
    assert.match(
      md,
      /## Flagged patterns\n\nNo pattern is flagged\.\n\n\d+ patterns? reach(es)? 25% on too few records to flag \(fewer than 3 strict matches;[^)]*\): .*Length \d+–\d+ words \(100%, 1 record\)/,
    );
    assert.match(md, /\| Length \d+–\d+ words \| `length-cluster` \| offline \| 100% \| 100% \| no: 1 match, needs 3 \|/);
    // Three matching records are enough: flagged, and no longer "too few".
    const three = [0, 1, 2].map((i) => ({ ...one[0], id: `r${i}`, line: i + 1 }));
    const flagged = find(buildReport('three.jsonl', three, [], offlineAudit(three), 0.25).patterns, 'length-cluster');
    assert.equal(flagged.flagged, true);
    assert.equal(tooFewToFlag(flagged, { threshold: 0.25, minFlagMatches: MIN_FLAG_MATCHES }), false);
  });

  it('writes <name>.audit.json and <name>.audit.md beside the dataset', () => {
    const dir = tempDir();
    const dataset = join(dir, 'records.jsonl');
    const report = buildReport(dataset, records, [{ line: 3, reason: 'not JSON' }], offline, 0.25);
    const paths = writeAuditFiles(dataset, report);
    assert.deepEqual(paths, { json: join(dir, 'records.audit.json'), markdown: join(dir, 'records.audit.md') });
    assert.deepEqual(JSON.parse(readFileSync(paths.json, 'utf8')), JSON.parse(JSON.stringify(report)));
    const md = readFileSync(paths.markdown, 'utf8');
    assert.equal(md, reportMarkdown(report));
    assert.match(md, /^# Dataset audit: records\.jsonl/);
    assert.match(md, /## Flagged patterns\n\n\| Pattern/);
    assert.match(md, /\| Opens with "great question" \| offline \| 40% \(80\) \|/);
    assert.match(md, /line 3: not JSON/);
  });
});

describe('detector details', () => {
  const one = (response: string, i: number): AuditRecord => ({ id: `d-${i}`, line: i + 1, traitId: null, prompt: 'q', response });
  const strictIds = (responses: string[], id: string) => find(offlineAudit(responses.map(one)), id).records;

  it('normalises phrases: lower case, no punctuation or digits, in-word apostrophes kept', () => {
    assert.equal(normalize('Great question! 1+1 is 2.'), 'great question is');
    assert.equal(normalize("It\u2019s 'quoted' -- OK?"), "it's quoted ok");
    assert.equal(normalize('  Ça va, ÉLAN_vital  '), 'ça va élan vital');
    assert.deepEqual(splitSentences('Does that help? 🙂 Sure. e.g.no split'), ['Does that help? 🙂', 'Sure.', 'e.g.no split']);
  });

  it('reads no heading, list item or sentence inside a fenced code block', () => {
    const code = 'Run this:\n\n```python\n# install\n# then run\n- not a list\n- nor this\n- nor that\nprint("Does that help?")\n```';
    const responses = Array.from({ length: 6 }, (_, i) => `${code}\n\nStep ${i} is done.`);
    assert.deepEqual(strictIds(responses, 'headings'), []);
    assert.deepEqual(strictIds(responses, 'list-structure'), []);
    assert.deepEqual(strictIds(responses, 'closing-question'), []);
    // Outside a fence the same lines count.
    const plain = Array.from({ length: 6 }, (_, i) => `# One\n\n# Two\n\n- a\n- b\n- c\n\nDone ${i}?`);
    assert.equal(strictIds(plain, 'headings').length, 6);
    assert.equal(strictIds(plain, 'list-structure').length, 6);
    assert.equal(strictIds(plain, 'closing-question').length, 6);
  });

  it('tells the strict and broad forms of each fixed detector apart', () => {
    const cases: [string, string, 'strict' | 'broad' | null][] = [
      ['clarifying-question', 'What do you mean by fast? It depends.', 'strict'],
      ['clarifying-question', 'Please clarify which one you use. Then I can help.', 'broad'],
      ['clarifying-question', 'Which laptop do you have? Meanwhile, here is a general answer.\n\nMore text.', 'broad'],
      ['clarifying-question', 'Paris is the capital of France.', null],
      ['bottom-line-first', '**TL;DR** use the blue one.\n\nDetails follow.', 'strict'],
      ['bottom-line-first', 'Here is the analysis.\n\nIn short, use the blue one.', 'broad'],
      ['apology-opener', "Oh no, I'm so sorry about that. Here is a fix.", 'strict'],
      ['apology-opener', 'Thanks for asking, and sorry for the wait. Here it is.', 'broad'],
      ['validation-opener', 'It\u2019s completely normal to feel nervous before a talk.', 'strict'],
      ['validation-opener', 'Good news first. That is understandable given the deadline.', 'broad'],
      ['bold-lead-in', '- **Speed** \u2014 fast\n- **Cost:** low', 'strict'],
      ['bold-lead-in', '**Why.** Because it works.', 'broad'],
      ['bold-lead-in', '**Heading only**\n\nText.', null],
      ['headings', '**Steps**\n\nDo this.', 'broad'],
      ['closing-question', 'Want more? Ask any time.', 'broad'],
    ];
    for (const [id, response, expected] of cases) {
      // Five copies, so the dataset is not too small to report; the match is read per record.
      const p = find(offlineAudit(Array.from({ length: 5 }, () => response).map(one)), id);
      const got = p.records.length === 5 ? 'strict' : p.broadRecords.length === 5 ? 'broad' : p.broadRecords.length === 0 ? null : 'mixed';
      assert.equal(got, expected, `${id} on ${JSON.stringify(response)}`);
    }
  });
});

describe('scorePattern', () => {
  it('counts a strict match as a broad one even when the caller lists it only as strict', () => {
    // Six records of two traits; the caller says records 0, 2 and 4 match strictly but lists only
    // 1 and 2 as broad (a detector or a model may answer so). Strict ⊆ broad by definition: the
    // strict criterion is the broad one made stricter, so broad = {0, 1, 2, 4}.
    const records: AuditRecord[] = Array.from({ length: 6 }, (_, i) => ({
      id: `s${i}`,
      line: i + 1,
      traitId: i < 3 ? 'a' : 'b',
      prompt: 'q',
      response: 'r',
    }));
    const p = scorePattern(
      { id: 'x', name: 'X', description: 'X.', source: 'model' },
      [4, 0, 2],
      [1, 2],
      records,
      TraitIndex.of(records),
      0.5,
    );
    assert.deepEqual(p.records, ['s0', 's2', 's4']);
    assert.deepEqual(p.broadRecords, ['s0', 's1', 's2', 's4']);
    assert.deepEqual(p.prevalence, { strict: 3 / 6, broad: 4 / 6 });
    // Trait a: records 0-2, strict 0 and 2, broad 0-2; trait b: 3-5, strict and broad 4 only.
    assert.deepEqual(p.perTrait.a, { records: 3, strict: 2 / 3, broad: 1, flagged: false });
    assert.deepEqual(p.perTrait.b, { records: 3, strict: 1 / 3, broad: 1 / 3, flagged: false });
    // Three strict matches of six reach the 0.5 threshold.
    assert.equal(p.flagged, true);
  });
});

describe('scorePattern on the edges of a dataset', () => {
  const base = { id: 'x', name: 'X', description: 'X.', source: 'model' } as const;
  const rec = (i: number, traitId: string | null): AuditRecord => ({ id: `r${i}`, line: i + 1, traitId, prompt: 'q', response: 'r' });

  it('takes examples from the broad matches when none is strict, and groups records naming no trait apart', () => {
    const records = [rec(0, 'a'), rec(1, null), rec(2, 'a'), rec(3, null), rec(4, null)];
    const p = scorePattern(base, [], [1, 3, 4, 0, 2], records, TraitIndex.of(records), 0.25);
    assert.deepEqual([p.records, p.broadRecords, p.examples], [[], ['r0', 'r1', 'r2', 'r3', 'r4'], ['r0', 'r2', 'r4']]);
    assert.deepEqual(p.prevalence, { broad: 1, strict: 0 });
    assert.deepEqual(p.perTrait, {
      a: { records: 2, broad: 1, strict: 0, flagged: false },
      '(no trait)': { records: 3, broad: 1, strict: 0, flagged: false },
    });
  });

  it('has no per-trait figures when no record names a trait, and zeros for an empty dataset', () => {
    const records = [rec(0, null), rec(1, null), rec(2, null)];
    const p = scorePattern(base, [0, 1, 2], [], records, TraitIndex.of(records), 0.25);
    assert.deepEqual([p.perTrait, p.flagged, p.prevalence], [{}, true, { broad: 1, strict: 1 }]);
    const empty = scorePattern(base, [], [], [], TraitIndex.of([]), 0.25);
    assert.deepEqual(
      [empty.prevalence, empty.records, empty.examples, empty.flagged, empty.perTrait],
      [{ broad: 0, strict: 0 }, [], [], false, {}],
    );
  });

  it('spreads the three examples from the first match to the last, by ids alone', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `id${i}`);
    const traits = TraitIndex.of(ids.map((id) => ({ id, line: 1, traitId: null, prompt: '', response: '' })));
    assert.deepEqual(scorePattern(base, [9, 0, 5, 3], [], ids, traits, 0.25).examples, ['id0', 'id5', 'id9']);
    assert.deepEqual(scorePattern(base, [9, 0, 3], [], ids, traits, 0.25).examples, ['id0', 'id3', 'id9']);
  });
});

describe('isFlagged and comparePatterns', () => {
  it('flags at the threshold exactly, with at least three matches, never in an empty set', () => {
    assert.equal(isFlagged(3, 12, 0.25), true);
    assert.equal(isFlagged(3, 13, 0.25), false);
    assert.equal(isFlagged(2, 8, 0.25), false);
    assert.equal(isFlagged(3, 0, 0), false);
  });

  it('orders flagged, then flagged in a trait, then by strict and broad prevalence, then by id', () => {
    const p = (id: string, flagged: boolean, traitFlagged: boolean, strict: number, broad: number) =>
      ({
        id,
        flagged,
        prevalence: { strict, broad },
        perTrait: { a: { records: 4, strict, broad, flagged: traitFlagged }, b: { records: 4, strict: 0, broad: 0, flagged: false } },
      }) as unknown as AuditPattern;
    const patterns = [
      p('z-plain', false, false, 0.5, 0.5),
      p('b-tie', false, false, 0.2, 0.4),
      p('a-tie', false, false, 0.2, 0.4),
      p('c-broad', false, false, 0.2, 0.6),
      p('in-trait', false, true, 0.1, 0.1),
      p('flagged', true, true, 0.3, 0.3),
    ];
    assert.deepEqual(
      [...patterns].sort(comparePatterns).map((x) => x.id),
      ['flagged', 'in-trait', 'z-plain', 'c-broad', 'a-tie', 'b-tie'],
    );
    assert.deepEqual(
      [...patterns]
        .reverse()
        .sort(comparePatterns)
        .map((x) => x.id),
      ['flagged', 'in-trait', 'z-plain', 'c-broad', 'a-tie', 'b-tie'],
    );
  });
});
