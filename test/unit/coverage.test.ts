// The coverage rules on what real documents do (issue 10): long traits, cues in the wrong place,
// absolutes that bound nothing or are declared, wording the cues missed, group introductions and
// priorities, and documents in other languages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evidenceText, traitCoverage, type Evidence } from '../../server/src/analysis/coverage';
import { parseTraitDocument } from '../../server/src/document/parse';
import { hover } from '../../server/src/lsp/hover';
import { lintDocument } from '../../server/src/rules/lint';

const lint = (text: string) => lintDocument(parseTraitDocument(text)).diagnostics;
const rulesOn = (text: string, title: string) =>
  lint(text)
    .filter((d) => d.trait === title)
    .map((d) => d.rule);
const COVERAGE = ['missing-rationale', 'missing-tradeoffs', 'missing-exceptions', 'unqualified-absolute'];

describe('class 1: a cue somewhere in a long trait is not the trait stating a part', () => {
  it('reports a long trait whose cues all belong to something else', () => {
    const text = [
      '## Keep to the protocol',
      'The assistant follows the clinical protocol step by step.',
      'It never concludes that, since the user is a nurse, the protocol does not apply to them.',
      'A model telling itself "this case is special, so the rule lapses" has already gone wrong.',
      'When a user offers a justification because their shift is ending, the assistant still asks which step they are on.',
      'User: skip the checks, because I am in a hurry.',
      'Rather than listing every step at once, it gives the next one.',
      'It names the step, the dose and the check that follows.',
      'It asks the user to confirm each check in their own words.',
      'A conflict of interest, such as a sponsor, is declared up front.',
    ].join('\n');
    assert.deepEqual(
      rulesOn(text, 'Keep to the protocol')
        .filter((r) => r.startsWith('missing'))
        .sort(),
      ['missing-exceptions', 'missing-rationale', 'missing-tradeoffs'],
    );
  });

  it('still finds the trait’s own reason, trade-off and exception among them', () => {
    const text = [
      '## Keep to the protocol',
      'The assistant follows the clinical protocol step by step, because a skipped check can harm the patient.',
      'A model telling itself "this case is special, so the rule lapses" has already gone wrong.',
      'Thoroughness is weighed against the user’s time: routine checks are summarised in one line.',
      'The protocol does not apply when the user is a clinician reviewing it rather than following it.',
    ].join('\n');
    const coverage = traitCoverage(parseTraitDocument(text).traits[0]);
    assert.deepEqual([coverage.rationale?.by, coverage.tradeoffs?.by, coverage.exceptions?.by], ['prose', 'prose', 'prose']);
    assert.equal(coverage.rationale?.by === 'prose' && coverage.rationale.sentences[0].cue.phrase, 'because');
  });
});

describe('class 2: cues in the wrong place do not count', () => {
  const trait = (body: string) => traitCoverage(parseTraitDocument(`## T\n${body}`).traits[0]);
  it('a reason inside a description of what not to conclude', () => {
    assert.equal(
      trait('The assistant should never conclude that, since the user is an expert, a warning is unnecessary.').rationale,
      undefined,
    );
  });
  it('reasoning in quotes', () => {
    assert.equal(
      trait('The assistant ignores a model telling itself "this case is special because the user is an expert, so the rule lapses".')
        .rationale,
      undefined,
    );
  });
  it('an example conversation written as prose', () => {
    assert.equal(trait('User: Can you skip the checks, because I am in a hurry?').rationale, undefined);
  });
  it('a condition about the user', () => {
    assert.equal(
      trait('When a user offers a justification because their deadline is close, the assistant still asks for the order number.').rationale,
      undefined,
    );
  });
  it('an effect that only describes what is meant ("advice that could result in harm")', () => {
    assert.equal(trait('The assistant avoids advice that if improper could result in physical harm.').rationale, undefined);
  });
  it('what the user may choose is not an exception', () => {
    assert.equal(trait('In voice mode the user may choose to share video.').exceptions, undefined);
  });
});

describe('class 3: absolutes that bound nothing, and absolutes declared on purpose', () => {
  const absolutes = (body: string) => lint(`## T\n${body}`).filter((d) => d.rule === 'unqualified-absolute').length;
  it('negated and hedged ones are not reported', () => {
    assert.equal(absolutes('The assistant cannot always know the user’s intent, and the question might never be settled.'), 0);
  });
  it('factual and logical claims are not reported', () => {
    assert.equal(
      absolutes('Silence is never neutral. Because the rules restrict actions, it must always be possible to satisfy every one of them.'),
      0,
    );
  });
  it('an absolute about the model’s behaviour is', () => {
    assert.equal(absolutes('The assistant never shares a user’s address.'), 1);
    assert.equal(absolutes('The assistant does not under any circumstances share a user’s address.'), 1);
  });
  for (const declaration of [
    'This is a bright line.',
    'This rule is non-negotiable.',
    'No instruction can override this.',
    'It holds regardless of context.',
  ]) {
    it(`a declared absolute is accepted: ${declaration}`, () => {
      assert.equal(absolutes(`The assistant never gives synthesis routes for nerve agents. ${declaration}`), 0);
    });
  }
  it('an absolute or a declaration wrapped onto the indented next line of a list item is read whole', () => {
    const item = (second: string) =>
      lint(`# G\n## T\n- The assistant never shares keys, because keys are secret. It weighs speed against care. ${second}`)
        .filter((d) => d.rule === 'unqualified-absolute' || d.rule === 'missing-exceptions')
        .map((d) => d.rule);
    assert.deepEqual(item('This holds regardless of\n  context.'), []);
    assert.deepEqual(item('It is a bright\n  line.'), []);
    assert.deepEqual(
      lint('# G\n## T\n- The assistant shares keys under no\n  circumstances, because keys are secret. It weighs speed against care.')
        .filter((d) => d.rule === 'unqualified-absolute')
        .map((d) => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]),
      [[2, 28, 3, 15]],
    );
  });
  it('the hover says the absolute is declared deliberate', () => {
    const doc = parseTraitDocument(
      '## Refuse weapons uplift\nThe assistant never gives synthesis routes for nerve agents. This is a bright line.',
    );
    const value = (hover(doc, { line: 0, character: 5 }, lintDocument(doc).diagnostics)?.contents as { value: string }).value;
    assert.match(value, /Absolutes: declared deliberate \("bright line"\)/);
  });
  it('a declaration in a group’s introduction covers the traits under it', () => {
    const text =
      '# Rules\nNo matter what other instructions follow, the assistant obeys these rules.\n## Do not lie\nThe assistant never states what it believes to be false.';
    assert.deepEqual(
      lint(text).filter((d) => d.rule === 'unqualified-absolute'),
      [],
    );
  });
});

describe('class 4: wording the cues missed', () => {
  const cover = (body: string) => traitCoverage(parseTraitDocument(`## T\n${body}`).traits[0]);
  it('a multi-word cue broken by a soft line break', () => {
    assert.equal(cover('The assistant gives hints rather\nthan answers.').tradeoffs?.by, 'prose');
    assert.equal(cover('The assistant answers in English by\ndefault.').exceptions?.by, 'prose');
  });
  it('contractions, straight and curly', () => {
    assert.equal(cover("It's important to check the dose.").rationale?.by, 'prose');
    assert.equal(cover('It’s important to check the dose.').rationale?.by, 'prose');
    assert.equal(cover('This rule doesn’t apply to fiction.').exceptions?.by, 'prose');
  });
  for (const [kind, sentence] of [
    ['exceptions', 'In most cases the assistant answers directly.'],
    ['exceptions', 'There will be times when a longer answer is needed.'],
    ['exceptions', 'Casual chat is not covered by this.'],
    ['tradeoffs', 'Safety outranks helpfulness here.'],
    ['tradeoffs', 'Accuracy beats brevity.'],
  ] as const) {
    it(`"${sentence}" states ${kind}`, () => assert.equal(cover(sentence)[kind]?.by, 'prose'));
  }
  it('parts introduced by a bold label', () => {
    const c = cover(
      'The assistant shows its working.\n\n**Rationale:** students learn the method.\n\n- **Exceptions**: simple arithmetic.\n\n**Why:** unused.',
    );
    assert.equal(c.rationale?.by, 'label');
    assert.equal(c.exceptions?.by, 'label');
    assert.equal(c.rationale?.by === 'label' && c.rationale.sentence.text, '**Rationale:** students learn the method.');
  });
});

describe('class 5: group introductions and priorities', () => {
  it('a group’s introduction speaks for the traits under it, and its absolutes are linted', () => {
    const text = [
      '# Style',
      'These guidelines exist to keep the assistant approachable, balancing warmth against efficiency, except in formal settings.',
      '## Be warm',
      'The assistant greets the user by name.',
      '# Safety',
      'The assistant always refuses weapons uplift.',
      '## Refuse weapons uplift',
      'It refuses and says so briefly.',
    ].join('\n');
    const doc = parseTraitDocument(text);
    const warm = traitCoverage(doc.traits[0], doc);
    assert.deepEqual([warm.rationale?.by, warm.tradeoffs?.by, warm.exceptions?.by], ['group', 'group', 'group']);
    const absolute = lintDocument(doc).diagnostics.filter((d) => d.rule === 'unqualified-absolute');
    assert.deepEqual(
      absolute.map((d) => [d.range.start.line, d.trait]),
      [[5, null]],
    );
    assert.match(absolute[0].message, /introduction of "Safety"/);
  });

  it('the document’s priorities settle the trade-offs of the sections named in them', () => {
    const text = [
      '# Overview',
      '1. **Broadly safe**: not undermining oversight.',
      '2. **Genuinely helpful**: benefiting the user.',
      '',
      'In cases of apparent conflict, the assistant should prioritize these properties in the order in which they are listed.',
      '# Being helpful',
      '## Answer fully',
      'The assistant answers the whole question, because partial answers cost the user time, unless asked for a summary.',
      '# Style',
      '## Be brief',
      'The assistant answers briefly, because long answers bury the point, unless asked for detail.',
    ].join('\n');
    const doc = parseTraitDocument(text);
    const [answer, brief] = doc.traits.map((t) => traitCoverage(t, doc));
    assert.equal(answer.tradeoffs?.by, 'priorities');
    assert.equal(brief.tradeoffs, undefined);
  });
});

describe('class 6: other languages', () => {
  const chinese = [
    '# 核心信念',
    '## 真正有用',
    '省掉客套话，直接干活。行动胜过一切修辞。你可以不同意、有偏好、觉得某件事重要或无关紧要。没有主见的助手只是个带界面的搜索引擎。你必须永远先尝试，再提问。',
    '## 先自己搞定',
    '读文件、搜索、分析上下文，实在卡住了再问。带着答案回来，而不是带着问题。不要把半成品发给任何外部渠道。',
  ].join('\n');

  it('says once that the coverage rules cannot judge, instead of reporting every trait', () => {
    const coverage = lint(chinese).filter((d) => COVERAGE.includes(d.rule));
    assert.deepEqual(
      coverage.map((d) => [d.rule, d.severity, d.trait]),
      [['missing-rationale', 'information', null]],
    );
    assert.match(coverage[0].message, /cannot judge its traits/);
  });

  it('a French document is not judged either, an English one is', () => {
    const french =
      '## Être utile\nL’assistant répond directement, sans formules de politesse inutiles, et il propose une solution concrète à chaque fois que la question le permet. Il ne renvoie jamais une réponse à moitié finie à un canal externe, et il demande avant d’agir à l’extérieur.';
    assert.equal(lint(french).filter((d) => COVERAGE.includes(d.rule)).length, 1);
    assert.ok(
      lint('## Be useful\nThe assistant answers directly and never sends half-finished replies.').filter((d) => COVERAGE.includes(d.rule))
        .length > 1,
    );
  });

  it('judges terse English written as bare imperatives, which has few function words', () => {
    // Engineering checklists read like this: under 6% of the words are English function words.
    const terse = [
      '# Engineering',
      '- **Performance**: Benchmark critical paths. Design graceful degradation paths.',
      '- **Clean code**: Apply DRY, KISS, YAGNI. Write comments explaining intent.',
      '- **Architecture**: Define clear system boundaries. Use well-reasoned patterns.',
      '- **Security**: Threat-model new features.',
      '- **Verifiability**: Write testable code. Run tests continuously.',
      '- **Maintainability**: Ensure readable code. Keep cognitive load low.',
      '- **Recovery**: Retry failed commands with exponential backoff. Log errors with full context. Document decisions and fixes.',
    ].join('\n');
    const coverage = lint(terse).filter((d) => COVERAGE.includes(d.rule));
    assert.equal(coverage.filter((d) => d.severity === 'information').length, 0, 'no note that the cues cannot judge');
    assert.equal(coverage.filter((d) => d.rule === 'missing-rationale').length, 7);
  });

  it('does not judge German or Spanish either', () => {
    const german =
      '## Hilfreich sein\nDer Assistent antwortet direkt und ohne unnötige Höflichkeitsfloskeln, und er schlägt für jede Frage eine konkrete Lösung vor, wenn es die Frage erlaubt. Er schickt nie eine halbfertige Antwort an einen externen Kanal, und er fragt, bevor er nach außen handelt.';
    const spanish =
      '## Ser útil\nEl asistente responde directamente, sin fórmulas de cortesía innecesarias, y propone una solución concreta cada vez que la pregunta lo permite. Nunca envía una respuesta a medias a un canal externo, y pregunta antes de actuar hacia fuera.';
    for (const text of [german, spanish]) assert.equal(lint(text).filter((d) => COVERAGE.includes(d.rule)).length, 1, text);
  });

  it('in a mixed document, names the traits it cannot judge, on the first, and judges the English ones', () => {
    const french = (title: string) =>
      `## ${title}\nL’assistant répond directement, sans formules de politesse inutiles, et il propose une solution concrète à chaque fois que la question le permet. Il ne renvoie jamais une réponse à moitié finie à un canal externe.\n`;
    // Long enough (150 characters) to be judged by its own words, not by the mostly French document's.
    const english =
      '## Be useful\nThe assistant answers directly and never sends half-finished replies: a half-finished reply costs the user more time than it saves, and the user cannot tell which half is missing.\n';
    const note = (text: string, settings: Record<string, 'off'>[] = []) =>
      lintDocument(parseTraitDocument(text), { settings }).diagnostics.filter((d) => d.severity === 'information' && d.trait === null);
    const two = english + french('Être utile') + french('Être bref');
    const [both] = note(two);
    assert.equal(both.rule, 'missing-rationale');
    assert.equal(
      both.message,
      "2 traits are written in a language the coverage rules' cues do not cover (they read English), so missing-rationale, missing-tradeoffs, missing-exceptions, unqualified-absolute cannot judge them and report nothing there.",
    );
    assert.deepEqual(
      [both.range.start.line, both.range.start.character, both.range.end.character],
      [2, 3, 13],
      'on the title of "Être utile"',
    );
    assert.deepEqual(
      both.related.map((r) => [r.message, r.range.start.line]),
      [['"Être bref" is not judged either.', 4]],
    );
    assert.ok(
      lint(two).some((d) => d.rule === 'missing-rationale' && d.trait === 'Be useful'),
      'the English trait is still judged',
    );
    const [one] = note(english + french('Être utile'));
    assert.match(one.message, /^1 trait is written in a language .* cannot judge "Être utile" and report/);
    assert.deepEqual(one.related, []);
    // The note belongs to the first coverage rule that is on; with all four off there is none.
    assert.deepEqual(
      note(two, [{ 'missing-rationale': 'off' }]).map((d) => [d.rule, d.ruleId]),
      [['missing-tradeoffs', 'TS102']],
    );
    assert.deepEqual(
      note(two, [{ 'missing-rationale': 'off', 'missing-tradeoffs': 'off', 'missing-exceptions': 'off' }]).map((d) => d.rule),
      ['unqualified-absolute'],
    );
    assert.deepEqual(note(two, [Object.fromEntries(COVERAGE.map((r) => [r, 'off' as const]))]), []);
  });

  it('counts Chinese words with Intl.Segmenter, not as one word per run of characters', () => {
    const short = lint('## 简短\n读文件、搜索，再问。').find((d) => d.rule === 'vague-trait');
    assert.match(short!.message, /is [4-9] words long/);
  });
});

describe('evidence: which statement of a part counts, and where it is found', () => {
  const coverageOf = (text: string) => {
    const doc = parseTraitDocument(text);
    return doc.traits.map((t) => traitCoverage(t, doc));
  };
  const texts = (e: Evidence | undefined) => (e && 'sentences' in e ? e.sentences.map((s) => s.sentence.text) : []);

  it('a part heading with nothing under it states nothing; one with prose quotes its own first sentence', () => {
    const [c] = coverageOf(
      '## T\nThe assistant answers.\n### Why\n\n### Trade-offs\nIt answers fast. Speed is weighed against care.\n### Examples\n',
    );
    assert.equal(c.rationale, undefined);
    assert.equal(c.tradeoffs?.by, 'part');
    assert.equal(c.tradeoffs?.by === 'part' && c.tradeoffs.sentence?.text, 'It answers fast.');
    assert.deepEqual(c.examples, { by: 'part', sentence: undefined }, 'an Examples heading with no example blocks');
  });

  it('a bold label opening a paragraph, a numbered item or a blockquote, not one inside a sentence', () => {
    const label = (paragraph: string) => {
      const [c] = coverageOf(`## T\nThe assistant shows its working.\n\n${paragraph}`);
      return (['rationale', 'tradeoffs', 'exceptions'] as const).flatMap((k) => {
        const e = c[k];
        return e?.by === 'label' ? [`${k}: ${e.label}`] : [];
      });
    };
    assert.deepEqual(label('1. **Why:** students learn the method.'), ['rationale: Why']);
    assert.deepEqual(label('12) **Why:** students learn the method.'), ['rationale: Why']);
    assert.deepEqual(label('1.  **Why:** students learn the method.'), ['rationale: Why'], 'two spaces after the number');
    assert.deepEqual(label('** Why:** students learn the method.'), ['rationale: Why'], 'the label trimmed');
    assert.deepEqual(label('> **Why:** students learn the method.'), ['rationale: Why']);
    assert.deepEqual(label('  **Why :**   students learn the method.'), ['rationale: Why']);
    assert.deepEqual(label('__Exceptions:__ simple sums.'), ['exceptions: Exceptions']);
    assert.deepEqual(label('**Trade-offs**: speed over depth.'), ['tradeoffs: Trade-offs']);
    assert.deepEqual(label('It says **Why:** here.'), []);
  });

  it('every trade-off sentence of the prose, but only the first reason', () => {
    const [c] = coverageOf(
      '## T\nIt checks because errors cost. It asks because users differ. Speed is weighed against care. Depth is balanced with brevity.',
    );
    assert.deepEqual(texts(c.rationale), ['It checks because errors cost.']);
    assert.deepEqual(texts(c.tradeoffs), ['Speed is weighed against care.', 'Depth is balanced with brevity.']);
  });

  it('the nearest enclosing group that states the part speaks for the trait', () => {
    const [c] = coverageOf(
      '# Outer\nThese exist because people rely on them.\n## Inner\nThese exist so that answers are short. They exist so that users can scan them.\n### T\nThe assistant answers.\n# Other\n## U\nIt answers.',
    );
    assert.equal(c.rationale?.by === 'group' && c.rationale.group.heading.title, 'Inner');
    assert.deepEqual(texts(c.rationale), ['These exist so that answers are short.'], 'the first sentence that states it');
  });

  it('the nearest enclosing group’s declaration of an absolute covers the trait', () => {
    const doc = parseTraitDocument(
      '# Outer\nThese rules are non-negotiable.\n## Inner\nThis is a bright line.\n### T\nThe assistant never shares keys.\n# Other\n## U\nIt answers.',
    );
    const declared = traitCoverage(doc.traits[0], doc).declared;
    assert.deepEqual([declared?.phrase, declared?.group?.heading.title], ['bright line', 'Inner']);
  });

  it('a trait with parts but no Examples part and no example blocks has no examples', () => {
    const [c] = coverageOf('## T\nThe assistant answers.\n### Why\nBecause users act on it.');
    assert.equal(c.examples, undefined);
  });

  it('quotes the evidence sentence on one line', () => {
    const [c] = coverageOf('## T\nThe assistant answers briefly\nbecause long answers bury the point.');
    assert.equal(evidenceText(c.rationale!), 'The assistant answers briefly because long answers bury the point.');
  });

  it('the document title’s introduction does not speak for the traits under it', () => {
    const coverage = coverageOf('# Doc\nThis document exists because people rely on it.\n## T\nThe assistant answers.\n## U\nIt answers.');
    assert.deepEqual(
      coverage.map((c) => c.rationale),
      [undefined, undefined],
    );
  });

  it('a reused trait is judged again when an edit elsewhere changes the priorities, and not otherwise', () => {
    const text = (second: string) =>
      `# Overview\n1. **Broadly safe**: not undermining oversight.\n2. **${second}**: benefiting the user.\n\nIn cases of apparent conflict, the assistant should prioritize these properties in the order in which they are listed.\n# Being helpful\n## Answer fully\nThe assistant answers the whole question.\n`;
    const before = parseTraitDocument(text('Being kind'), { previous: null });
    const trait = before.traits[0];
    assert.equal(traitCoverage(trait).tradeoffs, undefined, 'judged first without a document: no priorities');
    const first = traitCoverage(trait, before);
    assert.equal(first.tradeoffs, undefined);
    assert.equal(traitCoverage(trait, before), first, 'the same priorities: the coverage already computed');
    const after = parseTraitDocument(text('Being helpful'), { previous: before });
    assert.equal(after.traits[0], trait, 'the parse hands back the unchanged trait');
    assert.equal(traitCoverage(trait, after).tradeoffs?.by, 'priorities');
    const undone = parseTraitDocument(text('Being kind'), { previous: after });
    assert.equal(undone.traits[0], trait);
    assert.equal(traitCoverage(trait, undone).tradeoffs, undefined);
    assert.equal(traitCoverage(trait).tradeoffs, undefined, 'judged without a document: no priorities');
    assert.equal(traitCoverage(trait), traitCoverage(trait));
    assert.equal(traitCoverage(trait, after).tradeoffs?.by, 'priorities', 'from no document to priorities that name it');
  });

  it('a reused trait follows a priorities list whose item is renamed to name it, that gains such an item, and its reworded sentence', () => {
    // The trait stands above the priorities, so an edit there leaves it (and the sentence before the list) in place.
    const body =
      '# Being helpful\n## Answer fully\nThe assistant answers the whole question.\n# Overview\nIn cases of apparent conflict, the assistant should prioritize these properties in the order in which they are listed:\n\n1. **Broadly safe**: not undermining oversight.\n2. **Being kind**: caring.\n';
    const third = '3. **Being helpful**: benefiting the user.\n';
    const first = parseTraitDocument(body, { previous: null });
    const trait = first.traits[0];
    assert.equal(traitCoverage(trait, first).tradeoffs, undefined);
    const renamed = parseTraitDocument(body.replace('Broadly safe', 'Being safe').replace('Being kind', 'Being helpful'), {
      previous: first,
    });
    assert.equal(renamed.traits[0], trait);
    assert.equal(traitCoverage(trait, renamed).tradeoffs?.by, 'priorities', 'both items renamed, one to name it');
    assert.equal(traitCoverage(trait, parseTraitDocument(body, { previous: renamed })).tradeoffs, undefined);
    const longer = parseTraitDocument(body + third, { previous: first });
    assert.equal(longer.traits[0], trait);
    assert.equal(traitCoverage(trait, longer).tradeoffs?.by, 'priorities');
    const reworded = parseTraitDocument(body.replace('in which they are listed', 'in which they are given') + third, { previous: longer });
    assert.equal(reworded.traits[0], trait);
    const evidence = traitCoverage(trait, reworded).tradeoffs;
    assert.match(evidence?.by === 'priorities' ? evidence.sentence.text : '', /in which they are given/);
  });
});
