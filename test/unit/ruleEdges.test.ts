// The rules at their edges: the wording an author reads for one and for many (lines, headings, words,
// traits), and which side of each threshold (token budget, word count, vague share, similarity) a
// trait falls on. The fixtures (rules.test.ts) show each rule on typical text; these pin the limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { lintDocument } from '../../server/src/rules/lint';

/** The findings of one rule (on, with these options) as `line:char-line:char message`, 0-based. */
function findings(rule: string, text: string, options: Record<string, unknown> = {}): string[] {
  const { diagnostics } = lintDocument(parseTraitDocument(text), { settings: [{ [rule]: { severity: 'warning', ...options } }] });
  return diagnostics
    .filter((d) => d.rule === rule)
    .map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`);
}

describe('unclosed-fence: what the open fence swallows', () => {
  it('counts one line, many lines and the headings among them, or says nothing follows', () => {
    assert.deepEqual(findings('unclosed-fence', '## A\n\nText.\n\n```\none line\n'), [
      '4:0-4:3 This code fence is never closed, so the 1 non-blank line after it is read as code. Close it with a matching fence line.',
    ]);
    assert.deepEqual(findings('unclosed-fence', '## A\n\nText.\n\n~~~\n# One\n\n## Two\n'), [
      '4:0-4:3 This code fence is never closed, so the 2 non-blank lines after it, 2 headings among them, are read as code. Close it with a matching fence line.',
    ]);
    assert.deepEqual(findings('unclosed-fence', '## A\n\nText.\n\n```js\n    # indented code, not a heading\n#hashtag\n'), [
      '4:0-4:5 This code fence is never closed, so the 2 non-blank lines after it are read as code. Close it with a matching fence line.',
    ]);
    assert.deepEqual(findings('unclosed-fence', '## A\n\nText.\n\n```'), [
      '4:0-4:3 This code fence is never closed. Close it with a matching fence line.',
    ]);
  });
});

describe('vague-trait: length and vague share', () => {
  it('says "1 word", and reports a trait one word under minWords but not one at it', () => {
    assert.match(findings('vague-trait', '## A\n\nHelp.\n')[0], /"A" is 1 word long .*\(at least 25 words\)/);
    assert.deepEqual(findings('vague-trait', '## A\n\nHelp users now.\n', { minWords: 3 }), []);
    assert.match(findings('vague-trait', '## A\n\nHelp users now.\n', { minWords: 4 })[0], /"A" is 3 words long .*\(at least 4 words\)/);
  });

  it('reports a vague share over maxVagueRatio, not one at it, and names at most four distinct vague words', () => {
    // Ten content words, two of them vague ("good" twice): a share of exactly 0.2.
    const fifth = '## A\n\nThe assistant gives good recipes and good dinner menus with oven temperatures and shopping lists.\n';
    assert.deepEqual(findings('vague-trait', fifth, { minWords: 1, maxVagueRatio: 0.2 }), []);
    assert.deepEqual(findings('vague-trait', fifth, { minWords: 1, maxVagueRatio: 0.19 }), [
      '0:3-0:4 "A" is mostly evaluative words ("good": 20% of its content words) with no concrete behaviour or example. Say what the model does, so a rater could check it.',
    ]);
    const many = '## A\n\nGood, nice, kind, helpful, useful and good again: proper recipes.\n';
    assert.match(findings('vague-trait', many, { minWords: 1 })[0], /\("good", "nice", "kind", "helpful": 88% of its content words\)/);
  });

  it('leaves a trait with an example alone, however short', () => {
    assert.deepEqual(findings('vague-trait', '## A\n\nHelp.\n\n~~~xml\n<user>hi</user>\n<assistant>Hello.</assistant>\n~~~\n'), []);
  });
});

describe('chunk-too-long: the token budget', () => {
  it('reports a chunk over the budget (tokens rounded up), not one at it', () => {
    const text = '## A\n\nThe assistant answers fully.\n';
    const chars = parseTraitDocument(text).traits[0].chunk.length;
    const tokens = Math.ceil(chars / 4);
    assert.notEqual(chars % 4, 0, 'a length that rounding up changes');
    assert.deepEqual(findings('chunk-too-long', text, { budget: tokens }), []);
    assert.deepEqual(findings('chunk-too-long', text, { budget: tokens - 1 }), [
      `0:3-0:4 "A" is about ${tokens} tokens, over the ${tokens - 1}-token budget for one generation prompt: split it into narrower traits or move examples out.`,
    ]);
    assert.equal(findings('chunk-too-long', text, { budget: tokens - 1, charsPerToken: chars }).length, 0, 'charsPerToken is read');
  });
});

describe('unknown-rule-in-comment: the quick fix replaces the misspelt name where it stands', () => {
  /** Each finding's fix as [replaced text, new text], or the message when it has none. */
  function fixes(comment: string): (readonly [string, string] | string)[] {
    const text = `${comment}\n## A\n\nText here.\n`;
    const { diagnostics } = lintDocument(parseTraitDocument(text));
    return diagnostics
      .filter((d) => d.rule === 'unknown-rule-in-comment')
      .map((d) => {
        if (!d.fix) return d.message;
        const [edit] = d.fix.edits;
        assert.equal(edit.range.start.line, 0);
        return [comment.slice(edit.range.start.character, edit.range.end.character), edit.newText] as const;
      });
  }

  it('after a blank, a tab or a comma, and right before the closing -->', () => {
    assert.deepEqual(fixes('<!-- traits-disable vauge-trait-->'), [['vauge-trait', 'vague-trait']]);
    assert.deepEqual(fixes('<!-- traits-disable vague-trait,vauge-trait -->'), [['vauge-trait', 'vague-trait']]);
    assert.deepEqual(fixes('<!-- traits-disable-next-line\tmissing-rationle, vauge-trait   -->'), [
      ['missing-rationle', 'missing-rationale'],
      ['vauge-trait', 'vague-trait'],
    ]);
  });

  it('suggests rule names, never ids, and offers no fix for a name near none', () => {
    assert.deepEqual(fixes('<!-- traits-disable xyzzy-plugh -->'), [
      'Unknown rule "xyzzy-plugh" in a traits-disable comment: it disables nothing.',
    ]);
    assert.deepEqual(fixes('<!-- traits-disable-file ts203 TS999 -->'), [
      'Unknown rule "TS999" in a traits-disable-file comment: it disables nothing.',
    ]);
  });
});

describe('isolated-trait: which trade-offs name another trait', () => {
  const kind =
    '## Be kind\n\nThe assistant is considerate, because users are people; it weighs kindness against candour unless asked for bluntness.\n\n';
  /** Lines (0-based) of the isolated-trait findings other than Be kind's (which names no trait, line 0). */
  const isolated = (text: string) =>
    lintDocument(parseTraitDocument(text))
      .diagnostics.filter((d) => d.rule === 'isolated-trait' && d.trait !== 'Be kind')
      .map((d) => `${d.range.start.line}:${d.trait}`);

  it('reads a bold Trade-offs label for the trait it names', () => {
    assert.deepEqual(
      isolated(`${kind}## Be brief\n\n**Trade-offs:** brevity is weighed against Be kind.\n\nThe assistant keeps answers short.\n`),
      [],
    );
    assert.deepEqual(
      isolated(`${kind}## Be brief\n\n**Trade-offs:** brevity is weighed against detail.\n\nThe assistant keeps answers short.\n`),
      ['4:Be brief'],
    );
  });

  it('counts a link only inside the trade-off sentence, and never one to the trait itself', () => {
    assert.deepEqual(isolated(`${kind}## Be brief\n\nSee [[Be kind]]. The assistant keeps answers short, at the expense of detail.\n`), [
      '4:Be brief',
    ]);
    assert.deepEqual(
      isolated(
        `${kind}## Be brief\n\nThe assistant keeps answers short, at the expense of detail. Brevity is weighed against [[Be brief]].\n`,
      ),
      ['4:Be brief'],
    );
  });

  it('counts its own title only when another trait shares it', () => {
    const own = `${kind}## Be brief\n\nThe assistant keeps answers short: Be brief is weighed against detail.\n`;
    assert.deepEqual(isolated(own), ['4:Be brief']);
    assert.deepEqual(
      isolated(`${own}\n## Be brief\n\nIn code reviews too, because time matters, unless asked; it weighs speed against depth.\n`),
      ['8:Be brief'],
    );
  });

  it('counts a link to a group, and leaves trade-offs settled by a group introduction alone', () => {
    assert.deepEqual(
      isolated(
        `# Manner {#manner}\n\n${kind}# Length\n\n## Be brief\n\nThe assistant keeps answers short, weighed against [manner](#manner).\n`,
      ),
      [],
    );
    assert.deepEqual(
      isolated(`# Manner\n\nThese traits are weighed against accuracy.\n\n${kind}## Be brief\n\nThe assistant keeps answers short.\n`),
      [],
    );
  });

  it('counts a link at the very start of the trade-off sentence, or under a Trade-offs label by its target', () => {
    assert.deepEqual(isolated(`${kind}## Be brief\n\n[[Be kind]] is weighed against brevity here.\n`), []);
    assert.deepEqual(
      isolated(
        `${kind}## Be brief\n\n**Trade-offs:** brevity is weighed against [kindness](#be-kind).\n\nThe assistant keeps answers short.\n`,
      ),
      [],
    );
  });

  it('reads only the Trade-offs part for names, not the Why part beside it', () => {
    const text = `${kind}## Be brief\n\nThe assistant keeps answers short.\n\n### Why\n\nBe kind asks for it.\n\n### Trade-offs\n\nBrevity is weighed against detail.\n`;
    assert.deepEqual(isolated(text), ['4:Be brief']);
  });

  it('leaves alone trade-offs the document priorities settle', () => {
    const text = [
      '# Overview',
      '1. **Broadly safe**: not undermining oversight.',
      '2. **Genuinely helpful**: benefiting the user.',
      '',
      'In cases of apparent conflict, the assistant should prioritize these properties in the order in which they are listed.',
      '# Being helpful',
      '## Answer fully',
      'The assistant answers the whole question, because partial answers cost the user time, unless asked for a summary.',
      '## Be kind',
      'The assistant is kind, because people matter, weighed against candour, unless asked.',
    ].join('\n');
    assert.deepEqual(isolated(text), []);
  });

  it('has nothing to say about a document of one trait', () => {
    assert.deepEqual(isolated('## Be brief\n\nThe assistant keeps answers short, at the expense of detail.\n'), []);
  });
});

describe('surface-form-prescription: prescriptions of each form, and the words that bound or negate them', () => {
  /** The form reported for a one-sentence trait and the words it points at, or null. */
  const prescribed = (sentence: string) => {
    const [d, ...rest] = lintDocument(parseTraitDocument(`## T\n\n${sentence}\n`)).diagnostics.filter(
      (x) => x.rule === 'surface-form-prescription',
    );
    assert.equal(rest.length, 0);
    if (!d) return null;
    const line = sentence.split('\n')[d.range.start.line - 2];
    return [/\(([^)]*)\) without saying when/.exec(d.message)![1], line.slice(d.range.start.character, d.range.end.character)];
  };
  const CASES: readonly (readonly [string, readonly [string, string] | null])[] = [
    ['It should seek clarification first.', ['ask for clarification', 'seek clarification']],
    ['The assistant should request clarification.', ['ask for clarification', 'request clarification']],
    ['The assistant must pose some clarifying questions.', ['ask for clarification', 'pose some clarifying questions']],
    [
      'The assistant should ask users for a follow-up question to clarify.',
      ['ask for clarification', 'ask users for a follow-up question to clarify'],
    ],
    ['Always start by giving a brief overview.', ['open with a summary', 'start by giving a brief overview']],
    ['The assistant should begin every answer with the bottom line.', ['open with a summary', 'begin every answer with the bottom line']],
    ['Answers should be bottom-line-up-front.', ['open with a summary', 'bottom-line-up-front']],
    ['The assistant should lead with a TL;DR.', ['open with a summary', 'lead with a TL;DR']],
    ['The assistant should preface its reply with a one-line recap.', ['open with a summary', 'preface its reply with a one-line recap']],
    ['The assistant should format answers as bulleted lists.', ['use bullet points or headings', 'format answers as bulleted lists']],
    [
      'The assistant should structure replies with section headings.',
      ['use bullet points or headings', 'structure replies with section headings'],
    ],
    ['The assistant should use numbered lists.', ['use bullet points or headings', 'use numbered lists']],
    ['The assistant should use bold lead-ins.', ['use bullet points or headings', 'use bold lead-ins']],
    ['The assistant should say sorry.', ['apologise', 'say sorry']],
    ['The assistant should express regret.', ['apologise', 'express regret']],
    ['The assistant should apologize.', ['apologise', 'apologize']],
    ['The assistant should express empathy.', ['validate feelings', 'express empathy']],
    ['The assistant should empathize.', ['validate feelings', 'empathize']],
    ['The assistant should mirror their emotions.', ['validate feelings', 'mirror their emotions']],
    ["The assistant should affirm a user's emotional experience.", ['validate feelings', "affirm a user's emotional experience"]],
    ['The assistant should conclude by asking a question.', ['end with a question', 'conclude by asking a question']],
    [
      'The assistant should wrap up every turn with an open-ended question.',
      ['end with a question', 'wrap up every turn with an open-ended question'],
    ],
    ['The assistant should ask a follow-up question.', ['end with a question', 'ask a follow-up question']],
    ['The assistant should offer further help.', ['offer further help', 'offer further help']],
    ['The assistant should end by offering more.', ['offer further help', 'end by offering']],
    ["The assistant should restate the user's question.", ['restate the request', "restate the user's question"]],
    ['The assistant should paraphrase the request.', ['restate the request', 'paraphrase the request']],
    ['The assistant should rephrase the question.', ['restate the request', 'rephrase the question']],
    ['It is expected to apologise.', ['apologise', 'apologise']],
    ['The assistant needs to apologise.', ['apologise', 'apologise']],
    ['The assistant has to apologise.', ['apologise', 'apologise']],
    ['Remember to apologise.', ['apologise', 'apologise']],
    ['Make sure to apologise.', ['apologise', 'apologise']],
    ['The assistant ought to apologise.', ['apologise', 'apologise']],
    ['The assistant shall apologise.', ['apologise', 'apologise']],
    ['The assistant is to apologise.', ['apologise', 'apologise']],
    ['Be sure to apologise.', ['apologise', 'apologise']],
    ['Apologise.', ['apologise', 'Apologise']],
    ['1. Apologise for mistakes.', ['apologise', 'Apologise']],
    ['The assistant could apologise.', null],
    ['The assistant might, if it wishes, apologise.', null],
    ['The assistant should apologise where appropriate.', null],
    ['The assistant should apologise as needed.', null],
    ['The assistant should apologise, depending on the mistake.', null],
    ['The assistant should apologise in cases of error.', null],
    ['The assistant should occasionally apologise.', null],
    ['The assistant should apologise for requests that cause harm.', null],
    ['The assistant should never apologise.', null],
    ['The assistant should avoid apologising.', null],
    ['The assistant should refrain from apologising.', null],
    ['The assistant should answer without apologising.', null],
    ['The assistant should answer instead of apologising.', null],
    ["The assistant doesn't apologise.", null],
    ['The assistant should answer rather than apologise.', null],
    ['Be direct; the assistant should apologise.', ['apologise', 'apologise']],
    ['Do not lecture. The assistant should apologise.', ['apologise', 'apologise']],
    ['The assistant apologises for mistakes.', ['apologise', 'apologises']],
    ['It apologises for mistakes.', ['apologise', 'apologises']],
    ['The AI then apologises for mistakes.', ['apologise', 'apologises']],
    ['The model usually ends with a question.', ['end with a question', 'ends with a question']],
    ['The assistant should apologise. Only when it erred, though.', null],
    ['The assistant should apologise. But only if it erred.', null],
    ['The assistant should apologise. This applies when it erred.', null],
    ['The assistant should apologise. It erred when late.', ['apologise', 'apologise']],
    ['The assistant should apologise.\n\nOnly when it erred.', ['apologise', 'apologise']],
    ['The assistant should quickly then apologise.', ['apologise', 'apologise']],
    ['The assistant should very quickly and then apologise.', null],
  ];
  for (const [sentence, expected] of CASES) {
    it(JSON.stringify(sentence), () => assert.deepEqual(prescribed(sentence), expected));
  }
});

describe('order of findings', () => {
  it('by place, then by rule id, the other-language note among them', () => {
    const french =
      '## Être utile\n\nL’assistant répond directement, sans formules de politesse inutiles, et il propose une solution concrète à chaque fois que la question le permet. Il ne renvoie jamais une réponse à moitié finie.\n';
    const english =
      '## Be useful\n\nThe assistant answers directly and never sends half-finished replies: a half-finished reply costs the user more time than it saves, and the user cannot tell which half is missing.\n\n';
    const { diagnostics } = lintDocument(parseTraitDocument(english + french), { settings: [{ 'chunk-too-long': { budget: 10 } }] });
    assert.deepEqual(
      diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.ruleId}`),
      ['0:3 TS101', '0:3 TS102', '0:3 TS103', '0:3 TS301', '2:35 TS201', '4:3 TS101', '4:3 TS301'],
    );
  });
});

describe('rule edges found by mutation testing', () => {
  const example = (user: string) => `~~~xml\n<user>${user}</user>\n<assistant>ok</assistant>\n~~~\n`;
  const french =
    'L’assistant répond directement, sans formules de politesse inutiles, et il propose une solution concrète à chaque fois que la question le permet. Il ne renvoie jamais une réponse à moitié finie à un canal externe, et il demande avant d’agir à l’extérieur, même avec l’option « never » du menu.';

  it('duplicate-trait compares a document of just two traits', () => {
    const sentence = 'When the assistant discovers an error in an earlier answer, it says so plainly.';
    const found = findings('duplicate-trait', `## Admit mistakes\n\n${sentence}\n\n## Own up to errors\n\n${sentence}\n`);
    assert.equal(found.length, 1);
    assert.match(found[0], /^4:3-4:19 "Own up to errors" says nearly the same as "Admit mistakes"/);
  });

  it('empty-trait: a part holding only an example is not empty, after other examples too', () => {
    assert.deepEqual(findings('empty-trait', `## T\n\nText.\n\n${example('a')}\n### Why\n\n${example('b')}\n### Exceptions\n\n`), [
      '16:4-16:14 The Exceptions part of "T" is empty.',
    ]);
  });

  it('front-matter reports YAML syntax errors and an unclosed block where they are', () => {
    assert.deepEqual(
      findings('front-matter', '---\nname: [unclosed\n---\n## T\n\nText.\n').map((f) => f.slice(0, 40)),
      ['1:15-1:15 YAML: Flow sequence in block c'],
    );
    assert.deepEqual(findings('front-matter', '---\nname: x\n## T\n\nText.\n'), [
      '0:0-0:3 Front matter opened here is never closed with a `---` line, so it is read as Markdown.',
    ]);
  });

  it('unclosed-fence does not count a line of blanks, and counts a bare "#" as a heading', () => {
    assert.match(
      findings('unclosed-fence', '## A\n\nText.\n\n```\n   \n#\n')[0],
      /so the 1 non-blank line after it, 1 heading among them, is read as code/,
    );
  });

  it('unqualified-absolute leaves alone the traits and group introductions the English cues cannot judge', () => {
    assert.deepEqual(findings('unqualified-absolute', `## Être utile\n\n${french}\n`), []);
    assert.deepEqual(
      findings(
        'unqualified-absolute',
        `# Style\n\n${french}\n\n## Be kind\n\nThe assistant is kind, because people matter, unless asked for bluntness.\n`,
      ),
      [],
    );
    // The same absolute in English is reported.
    assert.equal(
      findings(
        'unqualified-absolute',
        `# Style\n\nThe assistant never uses the option.\n\n## Be kind\n\nThe assistant is kind, because people matter, unless asked for bluntness.\n`,
      ).length,
      1,
    );
  });

  it('a disable comment on a heading line covers that line', () => {
    assert.deepEqual(findings('vague-trait', '## Be nice <!-- traits-disable vague-trait -->\n\nBe nice.\n\n## Be kind\n\nBe kind.\n'), []);
    assert.deepEqual(
      findings(
        'vague-trait',
        '<!-- traits-disable vague-trait -->\n## Be nice\n\nBe nice.\n\n## Be kind <!-- traits-enable vague-trait -->\n\nBe kind.\n',
      ).map((f) => f.split(' ')[0].split('-')[0]),
      ['5:3'],
    );
  });

  it('unknown-reference names the trait the reference stands in when a later trait takes the same id', () => {
    const { diagnostics } = lintDocument(parseTraitDocument('## Be kind {#k}\n\nSee [[Nowhere]].\n\n## Be nice {#k}\n\nText.\n'));
    assert.deepEqual(
      diagnostics.filter((d) => d.rule === 'unknown-reference').map((d) => [d.trait, d.traitId]),
      [['Be kind', 'k']],
    );
  });

  it('unknown-rule-in-comment suggests no id for a near id, and fixes a repeated name at its first place', () => {
    const text = (comment: string) => `${comment}\n## A\n\nText here.\n`;
    const [id] = lintDocument(parseTraitDocument(text('<!-- traits-disable ts20 -->'))).diagnostics.filter(
      (d) => d.rule === 'unknown-rule-in-comment',
    );
    assert.deepEqual([id.message, id.fix], ['Unknown rule "ts20" in a traits-disable comment: it disables nothing.', undefined]);
    const twice = lintDocument(parseTraitDocument(text('<!-- traits-disable vauge-trait vauge-trait -->'))).diagnostics.filter(
      (d) => d.rule === 'unknown-rule-in-comment',
    );
    assert.deepEqual(
      twice.map((d) => d.fix?.edits[0].range.start.character),
      [20, 20],
    );
  });
});
