/**
 * The incremental parse's reuse of unchanged lines (Recycler.markUnchanged / markMoved / getFromLines):
 * sections the block scan reuses at the same line numbers keep their paragraphs' masking, examples,
 * heading masks and trait chunks without their text being read again, and sections it reuses at
 * other line numbers (below a line break) get copies of them with their ranges moved; the directive search and the HTML
 * anchors are answered without reading the whole text. Each edit sequence below must leave a document
 * (and its lint) equal to a parse from scratch, including edits that change heading ids, add and
 * remove traits, break a duplicate pair, add a directive or an anchor, or change the front matter
 * without moving a line. The Recycler on its own, where a value built afresh would equal one handed
 * back and only counting builds tells them apart: values move below a line break even to a place the
 * parse has already written, nothing from two parses back is handed back, any number of parses may be
 * built on one parse, and `keep` and `get` hand back what is equal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraitDocument } from '../../server/src/document/model';
import { scanMarkdown } from '../../server/src/document/blockScan';
import { parseTraitDocument } from '../../server/src/document/parse';
import { LineIndex } from '../../server/src/document/position';
import { Recycler } from '../../server/src/document/reuse';
import { lintDocument } from '../../server/src/rules/lint';

/** The document as plain data (see incrementalParse.test.ts). */
function plain(document: TraitDocument): string {
  return JSON.stringify(document, (key, value) => (key === 'lines' || typeof value === 'function' ? undefined : value));
}

/** Parses each text given the previous parse, and checks the parse and its lint against a parse from scratch. */
function editSequence(texts: readonly string[]): TraitDocument[] {
  const out: TraitDocument[] = [];
  let previous: TraitDocument | null = null;
  for (const text of texts) {
    const incremental = parseTraitDocument(text, { previous });
    const fresh = parseTraitDocument(text);
    assert.equal(plain(incremental), plain(fresh), JSON.stringify(text));
    assert.deepEqual(lintDocument(incremental).diagnostics, lintDocument(fresh).diagnostics, JSON.stringify(text));
    out.push(incremental);
    previous = incremental;
  }
  return out;
}

const trait = (title: string, body: string) => `## ${title}\n\n${body}\n`;
const HONEST = 'The assistant says what it believes to be true and flags its uncertainty, because users act on what it tells them.';
const KIND = 'The assistant is warm with people who are struggling, unless warmth would hide a truth they need to hear.';

describe('incremental parse over unchanged lines', () => {
  it('equals a parse from scratch through edits that change heading ids, add and remove traits', () => {
    const base = ['# Values\n', trait('Be honest', HONEST), trait('Be kind', KIND), trait('Be honest', KIND), 'See [[#be-honest-1]].\n'];
    editSequence([
      base.join('\n'),
      // A keystroke in a trait's prose.
      base.join('\n').replace('flags its', 'flags all its'),
      // The first "Be honest" renamed: the second one's slug becomes be-honest, and the reference breaks.
      base.join('\n').replace('## Be honest', '## Be candid'),
      // Back, then a trait added in the middle (a heading line, same line count below it).
      base.join('\n'),
      base.join('\n').replace(`${KIND}\n`, `${KIND}\n## Be brief\n`),
      // And removed again.
      base.join('\n'),
    ]);
  });

  it('equals a parse from scratch when an edit breaks a duplicate pair, and finds the pair again', () => {
    const twins = ['# Values\n', trait('Be honest', HONEST), trait('Be truthful', HONEST), trait('Be kind', KIND)].join('\n');
    const documents = editSequence([
      twins,
      // Outside every trait: the last search's pairs stand.
      twins.replace('# Values', '# Our values'),
      twins.replace(/(## Be truthful\n\n)The assistant says what it believes to be true/, '$1Warmth matters more than wit in a reply'),
      twins,
    ]);
    const duplicates = (d: TraitDocument) => lintDocument(d).diagnostics.filter((x) => x.rule === 'duplicate-trait').length;
    assert.deepEqual(documents.map(duplicates), [1, 1, 0, 1]);
  });

  it('equals a parse from scratch when a directive, an anchor or a %-escape appears in one section', () => {
    const base = ['# Values\n', trait('Be honest', HONEST), trait('Be kind', `${KIND} Weighed against [honesty](#candour).`)].join('\n');
    const [, directive, anchor, escaped] = editSequence([
      base,
      base.replace('## Be kind\n', '## Be kind\n\n<!-- traits-disable-next-line unknown-reference -->'),
      base.replace('## Be honest\n', '## Be honest\n\n<a id="candour"></a>\n'),
      base.replace('(#candour)', '(#be%2Dhonest)'),
    ]);
    assert.equal(directive.directives.length, 1);
    const unknown = (d: TraitDocument) => lintDocument(d).diagnostics.filter((x) => x.rule === 'unknown-reference').length;
    assert.equal(unknown(anchor), 0);
    assert.equal(unknown(escaped), 0);
  });

  it('equals a parse from scratch when the front matter changes without moving a line', () => {
    const body = ['# Values\n', trait('Be honest', HONEST), trait('Be kind', KIND)].join('\n');
    const [, edited] = editSequence([
      `---\ntraitHeadingLevel: 2\n---\n${body}`,
      `---\ntraitHeadingLevel: 1\n---\n${body}`,
      `---\ntraitHeadingLevel: 2\n---\n${body}`,
    ]);
    assert.equal(edited.traits[0].title, 'Values');
  });

  it('equals a parse from scratch when an example fence or the lines above it change', () => {
    const example =
      '**Example**: a question\n\n```xml\n<user>\nIs it safe?\n</user>\n<assistant>\nYes, because it was tested.\n</assistant>\n```\n';
    const base = ['# Values\n', trait('Be honest', `${HONEST}\n\n${example}`), trait('Be kind', KIND)].join('\n');
    const [, retitled, reworded] = editSequence([
      base,
      base.replace('a question', 'a safety question'),
      base.replace('Yes, because', 'Yes, since'),
    ]);
    assert.equal(retitled.traits[0].examples[0].title, 'a safety question');
    assert.match(reworded.traits[0].examples[0].turns[1].text, /since/);
  });

  it("equals a parse from scratch when a trait's id changes under an unchanged heading line that holds a reference", () => {
    const base = [
      '# Values\n',
      trait('Be honest', HONEST),
      trait('Be honest', `${KIND}\n\n### Notes on [[Be kind]]\n\nSee above.`),
      trait('Be kind', KIND),
    ].join('\n');
    // The first "Be honest" renamed: the second one's id becomes be-honest, its inner heading's line is unchanged.
    const [, renamed] = editSequence([base, base.replace('## Be honest', '## Be candid'), base]);
    assert.deepEqual(
      renamed.references.map((r) => r.fromTrait),
      ['be-honest'],
    );
  });

  it('equals a parse from scratch when a part heading changes kind without moving a line (its paragraphs change part)', () => {
    const base = [
      '# Values\n',
      trait('Be honest', `${HONEST}\n\n### Exceptions\n\nUnless a life is at stake.`),
      trait('Be kind', KIND),
    ].join('\n');
    const [before, retitled] = editSequence([base, base.replace('### Exceptions', '### Trade-offs'), base]);
    assert.deepEqual(
      [before, retitled].map((d) => d.traits[0].paragraphs.map((p) => p.part)),
      [
        [undefined, 'exceptions'],
        [undefined, 'tradeoffs'],
      ],
    );
  });

  it('hands back the paragraph object when an edit changes only what its prose masks (a link target, a comment)', () => {
    const linked = `${HONEST} Weighed against [kindness](#be-kind) <!-- see notes -->.`;
    const base = [
      '# Values\n',
      trait('Be honest', linked),
      trait('Be kind', KIND),
      trait('Be calm', 'Stay calm, unless asked to hurry.'),
    ].join('\n');
    const documents = editSequence([
      base,
      // Only the link target (same length: the prose masks it with as many spaces).
      base.replace('(#be-kind)', '(#be-calm)'),
      // Another trait's prose: the paragraph's lines are unchanged, so it is carried over...
      base.replace('(#be-kind)', '(#be-calm)').replace('warm with', 'kind to'),
      // ...and still handed back at the next link-only edit, which now breaks the reference.
      base.replace('(#be-kind)', '(#be-cold)').replace('warm with', 'kind to'),
      // Only the text of a comment.
      base.replace('(#be-kind)', '(#be-cold)').replace('warm with', 'kind to').replace('see notes', 'see below'),
      // The prose itself: a new paragraph.
      base.replace('(#be-kind)', '(#be-cold)').replace('warm with', 'kind to').replace('flags its', 'flags all its'),
    ]);
    const paragraphs = documents.map((d) => d.traits[0].paragraphs[0]);
    for (let i = 1; i <= 4; i++) assert.equal(paragraphs[i], paragraphs[0], `edit ${i}: the same paragraph object`);
    assert.notEqual(paragraphs[5], paragraphs[0]);
    assert.match(paragraphs[5].text, /flags all its/);
    // The results follow the edits all the same.
    assert.deepEqual(
      documents.map((d) => d.references.map((r) => r.target)),
      [['be-kind'], ['be-calm'], ['be-calm'], ['be-cold'], ['be-cold'], ['be-cold']],
    );
    const unknown = (d: TraitDocument) => lintDocument(d).diagnostics.filter((x) => x.rule === 'unknown-reference').length;
    assert.deepEqual(documents.map(unknown), [0, 0, 0, 1, 1, 1]);
  });

  it('hands back the strings of sections an edit did not touch, and reads the touched one afresh', () => {
    const text = ['# Values\n', trait('Be honest', HONEST), trait('Be kind', KIND), trait('Be brief', 'Short answers, unless asked.')].join(
      '\n',
    );
    const before = parseTraitDocument(text, { previous: null });
    const after = parseTraitDocument(text.replace('warm with', 'kind to'), { previous: before });
    assert.equal(after.traits[0].chunk, before.traits[0].chunk);
    assert.equal(after.traits[2].paragraphs[0], before.traits[2].paragraphs[0]);
    assert.notEqual(after.traits[1].chunk, before.traits[1].chunk);
    assert.match(after.traits[1].chunk, /kind to/);
  });
});

describe('block scan given the previous one', () => {
  /** Scans `before` then `after` section by section; the recycler of the second scan. */
  function rescan(before: string, after: string, frontMatterEnd = -1, frontMatterEndAfter = frontMatterEnd): Recycler {
    const first = new Recycler();
    scanMarkdown(before, new LineIndex(before), frontMatterEnd, first);
    const second = new Recycler(first);
    scanMarkdown(after, new LineIndex(after), frontMatterEndAfter, second);
    return second;
  }

  it('marks the lines of sections it reuses at the same place unchanged, and no others', () => {
    const text = '# A\n\nOne.\n\n# B\n\nTwo.\n\n# C\n\nThree.\n';
    const same = rescan(text, text.replace('Two', 'Too'));
    assert.equal(same.shiftOf(0, 3) === 0, true);
    assert.equal(same.shiftOf(4, 4) === 0, false);
    assert.equal(same.shiftOf(8, 10) === 0, true);
    // A line break shifts every section below it: only those above stay.
    const shifted = rescan(text, text.replace('Two.', 'Two.\n'));
    assert.equal(shifted.shiftOf(0, 3) === 0, true);
    assert.equal(shifted.shiftOf(9, 9) === 0, false);
  });

  it('marks the lines of sections it reuses one line lower moved by one, and the edited section not at all', () => {
    const text = '# A\n\nOne.\n\n# B\n\nTwo.\n\n# C\n\nThree.\n\n# D\n\nFour.\n';
    const recycler = rescan(text, text.replace('Two.', 'Two.\n'));
    assert.equal(recycler.shiftOf(0, 3), 0);
    assert.equal(recycler.shiftOf(4, 8), undefined);
    // C and D, one run: lines 9..15 were 8..14.
    assert.equal(recycler.shiftOf(9, 15), 1);
    assert.equal(recycler.shiftOf(9, 16), undefined);
    assert.equal(recycler.shiftOf(8, 9), undefined);
    // A line removed above them moves them up.
    assert.equal(rescan(text, text.replace('One.\n', '')).shiftOf(3, 13), -1);
  });

  it('marks every section moved when a line is added at the top or the front matter grows', () => {
    const text = '# A\n\nOne.\n\n# B\n\nTwo.\n';
    assert.equal(rescan(text, `\n${text}`).shiftOf(1, 7), 1);
    const withFrontMatter = `---\na: 1\n---\n${text}`;
    const grown = rescan(withFrontMatter, withFrontMatter.replace('a: 1', 'a: 1\nb: 2'), 2, 3);
    assert.equal(grown.shiftOf(0, 3), undefined);
    assert.equal(grown.shiftOf(4, 10), 1);
  });

  it('never marks front matter lines, whose text the scan does not see', () => {
    const text = '---\na: 1\n---\n# A\n\nOne.\n';
    const recycler = rescan(text, text.replace('a: 1', 'a: 2'), 2);
    assert.equal(recycler.shiftOf(0, 2) === 0, false);
    assert.equal(recycler.shiftOf(3, 5) === 0, true);
  });
});

const lineRange = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 4 } });

/** A recycler's value for the one-line block at `line`: `{ text, range }`, its line noted in `builds` when built. */
function block(r: Recycler, line: number, text: string, builds: number[]): { text: string; range: ReturnType<typeof lineRange> } {
  return r.getFromLines(
    'b',
    line,
    line,
    line,
    () => [text],
    () => {
      builds.push(line);
      return { text, range: lineRange(line) };
    },
  );
}

describe('Recycler line runs', () => {
  it('knows a range unchanged only when every line of it was marked', () => {
    const recycler = new Recycler();
    recycler.markUnchanged(0, 3);
    recycler.markUnchanged(4, 6); // joins the run above
    recycler.markUnchanged(9, 12);
    assert.equal(recycler.shiftOf(0, 6) === 0, true);
    assert.equal(recycler.shiftOf(2, 2) === 0, true);
    assert.equal(recycler.shiftOf(5, 7) === 0, false);
    assert.equal(recycler.shiftOf(7, 8) === 0, false);
    assert.equal(recycler.shiftOf(8, 9) === 0, false);
    assert.equal(recycler.shiftOf(9, 12) === 0, true);
    assert.equal(recycler.shiftOf(12, 13) === 0, false);
    assert.equal(new Recycler().shiftOf(0, 0) === 0, false);
  });

  it('carries a value over only for the same lines while they are unchanged', () => {
    const first = new Recycler();
    let builds = 0;
    const build = () => ({ built: ++builds });
    const v1 = first.getFromLines('x', 5, 5, 7, () => ['text'], build);
    const second = new Recycler(first);
    second.markUnchanged(0, 10);
    assert.equal(
      second.getFromLines('x', 5, 5, 7, () => assert.fail('inputs read for unchanged lines'), build),
      v1,
    );
    const third = new Recycler(second);
    third.markUnchanged(0, 10);
    // Other lines at the same place: compared, and built again when the text differs.
    assert.notEqual(
      third.getFromLines('x', 5, 5, 8, () => ['other'], build),
      v1,
    );
    const fourth = new Recycler(first);
    // Not marked unchanged: the inputs are compared (equal here, so the value stands).
    assert.equal(
      fourth.getFromLines('x', 5, 5, 7, () => ['text'], build),
      v1,
    );
    assert.equal(builds, 2);
  });

  it('hands lines that moved a copy of their previous value with its ranges moved, without building it', () => {
    const range = (line: number, character: number) => ({ start: { line, character }, end: { line: line + 1, character: 4 } });
    const first = new Recycler();
    const v1 = first.getFromLines(
      'x',
      5,
      5,
      6,
      () => ['text'],
      () => ({ text: 'One.', range: range(5, 0), refs: [range(6, 2)] }),
      ['id'],
    );
    const second = new Recycler(first);
    second.markMoved(0, 20, 2);
    const fail = () => assert.fail('built again');
    const v2 = second.getFromLines('x', 7, 7, 8, () => assert.fail('inputs read for moved lines'), fail, ['id']);
    assert.deepEqual(v2, { text: 'One.', range: range(7, 0), refs: [range(8, 2)] });
    assert.deepEqual(v1.range, range(5, 0), 'the previous value is left as it was');
    // Carried on: a next parse with the lines unchanged hands back the moved value itself.
    const third = new Recycler(second);
    third.markUnchanged(0, 20);
    assert.equal(third.getFromLines('x', 7, 7, 8, fail, fail, ['id']), v2);
    // Moved lines whose value beside them differs, or another span of lines: built again.
    let builds = 0;
    const build = () => ({ built: ++builds });
    assert.deepEqual(
      second.getFromLines('y', 7, 7, 8, () => ['text'], build, ['other']),
      { built: 1 },
    );
    const fourth = new Recycler(first);
    fourth.markMoved(0, 20, 2);
    assert.deepEqual(
      fourth.getFromLines('x', 7, 7, 8, () => ['text'], build, ['other']),
      { built: 2 },
    );
    assert.deepEqual(
      fourth.getFromLines('x', 7, 7, 9, () => ['text'], build, ['id']),
      { built: 3 },
    );
  });

  it('builds a value again when a value given beside the lines differs, though the lines are unchanged', () => {
    const first = new Recycler();
    let builds = 0;
    const build = () => ({ built: ++builds });
    const v1 = first.getFromLines('x', 5, 5, 7, () => ['text'], build, ['be-honest']);
    const second = new Recycler(first);
    second.markUnchanged(0, 10);
    assert.equal(
      second.getFromLines('x', 5, 5, 7, () => assert.fail('inputs read for unchanged lines'), build, ['be-honest']),
      v1,
    );
    const third = new Recycler(second);
    third.markUnchanged(0, 10);
    const v3 = third.getFromLines('x', 5, 5, 7, () => ['text'], build, ['be-candid']);
    assert.notEqual(v3, v1);
    assert.equal(builds, 2);
  });

  it('moves the values of lines a line break moved, even to a place this parse has already written', () => {
    const builds: number[] = [];
    const first = new Recycler();
    block(first, 9, 'nine', builds);
    block(first, 10, 'ten', builds);
    builds.length = 0;
    // A line inserted above line 9: lines 9 and 10 are now 10 and 11. Place 10 is written (by the old
    // line 9) before the old line 10 is looked up there.
    const second = new Recycler(first);
    second.markMoved(10, 11, 1);
    assert.deepEqual(block(second, 10, 'nine', builds), { text: 'nine', range: lineRange(10) });
    assert.deepEqual(block(second, 11, 'ten', builds), { text: 'ten', range: lineRange(11) });
    assert.deepEqual(builds, []);
  });

  it('never hands back a value from two parses back', () => {
    const builds: number[] = [];
    const first = new Recycler();
    block(first, 5, 'old', builds);
    // The second parse writes nothing at line 5 (it is code there, say); the third finds line 5
    // unchanged since the second, but the first's value is stale.
    const second = new Recycler(first);
    const third = new Recycler(second);
    third.markUnchanged(0, 10);
    builds.length = 0;
    assert.deepEqual(block(third, 5, 'new', builds), { text: 'new', range: lineRange(5) });
    assert.deepEqual(builds, [5]);
  });

  it('hands back the previous values to every parse built on one parse, and keeps each line of parses whole', () => {
    const builds: string[] = [];
    // A parse whose line 1 holds `text`; `unchanged` when it did in the previous parse too.
    const parse = (previous: Recycler | undefined, text: string, unchanged: boolean) => {
      const r = new Recycler(previous);
      if (unchanged) r.markUnchanged(0, 3);
      const v = r.getFromLines(
        'b',
        1,
        1,
        1,
        () => [text],
        () => (builds.push(text), { text }),
      );
      return { r, v };
    };
    const base = parse(undefined, 'base', false);
    // Parses from the base: an editor's abandoned versions, say.
    assert.equal(parse(base.r, 'base', true).v, base.v);
    assert.equal(parse(base.r, 'base', true).v, base.v);
    const one = parse(base.r, 'one', false);
    parse(base.r, 'two', false);
    const three = parse(base.r, 'three', false);
    assert.deepEqual(builds, ['base', 'one', 'two', 'three']);
    // Each goes on from its own values, whatever its siblings wrote after it.
    assert.equal(parse(one.r, 'one', true).v, one.v);
    assert.equal(parse(three.r, 'three', true).v, three.v);
    assert.deepEqual(builds, ['base', 'one', 'two', 'three']);
  });
});

describe('Recycler keep and get', () => {
  it('hands back an equal object, and keeps a changed one', () => {
    const first = new Recycler();
    const a = first.keep('t', 3, { title: 'A', range: lineRange(3) });
    const second = new Recycler(first);
    assert.equal(second.keep('t', 3, { title: 'A', range: lineRange(3) }), a);
    const changed = { title: 'B', range: lineRange(3) };
    assert.equal(second.keep('t', 3, changed), changed);
    // The next parse compares with what this one kept.
    assert.equal(new Recycler(second).keep('t', 3, { title: 'B', range: lineRange(3) }), changed);
  });

  it('builds again only what was built from other inputs', () => {
    const builds: number[] = [];
    const first = new Recycler();
    const v = first.get('s', 'x', ['one'], () => (builds.push(1), { n: 1 }));
    const second = new Recycler(first);
    assert.equal(
      second.get('s', 'x', ['one'], () => (builds.push(2), { n: 2 })),
      v,
    );
    assert.deepEqual(
      second.get('s', 'y', ['one'], () => (builds.push(3), { n: 3 })),
      { n: 3 },
    );
    assert.deepEqual(
      new Recycler(second).get('s', 'x', ['two'], () => (builds.push(4), { n: 4 })),
      { n: 4 },
    );
    assert.deepEqual(builds, [1, 3, 4]);
  });
});
