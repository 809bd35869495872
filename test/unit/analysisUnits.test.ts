// The analysis helpers the coverage rules stand on, each on the sentences that decide it: which
// absolutes bound a behaviour and which only look like one, which phrases declare an absolute
// deliberate, which word forms share a stem (duplicate-trait compares stems), and how words count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredAbsolute, findAbsolutes } from '../../server/src/analysis/absolutes';
import { evidenceRange, evidenceSource, evidenceText, traitCoverage } from '../../server/src/analysis/coverage';
import { parseTraitDocument } from '../../server/src/document/parse';
import { cueText } from '../../server/src/analysis/cueText';
import { cuesCoverLanguage } from '../../server/src/analysis/language';
import { buildOutline } from '../../server/src/analysis/outline';
import { documentPriorities, prioritisedBy } from '../../server/src/analysis/priorities';
import { stem, wordCount, words } from '../../server/src/analysis/words';

describe('absolutes', () => {
  // [sentence, the absolutes found as phrase@offset]
  const CASES: readonly (readonly [string, readonly string[]])[] = [
    ['The assistant always cites sources.', ['always@14']],
    ['It refuses at all times.', ['at all times@11']],
    ['Under no circumstances does it share keys.', ['under no circumstances@0']],
    ['In all cases it logs the request.', ['in all cases@0']],
    ['In every case it logs the request.', ['in every case@0']],
    ['In no case does it share keys.', ['in no case@0']],
    ['It must, without exception, log in.', ['must@3', 'without exception@9']],
    ['It always asks; the assistant must answer.', ['always@3', 'must@30']],
    // What someone else does is not the model's absolute; the next clause's is.
    ['Users always ask; the assistant must answer.', ['must@32']],
    // A copula with the model (or its answers) as subject describes its behaviour.
    ['The assistant is always polite.', ['always@17']],
    ['Your answers are always short.', ['always@17']],
    ['Its response is always short.', ['always@16']],
    ['The answer is always short.', ['always@14']],
    ['Its output is always short.', ['always@14']],
    ['Each message is always short.', ['always@16']],
    // Hedged, negated, possible, compound, quoted, past: no bound to state.
    ['The assistant almost never guesses.', []],
    ['The assistant is not always right.', []],
    ['It cannot always know the answer.', []],
    ['The question might never be settled.', []],
    ['This is a never-ending task.', []],
    ['Use the word `always` sparingly.', []],
    ['The "always" rule is here.', []],
    ['It has never been easier.', []],
    ['It never before asked.', []],
    // Claims about how things are, and reasoning the text rejects.
    ['Silence is never neutral.', []],
    ['It must always be possible to comply.', []],
    ['The answer must be true.', []],
    ['It never shares keys, and honesty is always valued.', ['never@3']],
    ['Never conclude that the rule must apply.', []],
    // A hedge or negation counts only right before the absolute, on the same line or wrapped.
    ['It does not guess and always asks.', ['always@22']],
    // "not under any circumstances" forbids everywhere: not a hedge.
    ['It does not under any circumstances share keys.', ['under any circumstances@12']],
    ['It may under no circumstances share keys.', ['under no circumstances@7']],
    ['It does not in all cases refuse.', []],
    // What bounds nothing must stand right before or after the absolute, not elsewhere in the sentence.
    ["The assistant never uses the user's name.", ['never@14']],
    ['It never acts before asking.', ['never@3']],
    ['It is kind and always answers.', ['always@15']],
    ['It always answers, so progress is possible.', ['always@3']],
    ['Out there it must always be polite.', ['must@13', 'always@18']],
    ['It always answers and may use headers.', ['always@3']],
    // "there" that is no existential subject, and a clause after a comma whose subject is others.
    ['It stays there always.', ['always@15']],
    ['In chat, operators must agree to the policies.', []],
    ['It may refuse, and never lies.', ['never@19']],
    ['The assistant almost\n  never guesses.', []],
    ['It cannot\n  always know.', []],
    ['The question might\n  never be settled.', []],
    ['Silence is\n  never neutral.', []],
    // The syntax a tool reads, not conduct.
    ['You must include a header in every request.', []],
    ['It must prefix each new line with a plus.', []],
    ['Never wrap the patch in quotes.', []],
    ['Always use absolute paths.', []],
    ['The reply must be valid JSON.', []],
    ['Always use an absolute path.', []],
    ['Always use a full file path.', []],
    ...['prefix', 'suffix', 'delimiter', 'separator', 'field', 'parameter', 'argument', 'flag', 'tag', 'marker', 'newline'].map(
      (piece) => [`You must always include a ${piece}.`, []] as const,
    ),
    // A state a thing is to be in; "be" without "there" is still the model's conduct.
    ['There should always be one step in progress.', []],
    ['There must never be two open plans.', []],
    ['The assistant should always be honest.', ['always@21']],
    // Others as the subject, in the active voice; in the passive it is still what the model does.
    ['Operators must agree to the usage policies.', []],
    ['These guidelines should never conflict with the law.', []],
    ['Users must never be misled.', ['must@6', 'never@11']],
    ['Users must be warned.', ['must@6']],
    ['Operators must agree to be contacted.', []],
    ['The usage policies must never change.', []],
    ['The user has to always log in.', []],
    ['Users need to always log in.', []],
    ['It must always be the case.', []],
    ['Emphasize the final work must look crafted.', []],
    ['Never wrap the patch in quotation marks.', []],
    ['Without exception it logs the request.', ['without exception@0']],
    ['The assistant truly is always polite.', ['always@23']],
    ...[
      'The operator must agree to the policies.',
      'The developer must sign the terms.',
      'Each human must consent.',
      'The person must consent.',
      'The principal must approve.',
      'The guideline should never conflict with the law.',
      'The policy must never change.',
      'The user must log in.',
      'Operators have to always agree.',
      'The user needs to always log in.',
    ].map((sentence) => [sentence, []] as const),
    // What a text is to say.
    ['Emphasize that the final work must look crafted.', []],
    ['Stress the colours must never clash.', []],
    ['It says that often; it must always check.', ['must@23', 'always@28']],
    // A code span, and copulas whose subject is the model or its answers.
    ['Use `always on` mode.', []],
    ['It is always the case.', []],
    ['Replies are always brief.', ['always@12']],
    ['Its replies are never rude.', ['never@16']],
    ['You are always kind.', ['always@8']],
    ['The model was always polite.', ['always@14']],
    // The context read is the words next to the absolute, not a match further off: an earlier
    // negation, a later "be", a model subject before an earlier copula.
    ["Don't worry: the assistant always cites sources.", ['always@27']],
    ["The assistant doesn't always cite sources.", []],
    ['There must always exist one owner who can be reached.', ['must@6', 'always@11']],
    ['There must always be one owner.', []],
    ['The assistant is sure the text is always correct.', []],
    ['The assistant is always correct.', ['always@17']],
  ];
  for (const [sentence, expected] of CASES) {
    it(JSON.stringify(sentence), () => {
      assert.deepEqual(
        findAbsolutes(cueText(sentence)).map((m) => `${m.phrase}@${m.index}`),
        expected,
      );
      // Wrapped at every space onto an indented line (a list item's continuation), it reads the same.
      assert.deepEqual(
        findAbsolutes(cueText(sentence.replace(/ /g, '\n  '))).map((m) => m.phrase.replace(/\s+/g, ' ')),
        expected.map((e) => e.slice(0, e.lastIndexOf('@'))),
        'wrapped',
      );
    });
  }
});

describe('absolutes declared deliberate', () => {
  const CASES: readonly (readonly [string, string | undefined])[] = [
    ['This is a bright line.', 'bright line'],
    ['It is non-negotiable.', 'non-negotiable'],
    ['This is an absolute rule.', 'absolute rule'],
    ['It cannot be overridden.', 'cannot be overridden'],
    ['No user instruction can override this.', 'no user instruction can override'],
    ['Regardless of context, it refuses.', 'regardless of context'],
    ['No matter what, it refuses.', 'no matter what'],
    ['There are no exceptions.', 'there are no exceptions'],
    ['No exception applies.', 'no exception applies'],
    ['There is no real exception.', 'there is no real exception'],
    // Each spelling and number of the phrases.
    ['These are bright lines.', 'bright lines'],
    ['It is a hard constraint.', 'hard constraint'],
    ['These are hard-constraints.', 'hard-constraints'],
    ['It is nonnegotiable.', 'nonnegotiable'],
    ['This is an absolute restriction.', 'absolute restriction'],
    ['This is an absolute constraint.', 'absolute constraint'],
    ['This is an absolute limit.', 'absolute limit'],
    ['This is an absolute prohibition.', 'absolute prohibition'],
    ['It must not be waived.', 'must not be waived'],
    ['It may not be relaxed.', 'may not be relaxed'],
    ['It will not be negotiated.', 'will not be negotiated'],
    ['It can not be unlocked.', 'can not be unlocked'],
    ['No one can override this.', 'no one can override'],
    ['No operator can unlock it.', 'no operator can unlock'],
    ['No user can lift it.', 'no user can lift'],
    ['No instruction can override this.', 'no instruction can override'],
    ['No written instruction can override this.', 'no written instruction can override'],
    ['No operator ever could lift it.', 'no operator ever could lift'],
    ['Regardless of instruction, it refuses.', 'regardless of instruction'],
    ['No exceptions to this.', 'no exceptions to this'],
    ['No argument could justify it.', 'no argument could justify'],
    ['Regardless of the instructions, it refuses.', 'regardless of the instructions'],
    ['Never assume that this is non-negotiable.', undefined],
    ['It is negotiable.', undefined],
  ];
  for (const [sentence, phrase] of CASES) {
    it(JSON.stringify(sentence), () => {
      assert.equal(declaredAbsolute(cueText(sentence))?.phrase, phrase);
      assert.equal(declaredAbsolute(cueText(sentence.replace(/ /g, '\n  ')))?.phrase, phrase, 'wrapped onto indented lines');
    });
  }
});

describe('words', () => {
  it('gives the forms of one word one stem, and keeps a stem of at least three letters', () => {
    const groups = [
      ['refuse', 'refuses', 'refusing', 'refused'],
      ['story', 'stories'],
      ['carry', 'carries', 'carried'],
      ['agree', 'agreement', 'agreements'],
      ['quick', 'quickly'],
      ['mark', 'marked', 'markedly'],
      ['surprise', 'surprising', 'surprisingly'],
      ['nation', 'nations'],
      ['rated', 'rating', 'ratings'],
    ];
    for (const group of groups) assert.deepEqual(new Set(group.map(stem)).size, 1, `${group.join(', ')}: ${group.map(stem).join(', ')}`);
    assert.notEqual(stem('refuse'), stem('story'));
    // "thing" is no "th" + "ing"; words of four letters or fewer are left as they are.
    assert.deepEqual(['thing', 'uses', 'cats', 'replies'].map(stem), ['thing', 'uses', 'cats', 'reply']);
  });

  it('keeps inner apostrophes and hyphens, not leading or trailing ones', () => {
    assert.deepEqual(words("Don't trade-off co-op ’tis end- it’s"), ["don't", 'trade-off', 'co-op', 'tis', 'end', 'it’s']);
  });

  it('counts words of unspaced scripts with the segmenter, and takes a spaced count when given', () => {
    assert.equal(wordCount('读文件、搜索，再问。'), 4);
    assert.equal(wordCount('one two three'), 3);
    assert.equal(wordCount('one two', 7), 7);
  });
});

describe('evidence, as hovers and lenses name it', () => {
  const text = [
    '# Overview',
    '1. **Broadly safe**: not undermining oversight.',
    '2. **Genuinely helpful**: benefiting the user.',
    '',
    'In cases of apparent conflict, the assistant should prioritize these properties in the order in which they are listed.',
    '',
    '# Being helpful',
    '',
    '## Answer fully',
    '',
    'The assistant answers the whole question. It is non-negotiable.',
    '',
    '# Style',
    '',
    'Every trait here is kept short, because readers skim; brevity is weighed against detail, unless the user asks for depth.',
    '',
    '## Use headings',
    '',
    '**Why:** headings let readers scan.',
    '',
    'The assistant uses headings in long answers. There is an exception: chat replies.',
    '',
    '### Trade-offs',
    '',
    'Headings are weighed against flow.',
    '',
    '~~~xml',
    '<user>x</user>',
    '<assistant>y</assistant>',
    '~~~',
    '',
    '~~~xml',
    '<user>z</user>',
    '<assistant>w</assistant>',
    '~~~',
    '',
    '## Give one example',
    '',
    'The assistant gives an example, so that the user sees the method.',
    '',
    '~~~xml',
    '<user>x</user>',
    '<assistant>y</assistant>',
    '~~~',
    '',
  ].join('\n');

  it('names how each part is stated and quotes the sentence, cut to the length asked', () => {
    const doc = parseTraitDocument(text);
    const seen = doc.traits.flatMap((trait) => {
      const coverage = traitCoverage(trait, doc);
      return (['rationale', 'tradeoffs', 'exceptions', 'examples'] as const).map((part) => {
        const e = coverage[part];
        if (!e) return `${trait.title} ${part}: -`;
        const range = evidenceRange(e);
        return `${trait.title} ${part}: ${e.by} | ${evidenceSource(e)} | ${evidenceText(e, 30)} | ${range ? `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}` : '-'}`;
      });
    });
    assert.deepEqual(seen, [
      'Answer fully rationale: -',
      'Answer fully tradeoffs: priorities | the document\'s priorities ("Genuinely helpful") | In cases of apparent conflict… | 4:0-4:118',
      'Answer fully exceptions: declared | declared without exception ("non-negotiable") | It is non-negotiable. | 10:42-10:63',
      'Answer fully examples: -',
      'Use headings rationale: label | a "Why" label | **Why:** headings let readers… | 18:0-18:35',
      'Use headings tradeoffs: part | a part heading | Headings are weighed against… | 24:0-24:34',
      'Use headings exceptions: prose | its prose ("exception") | There is an exception: chat r… | 20:45-20:81',
      'Use headings examples: examples | 2 examples | undefined | -',
      'Give one example rationale: prose | its prose ("so that") | The assistant gives an exampl… | 38:0-38:65',
      'Give one example tradeoffs: group | the introduction of "Style" ("weighed") | Every trait here is kept shor… | 14:0-14:120',
      'Give one example exceptions: group | the introduction of "Style" ("unless") | Every trait here is kept shor… | 14:0-14:120',
      'Give one example examples: examples | 1 example | undefined | -',
    ]);
    const [fully] = doc.traits;
    const declared = traitCoverage(fully, doc).exceptions!;
    assert.equal(evidenceText(declared, 21), 'It is non-negotiable.', 'a sentence of exactly the length asked is not cut');
    assert.equal(evidenceText(declared, 20), 'It is non-negotiabl…');
  });
});

describe('which texts the English cues can judge', () => {
  const french =
    'L’assistant répond directement, sans formules de politesse inutiles, et il propose une solution concrète à chaque fois que la question le permet. Il ne renvoie jamais une réponse à moitié finie à un canal externe, et il demande avant d’agir à l’extérieur. ';
  const english =
    'The assistant answers directly and never sends half-finished replies to an outside channel, and it asks before it acts on the outside world because the user is the one who decides what happens next. ';
  const words = (word: string, n: number) => Array(n).fill(word).join(' ');

  it('judges a text too short to tell: under 30 words, or under 20 letters of another script', () => {
    assert.equal(cuesCoverLanguage(words('und', 29)), true);
    assert.equal(cuesCoverLanguage(words('und', 30)), false);
    assert.equal(cuesCoverLanguage('ж'.repeat(19)), true);
    assert.equal(cuesCoverLanguage('ж'.repeat(20)), false);
    assert.equal(cuesCoverLanguage(''), true);
  });

  it('needs half its letters Latin, and English words at 15 % or at least as many as the others', () => {
    assert.equal(cuesCoverLanguage(`${'a'.repeat(10)} ${'ж'.repeat(10)}`), true);
    assert.equal(cuesCoverLanguage(`${'a'.repeat(9)} ${'ж'.repeat(11)}`), false);
    const mix = (en: number, other: number) =>
      [...Array(en).fill('the'), ...Array(other).fill('und'), ...Array(100 - en - other).fill('xyz')].join(' ');
    assert.equal(cuesCoverLanguage(mix(15, 50)), true);
    assert.equal(cuesCoverLanguage(mix(14, 50)), false);
    assert.equal(cuesCoverLanguage(mix(14, 14)), true);
    assert.equal(cuesCoverLanguage(mix(14, 15)), false);
    assert.equal(cuesCoverLanguage(french), false);
  });

  it('judges a long text by all of it, not by its start', () => {
    assert.equal(cuesCoverLanguage(english.repeat(11) + french.repeat(20)), false);
    assert.equal(cuesCoverLanguage(french.repeat(9) + english.repeat(20)), true);
    assert.equal(cuesCoverLanguage(french.repeat(20) + english.repeat(11)), false);
  });
});

describe('document priorities', () => {
  const document = (
    order: string,
    items = ['1. **Broadly safe**: not undermining oversight.', '2. **Genuinely helpful:** benefiting the user.'],
  ) =>
    parseTraitDocument(
      [
        '# Overview',
        ...items,
        '',
        order,
        '# Being helpful',
        '## Answer fully',
        'The assistant answers.',
        '# Style',
        '## Be safe and brief',
        'Short.',
        '## Stay safe',
        'Safe.',
      ].join('\n'),
    );

  it('takes a named list with a sentence saying that its order settles conflicts', () => {
    for (const order of [
      'The assistant should prioritize these properties in the order in which they are listed.',
      'We prioritize safety first.',
      'They are in order of priority.',
      'The ranking of importance is as listed.',
      'Higher-priority values win.',
      'Safety takes precedence over helpfulness.',
      'Safety outranks helpfulness.',
    ]) {
      const priorities = documentPriorities(document(order));
      assert.deepEqual(priorities && [priorities.names, priorities.sentence.text], [['Broadly safe', 'Genuinely helpful'], order], order);
    }
    for (const order of ['We prioritize users.', 'These are our values.'])
      assert.equal(documentPriorities(document(order)), undefined, order);
    assert.equal(
      documentPriorities(document('Prioritize them in the order listed.', ['1. **Broadly safe**: x.'])),
      undefined,
      'one value is no order',
    );
    const bullets = document('Prioritize these in the order listed.', [
      '- __Broadly safe.__ x',
      '* **Genuinely helpful** y',
      '+ **Be honest:** z',
    ]);
    assert.deepEqual(documentPriorities(bullets)?.names, ['Broadly safe', 'Genuinely helpful', 'Be honest']);
  });

  it("settles the trade-offs of a trait whose title, or whose group's, names a value (one set of words within the other)", () => {
    const doc = document('Prioritize these properties in the order in which they are listed.');
    const priorities = documentPriorities(doc)!;
    assert.deepEqual(
      doc.traits.map((t) => [t.title, prioritisedBy(priorities, t)]),
      [
        ['Answer fully', { title: 'Being helpful', value: 'Genuinely helpful' }],
        ['Be safe and brief', undefined],
        ['Stay safe', { title: 'Stay safe', value: 'Broadly safe' }],
      ],
    );
  });
});

describe('outline', () => {
  it('lists the resolved references of each trait once, in order, and its parts with their evidence', () => {
    const doc = parseTraitDocument(
      '# Manner\n\n## Be kind {#kind}\n\nKind, unlike [[Be blunt]] and [[Be blunt]] and [x](#kind) and [[Nowhere]], because people matter.\n\n## Be blunt\n\nBlunt.\n\n~~~xml\n<user>a</user>\n<assistant>b</assistant>\n~~~\n',
    );
    const outline = buildOutline(doc, 'f.md');
    assert.deepEqual([outline.file, outline.groups], ['f.md', ['Manner']]);
    const [kind, blunt] = outline.traits;
    assert.deepEqual(
      [kind.id, kind.title, kind.level, kind.groups, kind.references, kind.examples],
      ['kind', 'Be kind', 2, ['Manner'], ['be-blunt', 'kind'], 0],
    );
    assert.deepEqual(kind.parts.rationale, {
      stated: true,
      by: 'prose',
      evidence: {
        text: 'Kind, unlike [[Be blunt]] and [[Be blunt]] and [x]( ) and [[Nowhere]], because people matter.',
        range: { start: { line: 4, character: 0 }, end: { line: 4, character: 97 } },
      },
    });
    assert.deepEqual(kind.parts.tradeoffs, { stated: false });
    assert.deepEqual([blunt.parts.examples, blunt.references, blunt.examples], [{ stated: true, by: 'examples' }, [], 1]);
  });
});
