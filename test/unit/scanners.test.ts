/**
 * The document scanners that replaced super-linear regular expressions (issue 11) find exactly what
 * those expressions found: property tests over generated text dense in the characters that matter
 * (brackets, backticks, comment markers, blanks, quotes), against the expressions kept as oracles
 * (test/unit/oracles/regexScanners.ts), plus the adversarial inputs themselves, small.
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> node --import tsx --test test/unit/scanners.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAttributeBlock } from '../../server/src/document/attributes';
import { directiveComments } from '../../server/src/document/directives';
import { parseExample } from '../../server/src/document/examples';
import { atxContent } from '../../server/src/document/atx';
import { LineIndex } from '../../server/src/document/position';
import { findReferences, maskCodeAndComments, maskCodeSpans, maskLinkDestinations } from '../../server/src/document/references';
import { htmlAnchorIds } from '../../server/src/document/resolve';
import {
  oldAtxContent,
  oldDirectiveComments,
  oldExampleTurns,
  oldFindReferences,
  oldHtmlAnchorIds,
  oldMaskCodeAndComments,
  oldMaskCodeSpans,
  oldMaskLinkDestinations,
  oldParseAttributeBlock,
} from './oracles/regexScanners';

const RUNS = Number(process.env.FC_RUNS ?? 500);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), ...(PATH !== undefined ? { path: PATH } : {}) };

/** Text made of `atoms`, up to `maxLength` of them. */
const textOf = (atoms: readonly string[], maxLength = 40) => fc.array(fc.constantFrom(...atoms), { maxLength }).map((a) => a.join(''));

const REFERENCE_ATOMS = [
  '[',
  ']',
  '[[',
  ']]',
  '(',
  ')',
  '](',
  '](#',
  '#',
  '|',
  ' ',
  '\t',
  '\n',
  'a',
  'b c',
  '"',
  '"t"',
  'x-y',
  '%20',
  '`',
  '``',
  '<!--',
  '-->',
  'é',
  '😀',
];
const COMMENT_ATOMS = ['<!--', '-->', '<!-->', '--', '-', '>', '<', '!', ' ', '\n', 'a', '`', '``', '```', 'traits-', 'disable', '\t'];
const DIRECTIVE_ATOMS = [
  '<!--',
  '-->',
  ' ',
  '\t',
  '\n',
  '\u00a0',
  'traits-',
  'TRAITS-',
  'disable',
  '-next-line',
  'enable',
  '-file',
  'x',
  ',',
  '-',
  '--',
  '>',
  'a1',
];
const HEADING_ATOMS = [' ', '\t', '#', '##', 'a', 'b', '\u2028', '{', '}', '{#x}', '.c', 'k=v', '="q q"', "='s'", '=', '"', "'", '\n'];
const TURN_ATOMS = [
  '<user>',
  '</user>',
  '<assistant>',
  '</assistant >',
  '<user x="1">',
  '<users>',
  '</user',
  '>',
  '<',
  ' ',
  '\n',
  'hi',
  '<!--',
  '-->',
  ' GOOD',
  'bad:',
  '<!-- GOOD -->',
  '<tool>',
  '</tool>',
];
const ANCHOR_ATOMS = ['<a', '<span', '<', '>', ' ', '\n', 'id=', 'ID=', 'name=', '"', "'", 'x', 'y z', '<1', '\t'];

describe('scanners that replaced super-linear regular expressions', () => {
  it('mask code spans, comments and link destinations as the expressions did', () => {
    fc.assert(
      fc.property(textOf([...REFERENCE_ATOMS, ...COMMENT_ATOMS, '`', '``', '```']), (text) => {
        assert.equal(maskCodeSpans(text), oldMaskCodeSpans(text));
        assert.equal(maskCodeAndComments(text), oldMaskCodeAndComments(text));
        assert.equal(maskLinkDestinations(text), oldMaskLinkDestinations(text));
      }),
      params,
    );
  });

  it('find the same [[references]] and [links](#id), with the same ranges', () => {
    fc.assert(
      fc.property(textOf(REFERENCE_ATOMS), (text) => {
        const found = findReferences(0, text, () => undefined).map(({ fromTrait: _, ...r }) => r);
        assert.deepEqual(found, oldFindReferences(text));
      }),
      params,
    );
  });

  it('find the same traits- comments', () => {
    fc.assert(
      fc.property(textOf(DIRECTIVE_ATOMS), (text) => assert.deepEqual([...directiveComments(text)], oldDirectiveComments(text))),
      params,
    );
  });

  it('read ATX heading titles and attribute blocks the same way', () => {
    fc.assert(
      fc.property(textOf(HEADING_ATOMS, 20), (rest) => {
        for (const line of [`#${rest}`, `## ${rest}`, `   ### ${rest} ##`, `    # ${rest}`, rest])
          assert.deepEqual(atxContent(line), oldAtxContent(line), JSON.stringify(line));
        assert.deepEqual(parseAttributeBlock(`T ${rest}`), oldParseAttributeBlock(`T ${rest}`));
        assert.deepEqual(parseAttributeBlock(`T {${rest}}`), oldParseAttributeBlock(`T {${rest}}`));
      }),
      params,
    );
  });

  it('read the same example turns and markers', () => {
    fc.assert(
      fc.property(textOf(TURN_ATOMS), fc.boolean(), (body, closed) => {
        const text = `\`\`\`\n${body}\n${closed ? '```' : 'tail'}`;
        const lines = new LineIndex(text);
        const last = lines.lineCount - 1;
        assert.deepEqual(parseExample(lines, 0, last, closed)?.turns, oldExampleTurns(lines, 0, last, closed));
      }),
      params,
    );
  });

  it('find the same HTML anchors', () => {
    fc.assert(
      fc.property(textOf(ANCHOR_ATOMS), (text) => assert.deepEqual(htmlAnchorIds(text), oldHtmlAnchorIds(text))),
      params,
    );
  });

  it('keep their answers on the adversarial inputs (small versions)', () => {
    const inputs = [
      `[[${' '.repeat(300)}`,
      `[[ a${' '.repeat(200)}|x]]`,
      ']('.repeat(500),
      '<!-- a '.repeat(300),
      '<!-- traits-disable x '.repeat(200),
      `${'`'.repeat(300)} x`,
      '<a '.repeat(300),
      `[a](#x${' '.repeat(300)}`,
    ];
    for (const text of inputs) {
      assert.equal(maskCodeAndComments(text), oldMaskCodeAndComments(text));
      assert.equal(maskLinkDestinations(text), oldMaskLinkDestinations(text));
      assert.deepEqual(
        findReferences(0, text, () => undefined).map(({ fromTrait: _, ...r }) => r),
        oldFindReferences(text),
      );
      assert.deepEqual([...directiveComments(text)], oldDirectiveComments(text));
      assert.deepEqual(htmlAnchorIds(text), oldHtmlAnchorIds(text));
    }
    const spaced = `# T${' '.repeat(500)}x`;
    assert.deepEqual(atxContent(spaced), oldAtxContent(spaced));
    // Exponential for the expression past ~25 items; a few stay cheap for the oracle.
    const ambiguous = `T {${'a="b a=" '.repeat(12)} =}`;
    assert.deepEqual(parseAttributeBlock(ambiguous), oldParseAttributeBlock(ambiguous));
  });

  it('stay fast where the expressions blew up (the inputs are too large for the oracles)', () => {
    // These ran for minutes (or, for the attribute block, hours) before; now each is one pass.
    assert.equal(parseAttributeBlock(`T {${'a="b a=" '.repeat(2000)} =}`), undefined);
    assert.equal(findReferences(0, `[[${' '.repeat(200_000)}`, () => undefined).length, 0);
    assert.equal([...directiveComments('<!-- traits-disable x '.repeat(100_000))].length, 0);
    assert.equal(maskCodeAndComments(`${'`'.repeat(200_000)} x`).length, 200_002);
  });
});
