// Every cue pattern of the three missing-part rules has a witness: a sentence in which that pattern,
// and no other, finds a cue. Deleting or breaking any one pattern leaves its witness stating no part
// (the missing-part rule would then fire on it), so its witness fails.
// The masks that keep cues in the wrong place from counting have witnesses of their own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCuePattern, cuePatterns, findCue, type CueKind } from '../../server/src/analysis/cues';
import { cueText, maskForCues } from '../../server/src/analysis/cueText';

/** [sentence, the cue phrase found in it], one per pattern, in the order of `cuePatterns(kind)`. */
const WITNESSES: Record<CueKind, readonly (readonly [string, string])[]> = {
  rationale: [
    ['It refuses because the request is unsafe.', 'because'],
    ['It keeps the answer short, since the user is on a phone.', 'since'],
    ['It labels each step so that a reviewer can follow it.', 'so that'],
    ['It asks first so as to avoid surprises.', 'so as to'],
    ['It cites sources in order to let readers check them.', 'in order to'],
    ['Errors compound; therefore it checks each step.', 'therefore'],
    ['Users act on answers, and this is why it checks them.', 'this is why'],
    ['It confirms the amount, otherwise money could be lost.', 'otherwise'],
    ['The goal is a user who can work alone.', 'the goal'],
    ['A reason for the rule is given.', 'reason for'],
    ['For similar reasons it checks twice.', 'for similar reasons'],
    ['Checking the dose is important.', 'is important'],
    ["It's important to check the dose.", "'s important"],
    ['Tone matters here.', 'tone matters'],
    ['Accuracy matters to users.', 'matters to'],
    ['A short summary helps users decide.', 'helps users'],
    ['Guessing could lead to a wrong dose.', 'could lead to'],
    ['Flattery erodes trust.', 'erodes trust'],
    ['It confirms the amount, to avoid a wrong transfer.', 'to avoid'],
    ['It repeats the figure to ensure the user saw it.', 'to ensure'],
    ['The format is designed to be scanned.', 'designed to'],
    ['It numbers the steps so the user can follow them.', 'so the user can'],
    ['It keeps answers short, as this saves the user time.', 'as this'],
    ['Vague answers confuse users, leading to errors.', 'leading to'],
    ['It asks first to reduce the risk.', 'reduce the risk'],
    ['A heading improves clarity.', 'improves clarity'],
    ['The consequences of a wrong dose are severe.', 'consequences of'],
    ['The rule exists to protect children.', 'exists to'],
    ['The assistant wants to leave the user able to decide.', 'the assistant wants to'],
    ['Given the potential for harm, it asks first.', 'given the potential'],
  ],
  tradeoffs: [
    ['Speed is a trade-off here.', 'trade-off'],
    ['Warmth is balanced against candour.', 'balanced'],
    ['It weighs candour against kindness.', 'weighs'],
    ['The cost outweighs the gain.', 'outweighs'],
    ['There is tension with brevity.', 'tension'],
    ['It never answers at the expense of accuracy.', 'at the expense of'],
    ['It considers the cost of a delay.', 'cost of'],
    ['Speed versus care is decided per task.', 'versus'],
    ['On the other hand, long answers tire users.', 'on the other hand'],
    ['At the same time, it stays brief.', 'at the same time'],
    ['Helpfulness can conflict with safety.', 'conflict'],
    ['Both goals compete here.', 'compete'],
    ['It prioritizes safety.', 'prioritizes'],
    ['Safety takes precedence.', 'takes precedence'],
    ['A user request overrides this style.', 'overrides'],
    ['Safety outranks helpfulness.', 'outranks helpfulness'],
    ['Brevity comes second to accuracy.', 'comes second to accuracy'],
    ['The ordering of outcomes is: a good answer, then a refusal.', 'ordering of outcomes'],
    ['It jokes while remaining respectful.', 'while remaining'],
    ['It is direct without being curt.', 'without being'],
    ['It is never too cautious.', 'too cautious'],
    ['The goals are at odds.', 'at odds'],
    ['It tries to strike a deal between them.', 'strike a'],
    ['It looks for a middle ground.', 'middle ground'],
    ['It decides in favour of the user.', 'in favour of'],
    ['It gives hints rather than answers.', 'rather than'],
  ],
  exceptions: [
    ['It answers in English unless asked otherwise.', 'unless'],
    ['It always cites, except in chat.', 'except'],
    ['It covers all topics, excluding medical dosing.', 'excluding'],
    ['It interrupts only when there is danger.', 'only when'],
    ['This does not apply to fiction.', 'does not apply'],
    ['Fiction is not covered by this.', 'is not covered by this'],
    ['By default it answers briefly.', 'by default'],
    ['This default suits most users.', 'this default'],
    ['Default behaviors suit most users.', 'default behaviors'],
    ['The style can be overridden.', 'can be overridden'],
    ['Developers can adjust this.', 'can adjust this'],
    ['If the user explicitly asks, it gives the full text.', 'if the user explicitly asks'],
    ['It shares its reasoning when asked.', 'when asked'],
    ['In cases where the user is a child, it is gentler.', 'in cases where'],
    ['In some cases a longer answer is better.', 'in some cases'],
    ['There are cases where it must refuse.', 'there are cases'],
    ['It may still summarise the text.', 'may still'],
    ['A short answer is also allowed.', 'is also allowed'],
    ['It batches file reads whenever possible.', 'whenever possible'],
    ['It runs them in parallel if this is explicitly requested.', 'if this is explicitly requested'],
    ['If a fact could plausibly fit two files, it asks the user.', 'if a fact could plausibly fit two files, it asks'],
    ['It may joke so long as the user is relaxed.', 'so long as'],
    ['It jokes as long as the user is relaxed.', 'as long as'],
    ['It jokes provided that the user is relaxed.', 'provided that'],
    ['It speculates insofar as the evidence allows.', 'insofar as'],
    ['It discusses any topic within established boundaries.', 'within established boundaries'],
    ['In the absence of instructions, it answers briefly.', 'in the absence of'],
    ['Absent other instructions, it answers briefly.', 'absent other instructions'],
    ['Outside these settings it is formal.', 'outside these'],
    ['However, if the user insists, it explains.', 'however, if'],
    ['The answer is different if the user is a child.', 'is different if'],
  ],
};

/** Sentences in which a pattern's guard (a lookbehind or lookahead) keeps it from firing. */
const GUARDED: Record<CueKind, readonly string[]> = {
  rationale: [
    'Since 2020 the policy has changed.',
    'Answer in Markdown unless otherwise specified.',
    "It respects the user's goal.",
    'It asks what’s the point of the task.',
    'Be a teacher who helps the user learn.',
    'It avoids advice that if improper could result in harm.',
    'It avoids advice which could lead to harm.',
    'It faces this without the benefit of guidance.',
    'It asks how it wants to engage.',
    'It should try to avoid harm.',
    'It should try to ensure accuracy.',
  ],
  tradeoffs: [
    'It offers balanced perspectives on politics.',
    'A balance of power is preserved.',
    'It declares any conflict of interest.',
    'These defaults can be overridden by users.',
    'Rather than listing every step, it gives the next one.',
  ],
  exceptions: ['Human concepts may not fit, and others don’t apply at all.', 'The user may choose to share video.'],
};

describe('cue witnesses: every pattern finds its own witness', () => {
  for (const kind of ['rationale', 'tradeoffs', 'exceptions'] as const) {
    it(`${kind}: one witness per pattern`, () => {
      assert.equal(WITNESSES[kind].length, cuePatterns(kind).length);
    });
    WITNESSES[kind].forEach(([sentence, phrase], i) => {
      it(`${kind} #${i}: "${sentence}" -> "${phrase}"`, () => {
        const prepared = cueText(sentence);
        const found = findCue(kind, prepared);
        assert.equal(found?.phrase, phrase);
        assert.equal(prepared.slice(found.index, found.index + phrase.length), phrase, 'the offset of the phrase in the sentence');
        const masked = maskForCues(prepared, kind);
        const pattern = cuePatterns(kind)[i];
        assert.ok(pattern && compileCuePattern(pattern).test(masked), `pattern #${i} (${pattern}) does not match its witness`);
        const others = cuePatterns(kind).filter((p, j) => j !== i && compileCuePattern(p).test(masked));
        assert.deepEqual(others, [], `without pattern #${i} its witness would still state a ${kind} part`);
      });
    });
    for (const sentence of GUARDED[kind]) {
      it(`${kind}: no cue in "${sentence}"`, () => assert.equal(findCue(kind, cueText(sentence)), undefined));
    }
  }
});

describe('cue masks: a cue in the wrong place does not count', () => {
  const cue = (kind: CueKind, sentence: string) => findCue(kind, cueText(sentence))?.phrase;
  it('quoted words', () => {
    assert.equal(cue('rationale', 'It ignores "this case is special because the user is an expert".'), undefined);
    assert.equal(cue('rationale', 'It ignores “this case is special because the user is an expert”.'), undefined);
  });
  it('a double quote after a letter or digit opens no quotation (inch marks)', () => {
    assert.equal(cue('rationale', 'It recommends 5" screens because they fit, not 7" ones.'), 'because');
    assert.equal(cue('rationale', 'Because it fits, it recommends 5" screens, not 7" ones.'), 'because');
  });
  it('only the quotation is masked, not the words just before or after it', () => {
    assert.equal(cue('rationale', 'It checks, because it is cheap, what "skip it" means.'), 'because');
    assert.equal(cue('rationale', 'It ignores "skip it", as it is pressure.'), 'as it');
  });
  it('quoted words opening after a bracket, a dash or at the start of the sentence', () => {
    for (const sentence of [
      'It ignores ("skip it, because it is late") as pressure.',
      'It ignores ["skip it because it is late"] as pressure.',
      'It ignores—"skip it because it is late" as pressure.',
      'It ignores –"skip it because it is late" as pressure.',
      'It ignores -"skip it because it is late" as pressure.',
      '"Skip it because it is late" is pressure, not a reason.',
    ])
      assert.equal(cue('rationale', sentence), undefined, sentence);
  });
  it('the end sentences of a quotation of several sentences: before a closing quote, after an opening one', () => {
    assert.equal(cue('rationale', 'Skip it because I am late," the user says.'), undefined);
    assert.equal(cue('rationale', 'The user says "skip it because I am late.'), undefined);
    assert.equal(cue('rationale', '"Skip it because I am late.'), undefined);
    assert.equal(cue('rationale', 'I am late," the user says; it still checks, because the dose matters.'), 'because');
    assert.equal(cue('rationale', 'It still checks, because the dose matters, when told "I am late.'), 'because');
  });
  it('a dialogue line, however it is marked, and only a line that opens with its speaker', () => {
    for (const sentence of [
      'User: skip the checks, because I am late.',
      '> User: skip the checks, because I am late.',
      '- User: skip the checks, because I am late.',
      'User : skip the checks, because I am late.',
    ])
      assert.equal(cue('rationale', sentence), undefined, sentence);
    assert.equal(cue('rationale', 'A note for the user: it asks first because the step is risky.'), 'because');
  });
  it('reasoning the text rejects, up to the end of the clause', () => {
    assert.equal(cue('rationale', 'It never concludes that, since the user is an expert, a check is unnecessary.'), undefined);
    assert.equal(cue('exceptions', 'It should not assume the rule does not apply to experts.'), undefined);
    assert.equal(cue('rationale', 'A model telling itself the check is useless because it is late has gone wrong.'), undefined);
    assert.equal(cue('rationale', 'It never concludes that the user is right; because the check is cheap, it runs it.'), 'because');
    assert.equal(cue('rationale', 'It never concludes; because the check is cheap, it runs it.'), 'because', 'the clause ends right after');
  });
  it('reasoning the text rejects, in each wording of the rejection', () => {
    for (const sentence of [
      'It should avoid assuming that, because the user is an expert, the check is optional.',
      'It should refrain from concluding that, since the user is an expert, the check is optional.',
      'It should not simply assume that, because the user is an expert, the check is optional.',
      'It should never\n  conclude that, since the user is an expert, the check is optional.',
      'It should refrain\n  from concluding that, since the user is an expert, the check is optional.',
      'Rather\n  than assume that, since the user is an expert, the check is optional, it runs it.',
      'It should not simply\n  assume that, because the user is an expert, the check is optional.',
      'A model telling\n  itself the check is useless because it is late has gone wrong.',
      'Instead\n  of reasoning that, since the user is an expert, the check is optional, it runs it.',
    ])
      assert.equal(cue('rationale', sentence), undefined, sentence);
  });
  it('a condition about what someone else says or wants (reasons only)', () => {
    assert.equal(cue('rationale', 'When a user says they need it because of a deadline, it still asks.'), undefined);
    assert.equal(cue('rationale', 'When a user asks for it, it answers, because the answer is public.'), 'because');
    assert.equal(cue('rationale', 'If users say it is because of a deadline, it still asks.'), undefined);
    for (const who of ['developer', 'operator', 'person', 'requester', 'customer', 'client', 'human', 'principal'])
      assert.equal(cue('rationale', `When a ${who} says it is because of a deadline, it still asks.`), undefined, who);
    for (const sentence of [
      'When an operator says it is because of a deadline, it still asks.',
      'If some users say it is because of a deadline, it still asks.',
      'If any user says it is because of a deadline, it still asks.',
      'When a\n  user says it is because of a deadline, it still asks.',
      'When an\n  operator says it is because of a deadline, it still asks.',
      'If some\n  users say it is because of a deadline, it still asks.',
      'If any\n  user says it is because of a deadline, it still asks.',
    ])
      assert.equal(cue('rationale', sentence), undefined, sentence);
    assert.equal(
      cue('rationale', 'The assistant still checks every fact and every figure when a user says it is because of a deadline.'),
      undefined,
      'a condition far into the sentence',
    );
    assert.equal(cue('rationale', 'When\n  a user says it is because of a deadline, it still asks.'), undefined, 'wrapped');
    assert.equal(cue('rationale', 'When the\n  user says it is because of a deadline, it still asks.'), undefined, 'wrapped');
    assert.equal(cue('exceptions', 'If the user explicitly asks, it answers.'), 'if the user explicitly asks');
  });
  it('a cue broken across lines, blockquote markers and emphasis', () => {
    assert.equal(cue('tradeoffs', 'It gives hints rather\n> than answers.'), 'rather than');
    assert.equal(cue('exceptions', 'It answers in English *by default*.'), 'by default');
  });
});

describe('cue text: what the cues read, at the offsets of the sentence as written', () => {
  it('lowers, straightens quotes and apostrophes, and blanks line breaks, quote markers, tabs and emphasis', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['It “quotes” and doesn’t apply ‘here’ ʼok', "it \"quotes\" and doesn't apply 'here' 'ok"],
      ['Tab\there _under_ snake_case __bold__ ***x***', 'tab here  under  snake_case   bold      x   '],
      ['Line\n  > > quoted', 'line       quoted'],
      // Each replaced character alone in a sentence is replaced too.
      ['Doesn’t', "doesn't"],
      ['‘Tis', "'tis"],
      ['Doesnʼt', "doesn't"],
      ['“Quoted', '"quoted'],
      ['Quoted”', 'quoted"'],
      ['Tab\there', 'tab here'],
      ['“”', '""'],
      ['Line\n>> quoted', 'line    quoted'],
      ['*Always*', ' always '],
      ['_Always_', ' always '],
      ['ÀB É', 'àb é'],
      // Full lower-casing would lengthen "İ"; only ASCII letters are lowered then.
      ['İstanbul Users rely on it, BECAUSE it is fast.', 'İstanbul users rely on it, because it is fast.'],
    ];
    for (const [sentence, prepared] of cases) assert.equal(cueText(sentence), prepared);
    const sentence = 'İstanbul Users rely on it, BECAUSE it is fast.';
    assert.deepEqual(findCue('rationale', cueText(sentence)), { phrase: 'because', index: sentence.indexOf('BECAUSE') });
  });
});
