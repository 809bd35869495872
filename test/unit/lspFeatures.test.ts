import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { codeActions, fixAllEdits, insertPart, PART_PLACEHOLDER } from '../../server/src/lsp/codeActions';
import { codeLenses } from '../../server/src/lsp/codeLens';
import { completions } from '../../server/src/lsp/completion';
import { hover } from '../../server/src/lsp/hover';
import { toLspDiagnostic } from '../../server/src/lsp/convert';
import { definition, references, rename } from '../../server/src/lsp/navigation';
import { documentSymbols, foldingRanges } from '../../server/src/lsp/symbols';
import { lintDocument } from '../../server/src/rules/lint';

const URI = 'file:///a.traits.md';

/** `text` with LSP text edits applied (positions in the original text). */
function apply(text: string, edits: readonly { range: { start: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.start)), text);
}
const TEXT = [
  '# Character', //                                          0
  '',
  '## Be honest', //                                         2
  '',
  'Say what you believe, balanced against [[Be kind]].', //  4
  '',
  '### Exceptions', //                                       6
  '',
  'In fiction.', //                                          8
  '',
  '## Be kind {#kind}', //                                   10
  '',
  'See [[#be-honest]] and [honesty](#be-honest); also [[#kind]].', // 12
].join('\n');

describe('language features (in memory)', () => {
  const doc = parseTraitDocument(TEXT);

  it('outlines groups, traits and parts, and folds sections', () => {
    const symbols = documentSymbols(doc);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children?.map((c) => [c.name, c.children?.map((p) => p.name)])]),
      [
        [
          'Character',
          [
            ['Be honest', ['Exceptions']],
            ['Be kind', []],
          ],
        ],
      ],
    );
    assert.ok(foldingRanges(doc).some((r) => r.startLine === 2 && r.endLine === 8));
    const regions = foldingRanges(parseTraitDocument('# T\n\n<!-- #region notes -->\nText.\n<!-- #endregion -->\n'));
    assert.deepEqual(
      regions.filter((r) => r.kind === 'region').map((r) => [r.startLine, r.endLine]),
      [[2, 4]],
    );
  });

  it('goes to definition and finds references', () => {
    assert.deepEqual(definition(URI, doc, { line: 4, character: 45 })?.range.start, { line: 10, character: 0 });
    assert.deepEqual(
      references(URI, doc, { line: 2, character: 5 }, false).map((l) => l.range.start),
      [
        { line: 12, character: 4 },
        { line: 12, character: 23 },
      ],
    );
  });

  it('renames a title, its [[Title]] references and slug-id references, in other open documents too', () => {
    const other = parseTraitDocument('# Elsewhere\n\nWeighed against [[Be honest]] and [[Elsewhere]].');
    const edit = rename(URI, doc, { line: 2, character: 4 }, 'Be candid', [{ uri: 'file:///b.traits.md', document: other }]);
    assert.deepEqual(
      edit?.changes?.[URI].map((e) => [e.range.start.line, e.range.start.character, e.newText]),
      [
        [2, 3, 'Be candid'],
        [12, 7, 'be-candid'],
        [12, 34, 'be-candid'],
      ],
    );
    assert.deepEqual(
      edit?.changes?.['file:///b.traits.md'].map((e) => e.newText),
      ['Be candid'],
    );
  });

  it('renames an explicit id everywhere, leaving the title', () => {
    const edit = rename(URI, doc, { line: 12, character: 57 }, 'kindness', []);
    assert.deepEqual(
      edit?.changes?.[URI].map((e) => [e.range.start.line, e.newText]),
      [
        [10, 'kindness'],
        [12, 'kindness'],
      ],
    );
  });

  it('inserts a missing part with its placeholder in canonical order, and offers it as the preferred quick fix', () => {
    const honest = doc.traits[0];
    assert.deepEqual(insertPart(doc, honest, 'rationale'), {
      range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } },
      newText: `### Why\n\n${PART_PLACEHOLDER.rationale}\n\n`,
    });
    const findings = lintDocument(doc).diagnostics;
    const missing = findings.find((f) => f.rule === 'missing-rationale' && f.traitId === 'be-honest')!;
    const actions = codeActions(URI, doc, [toLspDiagnostic(URI, missing)], findings, undefined, { range: missing.range });
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Add a Why part', 'Disable missing-rationale for this line', 'Disable missing-rationale for this file'],
    );
    assert.equal(actions[0].isPreferred, true);
  });

  it('adds missing parts as snippet edits with the cursor in the first placeholder, for a client that takes them', () => {
    const findings = lintDocument(doc).diagnostics;
    const kind = doc.traits[1];
    const diagnostics = findings.filter((f) => f.traitId === 'kind' && f.rule.startsWith('missing-')).map((f) => toLspDiagnostic(URI, f));
    const actions = codeActions(URI, doc, diagnostics, findings, undefined, { range: diagnostics[0].range, snippets: true, version: 7 });
    const all = actions.find((a) => a.title === 'Add missing parts: Why, Trade-offs, Exceptions')!;
    assert.ok(all, actions.map((a) => a.title).join(' | '));
    assert.equal(all.isPreferred, true);
    assert.deepEqual(
      all.diagnostics?.map((d) => d.code),
      ['missing-rationale', 'missing-tradeoffs', 'missing-exceptions'],
    );
    const [change] = all.edit!.documentChanges as {
      textDocument: { uri: string; version: number };
      edits: { range: unknown; snippet: { kind: string; value: string } }[];
    }[];
    assert.deepEqual(change.textDocument, { uri: URI, version: 7 });
    const end = kind.range.end.line;
    assert.deepEqual(change.edits, [
      {
        range: {
          start: { line: end, character: doc.lines.lineText(end).length },
          end: { line: end, character: doc.lines.lineText(end).length },
        },
        snippet: {
          kind: 'snippet',
          value: `\n\n### Why\n\n\${1:${PART_PLACEHOLDER.rationale}}\n\n### Trade-offs\n\n\${2:${PART_PLACEHOLDER.tradeoffs}}\n\n### Exceptions\n\n\${3:${PART_PLACEHOLDER.exceptions}}`,
        },
      },
    ]);
    // Each part alone too, not preferred: the one that completes the trait is.
    const single = actions.filter((a) => /^Add an? \S+ part$/.test(a.title));
    assert.deepEqual(
      single.map((a) => [a.title, a.isPreferred]),
      [
        ['Add a Why part', false],
        ['Add a Trade-offs part', false],
        ['Add an Exceptions part', false],
      ],
    );
    // Literal snippet characters in a heading are escaped; a client without snippets gets plain text.
    const plain = codeActions(URI, doc, diagnostics, findings, undefined, { range: diagnostics[0].range });
    assert.equal(plain.find((a) => a.title === all.title)?.edit?.changes?.[URI][0].newText.includes('${'), false);
  });

  it('offers Disable entries for the diagnostic under the cursor only', () => {
    const draft = parseTraitDocument(
      '# Ask before acting\n\nThe assistant should always ask clarifying questions before it starts a task.\n',
    );
    const findings = lintDocument(draft).diagnostics;
    const onHeading = findings.filter((f) => f.range.start.line === 0).map((f) => toLspDiagnostic(URI, f));
    assert.ok(onHeading.length >= 4, onHeading.map((d) => d.code).join(', '));
    const titles = codeActions(URI, draft, onHeading, findings, undefined, { range: onHeading[0].range }).map((a) => a.title);
    const disable = titles.filter((t) => t.startsWith('Disable'));
    assert.deepEqual(disable, [`Disable ${onHeading[0].code} for this line`, `Disable ${onHeading[0].code} for this file`]);
    // The cursor on the sentence's "always" (unqualified-absolute) offers that rule's.
    const always = findings.find((f) => f.rule === 'unqualified-absolute')!;
    const cursor = { start: always.range.start, end: always.range.start };
    const there = codeActions(
      URI,
      draft,
      findings.filter((f) => f.range.start.line === 2).map((f) => toLspDiagnostic(URI, f)),
      findings,
      undefined,
      { range: cursor },
    );
    assert.deepEqual(
      there.filter((a) => a.title.startsWith('Disable')).map((a) => a.title),
      ['Disable unqualified-absolute for this line', 'Disable unqualified-absolute for this file'],
    );
  });

  it('applying Add missing parts leaves fewer findings, never more (the placeholders state the parts)', () => {
    const text =
      '# Ask before acting\n\nThe assistant should always ask clarifying questions before it starts a task.\n\n# Be good\n\nBe good and helpful.\n';
    const draft = parseTraitDocument(text);
    const findings = lintDocument(draft).diagnostics;
    for (const [i, trait] of draft.traits.entries()) {
      const missing = findings.filter((f) => f.traitId === trait.id && f.rule.startsWith('missing-')).map((f) => toLspDiagnostic(URI, f));
      for (const title of ['Add a Why part', 'Add missing parts: Why, Trade-offs, Exceptions']) {
        const action = codeActions(URI, draft, missing, findings, undefined, { range: missing[0].range }).find((a) => a.title === title)!;
        const after = lintDocument(parseTraitDocument(apply(text, action.edit!.changes![URI]))).diagnostics;
        assert.ok(
          after.length < findings.length,
          `trait ${i} "${title}": ${findings.length} → ${after.length}: ${after.map((f) => f.rule).join(', ')}`,
        );
        assert.ok(!after.some((f) => f.rule === 'empty-trait'), title);
      }
    }
  });

  it('fixes all typos that have one plausible correction', () => {
    const typo = parseTraitDocument(
      '# Be kind\n\nSee [[Be knid]] and [[Nothing like it]].\n\n<!-- traits-disable-next-line missing-rationle -->\n',
    );
    const findings = lintDocument(typo).diagnostics;
    assert.deepEqual(
      fixAllEdits(findings).map((e) => e.newText),
      ['Be kind', 'missing-rationale'],
    );
    const actions = codeActions(URI, typo, [], findings, ['source.fixAll']);
    assert.deepEqual(
      actions.map((a) => a.kind),
      ['source.fixAll.traits'],
    );
  });

  it('completes references, part headings and front-matter keys', () => {
    const d = parseTraitDocument('---\nlint:\n  \n---\n# Be kind\n\nSee [[\n\n## ');
    assert.deepEqual(
      completions(d, { line: 6, character: 6 }).map((c) => c.label),
      ['Be kind'],
    );
    assert.deepEqual(
      completions(d, { line: 8, character: 3 }).map((c) => c.label),
      ['Why', 'Trade-offs', 'Exceptions', 'Examples'],
    );
    assert.ok(completions(d, { line: 2, character: 2 }).some((c) => c.label === 'missing-rationale'));
    assert.ok(completions(d, { line: 1, character: 0 }).some((c) => c.label === 'traitHeadingLevel'));
  });

  it('handles references inside headings, repeated slugs and [[id]] references when renaming', () => {
    const d = parseTraitDocument(
      '## Honesty\n\nText.\n\n## Prefer [[Honesty]] over tact\n\nText.\n\n## Care\n\nA.\n\n## Care\n\nB, see [x](#care-1) and [[kindness]].\n\n## Kind {#kindness}\n\nC.',
    );
    assert.deepEqual(definition(URI, d, { line: 4, character: 13 })?.range.start, { line: 0, character: 0 });
    // Retitling the first "Care" renumbers the second from care-1 to care.
    const first = rename(URI, d, { line: 8, character: 4 }, 'Concern', []);
    assert.deepEqual(
      first?.changes?.[URI].map((e) => [e.range.start.line, e.newText]),
      [
        [8, 'Concern'],
        [14, 'care'],
      ],
    );
    const byId = rename(URI, d, { line: 16, character: 10 }, 'gentle', []);
    assert.deepEqual(
      byId?.changes?.[URI].map((e) => [e.range.start.line, e.newText]),
      [
        [16, 'gentle'],
        [14, 'gentle'],
      ],
    );
  });

  it('completes inside an existing reference without doubling it', () => {
    const d = parseTraitDocument('# Be kind\n\nSee [[Be ki]].');
    const [item] = completions(d, { line: 2, character: 10 });
    assert.deepEqual(item.textEdit, { range: { start: { line: 2, character: 6 }, end: { line: 2, character: 11 } }, newText: 'Be kind' });
  });

  it('keeps disable comments out of front matter and handles a file that ends with it', () => {
    const d = parseTraitDocument('---\nfoo: 1\n---');
    const findings = lintDocument(d).diagnostics;
    const actions = codeActions(
      URI,
      d,
      findings.map((f) => toLspDiagnostic(URI, f)),
      findings,
      undefined,
    );
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Disable front-matter for this file'],
    );
    assert.deepEqual(actions[0].edit?.changes?.[URI], [
      {
        range: { start: { line: 2, character: 3 }, end: { line: 2, character: 3 } },
        newText: '\n<!-- traits-disable-file front-matter -->',
      },
    ]);
  });

  it('hovers a trait heading with its coverage, and a reference with the named trait', () => {
    const findings = lintDocument(doc).diagnostics;
    const onHeading = hover(doc, { line: 2, character: 5 }, findings)?.contents as { value: string };
    assert.match(onHeading.value, /Reason: \*\*missing\*\*/);
    assert.match(onHeading.value, /Exceptions: stated in a part heading: _In fiction\\\._/);
    // The coverage card first, the diagnostics after it.
    assert.match(onHeading.value, /\n---\n\n\*\*2 diagnostics\*\* \(0 errors, 2 warnings, 0 other\): `missing-rationale`, `vague-trait`$/);
    assert.ok(onHeading.value.indexOf('Examples:') < onHeading.value.indexOf('diagnostics'), onHeading.value);
    const onReference = hover(doc, { line: 4, character: 45 }, findings)?.contents as { value: string };
    assert.equal(onReference.value, '**Be kind** `#kind`\n\nSee [[#be-honest]] and [honesty](#be-honest); also [[#kind]].');
  });

  it('puts a coverage lens above each trait', () => {
    const lenses = codeLenses(doc, lintDocument(doc).diagnostics);
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      [
        '✗ reason · ✓ trade-offs · ✓ exceptions · 0 examples · 2 problems',
        '✗ reason · ✗ trade-offs · ✗ exceptions · 0 examples · 4 problems',
      ],
    );
  });

  it('adds Preview and Probe lenses running those commands for that trait when the client has them', () => {
    const lenses = codeLenses(doc, lintDocument(doc).diagnostics, 'file:///a.traits.md');
    const previews = lenses.filter((l) => l.command?.command === 'traitStudio.previewScenarios');
    assert.deepEqual(
      previews.map((l) => [l.range.start.line, l.command?.title, l.command?.arguments]),
      doc.traits.map((t) => [t.heading.range.start.line, '$(play) Preview', ['file:///a.traits.md', t.id]]),
    );
    const probes = lenses.filter((l) => l.command?.command === 'traitStudio.probeTrait');
    assert.deepEqual(
      probes.map((l) => [l.range.start.line, l.command?.title, l.command?.arguments]),
      doc.traits.map((t) => [t.heading.range.start.line, '$(beaker) Probe', ['file:///a.traits.md', t.id]]),
    );
    assert.equal(lenses.length, 3 * doc.traits.length);
  });
});
