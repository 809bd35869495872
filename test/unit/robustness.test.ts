/**
 * Robustness: whatever text an editor hands us (empty, binary, 10 MB, CRLF, a BOM, tabs, astral
 * characters, unterminated front matter, an unclosed fence), parsing, linting and the outline never
 * throw, report a clear diagnostic where one helps, and never produce a range outside the document
 * or inside a surrogate pair. Property-based (fast-check) over generated documents, plus examples.
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> node --import tsx --test test/unit/robustness.test.ts
 * (fast-check prints both). FC_RUNS=<n> scales the number of runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildOutline, type Outline } from '../../server/src/analysis/outline';
import type { TraitDocument } from '../../server/src/document/model';
import { parseTraitDocument } from '../../server/src/document/parse';
import type { Position, Range } from '../../server/src/document/position';
import { lintDocument, type LintResult } from '../../server/src/rules/lint';
import { RULES } from '../../server/src/rules/registry';
import { SEVERITIES } from '../../server/src/rules/rule';
import { anyDocument, lfDocument } from './arbitraries/documents';

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

const RUNS = Number(process.env.FC_RUNS ?? 300);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({
  numRuns,
  ...(SEED !== undefined ? { seed: SEED } : {}),
  ...(PATH !== undefined ? { path: PATH } : {}),
});

interface Analysis {
  readonly text: string;
  readonly doc: TraitDocument;
  readonly lint: LintResult;
  readonly outline: Outline;
}

function analyse(text: string): Analysis {
  const doc = parseTraitDocument(text);
  const lint = lintDocument(doc);
  const outline = buildOutline(doc, 'doc.traits.md');
  return { text, doc, lint, outline };
}

/** Lines as LSP counts them, computed independently of the LineIndex under test. */
const linesOf = (text: string) => text.split(/\r\n|\r|\n/);

const isPosition = (v: unknown): v is Position =>
  !!v && typeof v === 'object' && typeof (v as Position).line === 'number' && typeof (v as Position).character === 'number';
const isRange = (v: unknown): v is Range => !!v && typeof v === 'object' && isPosition((v as Range).start) && isPosition((v as Range).end);

/** Key paths of front matter probed through `rangeOfPath` (present or not). */
const PROBE_PATHS: readonly (string | number)[][] = [
  [],
  ['name'],
  ['lint'],
  ['lint', 'vague-trait'],
  ['lint', 'vague-trait', 'minWords'],
  ['nope', 0],
  [0],
];

/**
 * Every range reachable from `value` (any object with `start` / `end` positions), with its path.
 * Walks the whole object graph, so a range added to the model later is checked too. Skipped: the
 * LineIndex (`lines`), plain strings, and the front matter's YAML value (user data: it may be cyclic,
 * `&a [*a]`, or hold objects that merely look like ranges).
 */
function collectRanges(value: unknown, path: string, out: { path: string; range: Range }[], depth = 0): void {
  if (!value || typeof value !== 'object' || path === 'doc.frontMatter.data') return;
  assert.ok(depth < 40, `object graph too deep at ${path}`);
  if (isRange(value)) {
    out.push({ path, range: value });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectRanges(v, `${path}[${i}]`, out, depth + 1));
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'lines') continue;
    collectRanges(v, `${path}.${key}`, out, depth + 1);
  }
}

/** Every range of the parse, lint and outline results, front matter key ranges included. */
function allRanges({ doc, lint, outline }: Analysis): { path: string; range: Range }[] {
  const out: { path: string; range: Range }[] = [];
  collectRanges(doc, 'doc', out);
  if (doc.frontMatter)
    PROBE_PATHS.forEach((p, i) => out.push({ path: `doc.frontMatter.rangeOfPath#${i}`, range: doc.frontMatter!.rangeOfPath(p) }));
  collectRanges(lint.diagnostics, 'diagnostics', out);
  collectRanges(outline, 'outline', out);
  return out;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Why `position` is not a valid position of the document with these lines, or undefined. */
function positionProblem(lines: readonly string[], p: Position): string | undefined {
  if (!Number.isInteger(p.line) || !Number.isInteger(p.character)) return 'non-integer position';
  if (p.line < 0 || p.line >= lines.length) return `line ${p.line} outside [0, ${lines.length})`;
  const line = lines[p.line];
  if (p.character < 0 || p.character > line.length) return `character ${p.character} outside [0, ${line.length}] of line ${p.line}`;
  if (p.character > 0 && p.character < line.length && isHigh(line.charCodeAt(p.character - 1)) && isLow(line.charCodeAt(p.character))) {
    return `character ${p.character} of line ${p.line} splits a surrogate pair`;
  }
  return undefined;
}

/** Why `range` is not a well-formed range of the document with these lines, or undefined. */
function rangeProblem(lines: readonly string[], r: Range): string | undefined {
  const problem = positionProblem(lines, r.start) ?? positionProblem(lines, r.end);
  if (problem) return problem;
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) return 'start after end';
  return undefined;
}

function assertRangesWellFormed(a: Analysis): void {
  const lines = linesOf(a.text);
  const bad = allRanges(a)
    .map(({ path, range }) => ({ path, range, problem: rangeProblem(lines, range) }))
    .filter((x) => x.problem);
  assert.deepEqual(
    bad.slice(0, 5).map((b) => `${b.path} ${JSON.stringify(b.range)}: ${b.problem}`),
    [],
    `ill-formed ranges in ${JSON.stringify(a.text.length > 400 ? `${a.text.slice(0, 400)}...` : a.text)}`,
  );
}

const RULE_NAMES = new Set(RULES.map((r) => r.name));
const RULE_IDS = new Map(RULES.map((r) => [r.name, r.id]));

function assertDiagnosticsWellFormed({ doc, lint }: Analysis): void {
  const traitIds = new Set(doc.traits.map((t) => t.id));
  for (const d of lint.diagnostics) {
    const at = `${d.rule}@${JSON.stringify(d.range)}: ${d.message}`;
    assert.ok(RULE_NAMES.has(d.rule), `unregistered rule: ${at}`);
    assert.equal(d.ruleId, RULE_IDS.get(d.rule), `wrong rule id: ${at}`);
    assert.ok((SEVERITIES as readonly string[]).includes(d.severity), `bad severity ${d.severity}: ${at}`);
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.trim().length > 0, `empty message: ${at}`);
    // The linter turns a rule that throws into a finding instead of crashing: that is a crash too.
    assert.doesNotMatch(d.message, /failed on this document/, `a rule crashed: ${at}`);
    assert.ok(d.traitId === null || traitIds.has(d.traitId), `diagnostic names an unknown trait: ${at}`);
    for (const r of d.related) assert.ok(r.message.trim().length > 0, `empty related message: ${at}`);
  }
}

/** Line-ending independent summary: traits, headings, references, examples, directives, findings. */
function shape({ doc, lint }: Analysis) {
  const pos = (r: Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  return {
    traits: doc.traits.map((t) => ({
      id: t.id,
      title: t.title,
      level: t.level,
      start: t.range.start.line,
      end: t.range.end.line,
      groups: t.groups.map((g) => g.heading.id),
      parts: t.parts.map((p) => `${p.kind}@${pos(p.range)}`),
      paragraphs: t.paragraphs.map((p) => pos(p.range)),
      prose: t.prose,
      examples: t.examples.map((e) => ({
        range: pos(e.range),
        title: e.title,
        turns: e.turns.map((x) => `${x.role}@${pos(x.range)}:${x.marker?.verdict ?? ''}:${x.marker?.reason ?? ''}:${x.text}`),
      })),
    })),
    headings: doc.headings.map((h) => `${h.level} ${h.id} ${pos(h.range)} ${pos(h.titleRange)} ${h.partKind ?? ''}`),
    references: doc.references.map((r) => `${r.form} ${r.target} ${pos(r.range)} ${pos(r.targetRange)} ${r.fromTrait ?? ''}`),
    directives: doc.directives.map((d) => `${d.kind} ${d.rules.join(',')} ${pos(d.range)}`),
    unclosedFences: doc.unclosedFences.map(pos),
    frontMatterData: doc.frontMatter?.data,
    frontMatterProblems: doc.frontMatter?.problems.map((p) => p.range.start.line),
    diagnostics: lint.diagnostics.map((d) => `${d.rule} ${pos(d.range)}`),
  };
}

/** Traits as the BOM property compares them. */
const traitSummary = (doc: TraitDocument) =>
  doc.traits.map((t) => ({ id: t.id, title: t.title, level: t.level, start: t.range.start.line, end: t.range.end.line }));

/**
 * Why `withBom` (a position in BOM + text) is not `plain` (the same position in text) shifted by a
 * leading BOM: same line, same character except on line 0 where it may be one more.
 */
function bomShiftProblem(plain: Position, withBom: Position): string | undefined {
  if (plain.line !== withBom.line) return `line ${plain.line} became ${withBom.line}`;
  const shift = withBom.character - plain.character;
  if (plain.line === 0 ? shift !== 0 && shift !== 1 : shift !== 0)
    return `character ${plain.character} of line ${plain.line} became ${withBom.character}`;
  return undefined;
}
const bomRangeProblem = (a: Range, b: Range) => bomShiftProblem(a.start, b.start) ?? bomShiftProblem(a.end, b.end);

// ---------------------------------------------------------------------------------------------
// The checkers catch what they are meant to (a test that cannot fail is a defect)
// ---------------------------------------------------------------------------------------------

describe('robustness checkers', () => {
  const lines = linesOf('ab😀c\r\nx\rlast');
  const r = (sl: number, sc: number, el: number, ec: number): Range => ({
    start: { line: sl, character: sc },
    end: { line: el, character: ec },
  });

  it('accept well-formed ranges and reject ill-formed ones', () => {
    assert.deepEqual(linesOf('ab😀c\r\nx\rlast'), ['ab😀c', 'x', 'last']);
    assert.equal(rangeProblem(lines, r(0, 0, 2, 4)), undefined);
    assert.equal(rangeProblem(lines, r(0, 2, 0, 4)), undefined); // around the pair
    assert.equal(rangeProblem(lines, r(0, 5, 0, 5)), undefined); // end of line 0
    assert.match(rangeProblem(lines, r(0, 3, 0, 4)) ?? '', /surrogate/);
    assert.match(rangeProblem(lines, r(0, 0, 0, 3)) ?? '', /surrogate/);
    assert.match(rangeProblem(lines, r(0, 0, 0, 6)) ?? '', /outside/); // past the line's end (into the CRLF)
    assert.match(rangeProblem(lines, r(1, 0, 1, 2)) ?? '', /outside/);
    assert.match(rangeProblem(lines, r(3, 0, 3, 0)) ?? '', /outside/); // one line past the last
    assert.match(rangeProblem(lines, r(-1, 0, 0, 0)) ?? '', /outside/);
    assert.match(rangeProblem(lines, r(2, 1, 2, 0)) ?? '', /start after end/);
    assert.match(rangeProblem(lines, r(2, 0, 1, 0)) ?? '', /start after end/);
    assert.match(rangeProblem(lines, r(0, 0.5, 0, 1)) ?? '', /non-integer/);
    // A lone surrogate is no pair: positions next to it are fine.
    assert.equal(rangeProblem(['a\uD800b', '\uDC00'], r(0, 1, 0, 2)), undefined);
  });

  it('find ranges everywhere in the results (headings, ids, references, turns, directives, front matter, diagnostics, outline)', () => {
    const text = [
      '---',
      'name: [oops',
      '---',
      '# Be honest {#honest}',
      '',
      'Say so when unsure, see [[Be concise]] and [x](#nowhere).',
      '<!-- traits-disable-next-line vague-trait -->',
      '',
      '## Why',
      '',
      'Because trust matters.',
      '',
      '```',
      '<user>Hi</user>',
      '<assistant><!-- GOOD -->Hello</assistant>',
      '```',
      '',
      '# Be concise',
      '',
      '~~~',
    ].join('\n');
    const paths = allRanges(analyse(text)).map((x) => x.path.replace(/\[\d+\]/g, '[]'));
    for (const expected of [
      'doc.frontMatter.range',
      'doc.frontMatter.problems[].range',
      'doc.frontMatter.rangeOfPath#0',
      'doc.preamble.range',
      'doc.headings[].range',
      'doc.headings[].titleRange',
      'doc.headings[].idRange',
      'doc.traits[].range',
      'doc.traits[].parts[].range',
      'doc.traits[].parts[].heading.titleRange',
      'doc.traits[].paragraphs[].range',
      'doc.traits[].references[].targetRange',
      'doc.traits[].examples[].range',
      'doc.traits[].examples[].turns[].range',
      'doc.references[].range',
      'doc.references[].targetRange',
      'doc.directives[].range',
      'doc.unclosedFences[]',
      'diagnostics[].range',
      'outline.traits[].range',
    ]) {
      assert.ok(paths.includes(expected), `no range found at ${expected}; found ${[...new Set(paths)].join(', ')}`);
    }
  });

  it('BOM shift check allows only a one-character shift on line 0', () => {
    const p = (line: number, character: number): Position => ({ line, character });
    assert.equal(bomShiftProblem(p(0, 3), p(0, 4)), undefined);
    assert.equal(bomShiftProblem(p(0, 0), p(0, 0)), undefined);
    assert.equal(bomShiftProblem(p(2, 3), p(2, 3)), undefined);
    assert.ok(bomShiftProblem(p(0, 3), p(0, 5)));
    assert.ok(bomShiftProblem(p(0, 3), p(0, 2)));
    assert.ok(bomShiftProblem(p(1, 3), p(1, 4)));
    assert.ok(bomShiftProblem(p(1, 3), p(2, 3)));
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated documents
// ---------------------------------------------------------------------------------------------

describe('robustness properties', () => {
  it('parse, lint and outline never throw, and no rule fails', () => {
    fc.assert(
      fc.property(anyDocument, (text) => {
        const a = analyse(text);
        assert.equal(a.doc.text, text);
        assertDiagnosticsWellFormed(a);
      }),
      params(),
    );
  });

  it('every range is inside the document, ordered, and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(anyDocument, (text) => {
        assertRangesWellFormed(analyse(text));
      }),
      params(),
    );
  });

  it('every diagnostic names a registered rule and a valid severity, with a message', () => {
    fc.assert(
      fc.property(anyDocument, (text) => {
        assertDiagnosticsWellFormed(analyse(text));
      }),
      params(Math.ceil(RUNS / 2)),
    );
  });

  it('CRLF line endings give the same traits, structure and diagnostics as LF', () => {
    fc.assert(
      fc.property(lfDocument, (lf) => {
        assert.deepEqual(shape(analyse(lf.replace(/\n/g, '\r\n'))), shape(analyse(lf)));
      }),
      params(),
    );
  });

  it('lone CR line endings give the same traits, structure and diagnostics as LF', () => {
    fc.assert(
      fc.property(lfDocument, (lf) => {
        assert.deepEqual(shape(analyse(lf.replace(/\n/g, '\r'))), shape(analyse(lf)));
      }),
      params(Math.ceil(RUNS / 2)),
    );
  });

  it('a leading BOM gives the same traits and shifts nothing but line-0 characters, by at most one', () => {
    fc.assert(
      fc.property(lfDocument, (lf) => {
        const text = lf.replace(/^\uFEFF+/, '');
        const plain = analyse(text);
        const bom = analyse(`\uFEFF${text}`);
        assert.deepEqual(traitSummary(bom.doc), traitSummary(plain.doc));

        // Model ranges pair up by path.
        const a: { path: string; range: Range }[] = [];
        const b: { path: string; range: Range }[] = [];
        collectRanges(plain.doc, 'doc', a);
        collectRanges(bom.doc, 'doc', b);
        assert.deepEqual(
          b.map((x) => x.path),
          a.map((x) => x.path),
        );
        a.forEach((x, i) => {
          const problem = bomRangeProblem(x.range, b[i].range);
          assert.equal(problem, undefined, `${x.path}: ${problem}`);
        });

        // Diagnostics pair up by rule and shifted range (their order may change within line 0).
        const left = [...bom.lint.diagnostics];
        for (const d of plain.lint.diagnostics) {
          const i = left.findIndex((e) => e.rule === d.rule && !bomRangeProblem(d.range, e.range));
          assert.ok(i >= 0, `no diagnostic matches ${d.rule}@${JSON.stringify(d.range)} once a BOM is added`);
          left.splice(i, 1);
        }
        assert.deepEqual(
          left.map((d) => `${d.rule}@${JSON.stringify(d.range)}`),
          [],
          'diagnostics that only a BOM brings',
        );
      }),
      params(),
    );
  });

  it('is deterministic: the same text gives deep-equal results, whatever was parsed in between', () => {
    fc.assert(
      fc.property(anyDocument, anyDocument, (text, other) => {
        const first = analyse(text);
        analyse(other);
        const again = analyse(text);
        assert.deepEqual(again.lint, first.lint);
        assert.deepEqual(again.outline, first.outline);
        assert.deepEqual(shape(again), shape(first));
      }),
      params(Math.ceil(RUNS / 2)),
    );
  });

  it('reports front matter problems and unclosed fences where they are', () => {
    fc.assert(
      fc.property(anyDocument, (text) => {
        const a = analyse(text);
        // Directives may legitimately silence these findings.
        fc.pre(!text.includes('traits-'));
        const findings = (rule: string) => a.lint.diagnostics.filter((d) => d.rule === rule);
        const lines = linesOf(text);
        // Independent oracle: a first line `---` that no later `---` / `...` line closes.
        if (/^\uFEFF?---[ \t]*$/.test(lines[0]) && !lines.slice(1).some((l) => /^(?:---|\.\.\.)[ \t]*$/.test(l))) {
          assert.ok(
            findings('front-matter').some((d) => d.range.start.line === 0),
            'no front-matter diagnostic for unterminated front matter',
          );
        }
        // Each front-matter finding is about something in the front matter: they cannot outnumber its characters.
        const fm = a.doc.frontMatter?.range;
        const fmSize = fm
          ? linesOf(text)
              .slice(fm.start.line, fm.end.line + 1)
              .join('\n').length
          : 0;
        assert.ok(
          findings('front-matter').length <= fmSize + 2,
          `${findings('front-matter').length} front-matter findings for ${fmSize} characters`,
        );
        for (const p of a.doc.frontMatter?.problems ?? []) {
          assert.ok(
            findings('front-matter').some((d) => JSON.stringify(d.range) === JSON.stringify(p.range)),
            `front matter problem not reported: ${p.message}`,
          );
        }
        for (const f of a.doc.unclosedFences) {
          assert.ok(
            findings('unclosed-fence').some((d) => d.range.start.line === f.start.line),
            `unclosed fence on line ${f.start.line} not reported`,
          );
        }
      }),
      params(Math.ceil(RUNS / 2)),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

/** Analyses `text`, checks every range and diagnostic, and returns the analysis. */
function robust(text: string): Analysis {
  const a = analyse(text);
  assertRangesWellFormed(a);
  assertDiagnosticsWellFormed(a);
  return a;
}

describe('robustness examples', () => {
  it('empty string: an empty document without findings', () => {
    const a = robust('');
    assert.equal(a.doc.lines.lineCount, 1);
    assert.equal(a.doc.traits.length, 0);
    assert.equal(a.doc.frontMatter, undefined);
    assert.deepEqual(a.doc.preamble.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.deepEqual(a.lint.diagnostics, []);
    assert.deepEqual(a.outline.traits, []);
  });

  it('a lone BOM: an empty document without findings', () => {
    const a = robust('\uFEFF');
    assert.equal(a.doc.traits.length, 0);
    assert.equal(a.doc.headings.length, 0);
    assert.deepEqual(a.lint.diagnostics, []);
  });

  it('only front matter: parsed data, no traits, no findings', () => {
    for (const text of ['---\nname: Assistant traits\n---\n', '\uFEFF---\r\nname: Assistant traits\r\n---']) {
      const a = robust(text);
      assert.deepEqual(a.doc.frontMatter?.data, { name: 'Assistant traits' });
      assert.deepEqual(a.doc.frontMatter?.problems, []);
      assert.equal(a.doc.traits.length, 0);
      assert.deepEqual(a.lint.diagnostics, []);
    }
  });

  it('front matter closed by `...` on the last line is not read as prose', () => {
    const a = robust('---\nname: x\n...');
    assert.deepEqual(a.doc.frontMatter?.data, { name: 'x' });
    assert.equal(a.doc.preamble.prose, '');
  });

  it('front matter YAML that cannot become a value (undefined alias, alias bomb) is a finding, not an exception', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    for (const text of ['---\n*a\n---', '---\nname: *nope\n---\n# Be honest\n\nSay so.', `---\n${bomb.join('\n')}\n---`]) {
      const a = robust(text);
      assert.ok(
        a.lint.diagnostics.some((d) => d.rule === 'front-matter'),
        `no front-matter finding for ${JSON.stringify(text)}`,
      );
    }
  });

  it('front matter that YAML reads as binary or another non-mapping gives one finding, not one per property', () => {
    for (const text of ['---\n!!binary\n---', '---\n!!binary aGVsbG8=\n---', '---\n- a\n---', '---\n"a string"\n---']) {
      const findings = robust(text).lint.diagnostics.filter((d) => d.rule === 'front-matter');
      assert.ok(
        findings.length >= 1 && findings.length <= 2,
        `${findings.length} front-matter findings for ${JSON.stringify(text)}: ${findings
          .slice(0, 3)
          .map((d) => d.message)
          .join(' | ')}`,
      );
    }
  });

  it('front matter with CRLF or lone CR line breaks reads exactly as with LF', () => {
    for (const lf of ['---\nname: x\nversion: 1\n---', '---\n\n---', '---\nname: x\n\n- b\n---', '---\n:\n\n`\ne\n---']) {
      const expected = analyse(lf).doc.frontMatter!;
      for (const text of [lf.replace(/\n/g, '\r\n'), lf.replace(/\n/g, '\r')]) {
        const fm = robust(text).doc.frontMatter!;
        assert.deepEqual(fm.data, expected.data, JSON.stringify(text));
        assert.deepEqual(fm.problems, expected.problems, JSON.stringify(text));
      }
    }
  });

  it('unterminated front matter: a front-matter error on line 0, and the rest is still read', () => {
    for (const text of ['---\nname: x\n\n# Be honest\n\nSay so when unsure.', '---', '\uFEFF---\r\nname: x\r\n--']) {
      const a = robust(text);
      const finding = a.lint.diagnostics.find((d) => d.rule === 'front-matter');
      assert.ok(finding, `no front-matter finding for ${JSON.stringify(text)}`);
      assert.equal(finding.range.start.line, 0);
      assert.equal(finding.severity, 'error');
      assert.match(finding.message, /never closed/);
    }
    assert.deepEqual(
      robust('---\nname: x\n\n# Be honest\n\nSay so when unsure.').doc.traits.map((t) => t.title),
      ['Be honest'],
    );
  });

  it('an unclosed fence: an unclosed-fence error on its line', () => {
    const text = '# Be honest\n\nSay so when unsure.\n\n```text\n<user>Hi</user>\n\n# Be concise\n\nShort answers.';
    const a = robust(text);
    assert.equal(a.doc.unclosedFences.length, 1);
    const findings = a.lint.diagnostics.filter((d) => d.rule === 'unclosed-fence');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].range.start.line, 4);
    assert.equal(findings[0].severity, 'error');
    // The heading swallowed by the fence is not a trait.
    assert.deepEqual(
      a.doc.traits.map((t) => t.title),
      ['Be honest'],
    );
    for (const t of ['```', '~~~\n', '# T\n\n````\n```', '> ```\n> code']) robust(t);
  });

  it('binary-ish text with NULs, control characters and invalid UTF-8', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));
    for (const text of [
      '\0',
      '\0'.repeat(1000),
      '# T\0itle\n\n\0\0 body \0\n',
      bytes.toString('latin1'),
      bytes.toString('utf8'), // invalid sequences become U+FFFD
      bytes.toString('utf16le'), // lone surrogates
      '\uD800\n\uDC00# x\n\uDBFF',
      '\r\r\n\n\r',
      '\t# not a heading\n#\tHeading\t{#id}\t\n\n\t- item',
    ]) {
      robust(text);
    }
  });

  it('astral characters: ranges around emoji count UTF-16 units', () => {
    const a = robust('# 😀 Be honest {#honest}\n\nSee [[😀 Be honest]] and [x](#😀).\n');
    const h = a.doc.headings[0];
    assert.deepEqual(h.titleRange, { start: { line: 0, character: 2 }, end: { line: 0, character: 14 } });
    assert.deepEqual(h.idRange, { start: { line: 0, character: 17 }, end: { line: 0, character: 23 } });
    const [wiki, link] = a.doc.references;
    assert.deepEqual(wiki.targetRange, { start: { line: 2, character: 6 }, end: { line: 2, character: 18 } });
    assert.deepEqual(link.targetRange, { start: { line: 2, character: 30 }, end: { line: 2, character: 32 } });
  });

  it('Unicode line and paragraph separators inside a heading keep its title', () => {
    for (const sep of ['\u2028', '\u2029', '\u0085']) {
      const a = robust(`# Be${sep}honest\n\nSay so when unsure.`);
      assert.equal(a.doc.traits[0]?.title, `Be${sep}honest`, JSON.stringify(sep));
    }
  });

  it('front matter YAML errors next to astral characters do not split them', () => {
    for (const text of [
      '---\na: 😀\n  b: 1\n---',
      '---\n😀: [\n---',
      '---\nk: "😀\n---',
      '---\n😀 😀: : 😀\n---',
      '---\n[😀\n---',
      '---\n{😀\n---',
    ]) {
      robust(text);
    }
  });

  it('a leading BOM before an indented heading or fence changes nothing', () => {
    for (const text of ['   # Be honest\n\nSay so.', '   ```\ncode', '  Be honest\n  ===\n\nSay so.']) {
      const plain = analyse(text);
      const bom = robust(`\uFEFF${text}`);
      assert.deepEqual(traitSummary(bom.doc), traitSummary(plain.doc), JSON.stringify(text));
      assert.equal(bom.doc.unclosedFences.length, plain.doc.unclosedFences.length, JSON.stringify(text));
    }
  });

  it('a ~10 MB document of repeated trait sections parses and lints', () => {
    // A trait section the size of a Model Spec one (~3 KB): prose, parts and three examples.
    const example = (i: number, k: number) =>
      [
        `**Example**: asking about case ${i}.${k}`,
        '',
        '```',
        `<user>I need help with case ${i}.${k}: what should I do first, and what can wait until later?</user>`,
        '<assistant><!-- GOOD -->Start with the part that blocks everything else, then the rest can follow in any order. If you tell me more about your situation, I can be more specific.</assistant>',
        '<assistant><!-- BAD: ignores what the user asked and lectures instead -->There are many things to consider here, and it is important to think carefully before acting.</assistant>',
        '```',
        '',
      ].join('\n');
    const section = (i: number) =>
      [
        `## Trait number ${i} {#trait-${i}}`,
        '',
        `The assistant keeps answers short unless the user asks for detail, and says so when it is unsure (${i}).`,
        'It should ask for clarification only when the request is ambiguous, because guessing wastes the time of',
        'the person asking and an unneeded question is a small cost compared with a confidently wrong answer.',
        '',
        '### Why',
        '',
        'People read answers between other tasks; a short answer that states its confidence lets them decide',
        'quickly whether to act on it, ask a follow-up question, or look elsewhere for the information.',
        '',
        '### Trade-offs',
        '',
        `Brevity pulls against completeness; see [[Trait number ${i + 1}]] and [the first trait](#trait-0).`,
        '',
        '### Exceptions',
        '',
        '- When the user asks for a full explanation or a step-by-step walkthrough.',
        '- When leaving something out would lose safety information the user needs.',
        '',
        '### Examples',
        '',
        example(i, 1),
        example(i, 2),
        example(i, 3),
      ].join('\n');
    const parts = ['---\nname: Big document\n---\n', '# Group\n\nContext for every trait.\n\n'];
    let size = parts.join('').length;
    let n = 0;
    while (size < 10 * 1024 * 1024) {
      const s = section(n++);
      parts.push(s);
      size += s.length;
    }
    const text = parts.join('');
    assert.ok(text.length >= 10 * 1024 * 1024);
    const doc = parseTraitDocument(text);
    assert.equal(doc.traits.length, n);
    assert.equal(doc.groups.length, 1);
    const last = doc.traits[n - 1];
    assert.equal(last.id, `trait-${n - 1}`);
    assert.deepEqual(
      last.parts.map((p) => p.kind),
      ['rationale', 'tradeoffs', 'exceptions', 'examples'],
    );
    assert.equal(last.examples.length, 3);
    const lint = lintDocument(doc);
    const outline = buildOutline(doc, 'big.traits.md');
    assert.equal(outline.traits.length, n);
    const a = { text, doc, lint, outline };
    assertDiagnosticsWellFormed(a);
    assertRangesWellFormed(a);
    // The last trait's reference to a trait that does not exist is the only unknown reference.
    assert.deepEqual(
      lint.diagnostics.filter((d) => d.rule === 'unknown-reference').map((d) => d.traitId),
      [`trait-${n - 1}`],
    );
  });
});
