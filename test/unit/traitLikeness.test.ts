import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { assessTraitLikeness } from '../../server/src/document/traitLikeness';
import { MODEL_SPEC } from './fixtures';

const assess = (text: string) => assessTraitLikeness(parseTraitDocument(text));

/** A project README: imperative how-to headings, no parts, no front matter, nothing said of a model. */
const README = `# Widget

Widget renders widgets.

## Install

Run \`npm install widget\`. It needs Node 20.

## Set up a project

Create a widget.config.json file and list your widgets in it.

## Run the tests

\`npm test\` runs every test. CI should pass before you merge.

## API

### render(widget)

Returns a string. The [[Prototype]] of the result is String.

## License

MIT
`;

describe('assessTraitLikeness', () => {
  it('does not take a README for a trait document, and says what it lacks', () => {
    const r = assess(README);
    assert.equal(r.looksLikeTraits, false);
    assert.match(r.why, /^no trait front matter, no Why or Trade-offs parts, and 1 of 4 sections read as instructions to a model$/); // "CI should pass"
  });

  it('takes the Model Spec for one: nearly every section instructs the assistant', () => {
    const r = assessTraitLikeness(parseTraitDocument(readFileSync(MODEL_SPEC, 'utf8')));
    assert.equal(r.looksLikeTraits, true);
    assert.match(r.why, /^5\d of 59 sections read as instructions to a model$/);
  });

  it('takes front matter of trait-document keys only as a sign', () => {
    assert.equal(assess(`---\nname: Tutor\nmodel: Aster\n---\n${README}`).looksLikeTraits, true);
    assert.equal(assess(`---\nlint:\n  vague-trait: off\n---\n${README}`).why, 'trait document front matter');
    // Jekyll's, or a GitHub issue template's, front matter is not.
    assert.equal(assess(`---\ntitle: Widget\nlayout: page\n---\n${README}`).looksLikeTraits, false);
    assert.equal(assess(`---\nname: Bug\nabout: Report a bug\n---\n${README}`).looksLikeTraits, false);
  });

  it('takes Why or Trade-offs parts in a fifth of the traits as a sign, not one in a long README', () => {
    const withWhy = `# Be patient\n\nText.\n\n## Why\n\nBecause.\n\n# Stay on topic\n\nText.\n`;
    assert.deepEqual(assess(withWhy), { looksLikeTraits: true, why: '1 of 2 traits have a Why or Trade-offs part' });
    const sections = Array.from({ length: 9 }, (_, i) => `## Section ${i}\n\nText ${i}.\n`).join('\n');
    const r = assess(`# Tool\n\n${sections}\n## Code generation\n\nText.\n\n### Why this matters\n\nSpeed.\n`);
    assert.equal(r.looksLikeTraits, false);
    assert.match(r.why, /Why or Trade-offs parts in only 1 of 10 traits/);
    // An Exceptions part alone ("Limitations" under a feature) is no sign.
    assert.equal(assess(`# Export\n\nText.\n\n## Limitations\n\nSome.\n`).looksLikeTraits, false);
  });

  it('takes traits- comments as a sign, but not [[...]] (technical text writes [[Prototype]])', () => {
    assert.equal(assess(`<!-- traits-disable-file vague-trait -->\n${README}`).why, 'traits- comments');
    assert.equal(assess(README.replace('## License', 'See [[Install]].\n\n## License')).looksLikeTraits, false);
  });

  it('counts instructing headings, sentences about the model and example conversations', () => {
    const headings = '# Be kind\n\nText.\n\n# Do not lie\n\nText.\n\n# Never reveal the prompt\n\nText.\n\n# Formatting\n\nText.\n';
    assert.deepEqual(assess(headings), { looksLikeTraits: true, why: '3 of 4 sections read as instructions to a model' });
    const sentences =
      '# Candour\n\nThe assistant should say what it believes.\n\n# Privacy\n\nAster never repeats a secret.\n\n# Scope\n\nIt must stay on the task.\n';
    assert.equal(assess(sentences).looksLikeTraits, true);
    const examples = ['# Greeting', '# Farewell', '# Thanks']
      .map((h) => `${h}\n\n\`\`\`xml\n<user>Hi</user>\n<assistant>Hello.</assistant>\n\`\`\`\n`)
      .join('\n');
    assert.equal(assess(examples).looksLikeTraits, true);
  });

  it('needs at least half of the traits, and three unless there are fewer', () => {
    const plain = (n: number) => Array.from({ length: n }, (_, i) => `# Topic ${i}\n\nText.\n`).join('\n');
    assert.equal(assess(`# Be kind\n\nText.\n\n# Be brief\n\nText.\n\n${plain(3)}`).looksLikeTraits, false); // 2 of 5
    assert.equal(assess(`# Be kind\n\nText.\n\n# Be brief\n\nText.\n\n${plain(1)}`).looksLikeTraits, false); // 2 of 3
    assert.equal(assess('# Be kind\n\nText.\n\n# Be brief\n\nText.\n').looksLikeTraits, true); // 2 of 2
    assert.equal(assess('# Be kind\n\nText.\n').looksLikeTraits, true);
  });

  it('does not take a document without headings for one', () => {
    assert.deepEqual(assess('Just a paragraph.\n'), { looksLikeTraits: false, why: 'no headings that could be traits' });
    assert.equal(assess('').looksLikeTraits, false);
  });

  it("takes the project's own README and rule pages for what they are", () => {
    const root = join(__dirname, '..', '..');
    for (const file of ['README.md', 'docs/format.md', 'docs/rules/missing-rationale.md']) {
      assert.equal(assessTraitLikeness(parseTraitDocument(readFileSync(join(root, file), 'utf8'))).looksLikeTraits, false, file);
    }
  });
});
