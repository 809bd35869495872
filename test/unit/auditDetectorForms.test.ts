// What each offline audit detector calls a strict match, a broad match or neither, one response at a
// time: the wordings of each formula (apology, bottom line, validation, clarification), the Markdown
// that makes a heading, a list item or a bold lead-in, and the look-alikes that are none of them.
// audit.test.ts plants the patterns in whole datasets; these pin each detector's edges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offlineAudit, type AuditRecord } from '../../server/src/audit';

type Cases = readonly (readonly [string, 'strict' | 'broad' | null])[];

/** How the audit classes each response for pattern `id`, the responses audited together as one dataset. */
function classes(id: string, responses: readonly string[]): ('strict' | 'broad' | null)[] {
  const records: AuditRecord[] = responses.map((response, i) => ({ id: `r${i}`, line: i + 1, traitId: null, prompt: 'q', response }));
  const p = offlineAudit(records).find((x) => x.id === id)!;
  return records.map((r) => (p.records.includes(r.id) ? 'strict' : p.broadRecords.includes(r.id) ? 'broad' : null));
}

/** One test per detector: every case's class, each named by its response. */
function check(id: string, cases: Cases): void {
  it(id, () => {
    const got = classes(
      id,
      cases.map(([r]) => r),
    );
    assert.deepEqual(
      cases.map(([r], i) => `${got[i]} ← ${JSON.stringify(r)}`),
      cases.map(([r, expected]) => `${expected} ← ${JSON.stringify(r)}`),
    );
  });
}

describe('audit detectors: strict, broad or neither, one response at a time', () => {
  const APOLOGY: Cases = [
    ["I'm sorry to hear that. Here is a fix.", 'strict'],
    ['Sorry, that link is dead.', 'strict'],
    ['So sorry for the wait!', 'strict'],
    ['I am deeply sorry about the delay.', 'strict'],
    ['Im really sorry. It broke.', 'strict'],
    ["Oh, I'm sorry. It broke.", 'strict'],
    ["Oh no I'm terribly sorry.", 'strict'],
    ['I apologize for the confusion.', 'strict'],
    ['I sincerely apologise for that.', 'strict'],
    ['Apologies for the delay.', 'strict'],
    ['My sincere apologies, the file was wrong.', 'strict'],
    ['My deepest apologies.', 'strict'],
    ['Apologize for the late reply, here it is.', 'strict'],
    // An apology later in the first two sentences is broad.
    ['Thanks, and I am sorry about that.', 'broad'],
    ['Thanks, I apologize.', 'broad'],
    ['Thanks, and my apologies.', 'broad'],
    ['Thanks for waiting, and sorry for the delay. Here it is.', 'broad'],
    ['Here it is. I apologise for the wait.', 'broad'],
    ['The sorrowful tune ends. Then silence.', null],
    ['Here it is. It works. Sorry it took so long.', null],
    ['', null],
  ];
  check('apology-opener', APOLOGY);

  const BOTTOM_LINE: Cases = [
    ['Bottom line: buy the blue one.', 'strict'],
    ['**Bottom line:** buy the blue one.', 'strict'],
    ['The bottom line is simple: buy it.', 'strict'],
    ['BLUF: buy it.', 'strict'],
    ['TL;DR buy it.', 'strict'],
    ['TLDR: buy it.', 'strict'],
    ['tl; dr: buy it.', 'strict'],
    ['Short answer: yes.', 'strict'],
    ['Quick answer: yes.', 'strict'],
    ['Short version: yes.', 'strict'],
    ['Long story short, yes.', 'strict'],
    ['In short, yes.', 'strict'],
    ['In a nutshell, yes.', 'strict'],
    ['Executive summary: yes.', 'strict'],
    ['Summary: yes.', 'strict'],
    ['Summary : yes.', 'strict'],
    ['Answer: yes.', 'strict'],
    ['Key takeaway: yes.', 'strict'],
    ['Key takeaways: yes.', 'strict'],
    ['Takeaway: yes.', 'strict'],
    ['Verdict: yes.', 'strict'],
    ['Recommendation: yes.', 'strict'],
    ['# In short\n\nYes.', 'strict'],
    ['> In short, yes.', 'strict'],
    ['- In short, yes.', 'strict'],
    ['\n\n  In short, yes.', 'strict'],
    // A marker on a later line is broad, after any Markdown marker of that line.
    ['Here is the analysis.\n\n## Summary: yes.', 'broad'],
    ['Here is the analysis.\n\n1. In short, yes.', 'broad'],
    ['Here is the analysis.\n\n• Summary: yes.', 'broad'],
    ['Here is the analysis.\n\n> _Bottom line:_ yes.', 'broad'],
    ['Here is the analysis.\n\n+ Verdict: yes.', 'broad'],
    ['Here is the analysis.\n\n  The bottom line: yes.', 'broad'],
    ['Here is the analysis.\n\n12) TL;DR yes.', 'broad'],
    ['Here is the analysis.\n\nExecutive summary: yes.', 'broad'],
    ['Here is the analysis.\n\nKey takeaway: yes.', 'broad'],
    ['Here is the analysis.\n\nQuick answer: yes.', 'broad'],
    ['Here is the analysis.\n\nLong story short, yes.', 'broad'],
    ['Here is the analysis.\n\nRecommendation: yes.', 'broad'],
    ['Here is the analysis.\n\nAnswer: yes.', 'broad'],
    ['Here is the analysis.\n\nBLUF: yes.', 'broad'],
    // Look-alikes: the words without the marker's form.
    ['Shortly after, it rained.', null],
    ['Summary judgment is a legal term.', null],
    ['The answer is yes.', null],
    ['In shortbread, butter matters.', null],
    ['Bottom lines differ.', null],
    ['Here is the analysis.\n\nThe summary follows.', null],
    // The marker opens the line: the same words later in it are no label.
    ['Well, in short, yes.', null],
    ['Read the summary: it says yes.', null],
    ['Here is the analysis.\n\nWe talked; in short, yes.', null],
  ];
  check('bottom-line-first', BOTTOM_LINE);

  // A marker's words separated by more than one space (a model's or an editor's double space).
  const BOTTOM_LINE_SPACED: Cases = [
    ['Bottom  line: yes.', 'strict'],
    ['The  bottom line: yes.', 'strict'],
    ['Short  answer: yes.', 'strict'],
    ['Quick  answer: yes.', 'strict'],
    ['Short  version: yes.', 'strict'],
    ['Long  story  short, yes.', 'strict'],
    ['In  short, yes.', 'strict'],
    ['In  a  nutshell, yes.', 'strict'],
    ['Executive  summary: yes.', 'strict'],
    ['Key  takeaway: yes.', 'strict'],
    ['Here is the analysis.\n\nThe  bottom line: yes.', 'broad'],
  ];
  check('bottom-line-first', BOTTOM_LINE_SPACED);

  const HEADINGS: Cases = [
    ['# One\n\nText.\n\n## Two\n\nText.', 'strict'],
    ['   ### One\n###### Two', 'strict'],
    ['#\tOne\n#  Two', 'strict'],
    ['# One\n\nText.', 'broad'],
    ['**Steps**\n\nDo this.', 'broad'],
    ['__Steps__:\n\nDo this.', 'broad'],
    ['  **Steps** :  \n\nDo this.', 'broad'],
    ['Text.\n\n**Steps**', 'broad'],
    // Not headings: indented four spaces (code), seven hashes, no space, no text, bold inside a line.
    ['    # One\n    # Two', null],
    ['####### One\n####### Two', null],
    ['#One\n#Two', null],
    ['# \n#  ', null],
    ['Use **bold** sparingly.', null],
    ['**Steps** then more text here.', null],
    ['Then read **Steps**', null],
    ['**Step_one**', null],
    [`**${'x'.repeat(81)}**`, null],
  ];
  check('headings', HEADINGS);

  const LIST: Cases = [
    ['- a\n- b\n- c', 'strict'],
    ['* a\n+ b\n• c', 'strict'],
    ['1. a\n2) b\n100. c', 'strict'],
    ['  - a\n\t- b\n    - c', 'strict'],
    ['-\ta\n-  b\n- c', 'strict'],
    ['- a\n- b', 'broad'],
    ['- a\nText.\n1) b', 'broad'],
    // Not list items: no space after the marker, no text, four-digit numbers, a marker mid-line.
    ['-a\n-b\n-c', null],
    ['- \n- \n- ', null],
    ['1000. a\n2000. b\n3000. c', null],
    ['a - b\nc - d\ne - f', null],
    ['1.5 a\n2.5 b\n3.5 c', null],
  ];
  check('list-structure', LIST);

  const BOLD_LEAD_IN: Cases = [
    ['**Speed:** fast\n**Cost:** low', 'strict'],
    ['- **Speed** — fast\n* **Cost** – low', 'strict'],
    ['1. **Speed.** Fast.\n2) __Cost__ - low', 'strict'],
    ['•  **Speed**: fast\n+\t**Cost**:low', 'strict'],
    ['**Speed:** fast', 'broad'],
    ['__Why.__ Because it works.', 'broad'],
    [`**${'x'.repeat(79)}:** fast`, 'broad'],
    ['12. **Speed:** fast\n13. **Cost:** low', 'strict'],
    // Not lead-ins: no text after, no punctuation between label and text, too long, empty, unclosed.
    ['**Speed:**\n**Cost:**  ', null],
    ['**Speed** is fast\n**Cost** is low', null],
    [`**${'x'.repeat(80)}:** fast`, null],
    ['**Note: speed** is fast', null],
    ['**Speed** is fast - really', null],
    ['****: fast', null],
    ['**Speed: fast', null],
    ['**Speed** —', null],
    ['Note **Speed:** fast', null],
    // A one-character label, a label whose colon is followed by a space inside the bold span.
    ['**A** — the first option', 'broad'],
    ['**Speed: ** fast', 'broad'],
    // Underscores later in the line (a dunder name) open no lead-in, even after a colon.
    ['Note: __main__ is the entry point.', null],
  ];
  check('bold-lead-in', BOLD_LEAD_IN);

  const CLOSING_QUESTION: Cases = [
    ['Here it is. Does that help?', 'strict'],
    ['Here it is. Does that help? 🙂', 'strict'],
    ['Here it is. Want more?"', 'strict'],
    ['Here it is. Really?!?', 'strict'],
    ['Want more? Ask any time.', 'broad'],
    ['Here it is. Is it "fast?" Yes.', 'broad'],
    ['Why? Because. Here it is. Done.', null],
    ['Here it is. Done?ok', 'broad'],
    ['', null],
  ];
  check('closing-question', CLOSING_QUESTION);

  const VALIDATION: Cases = [
    ['That sounds really frustrating. Here is a plan.', 'strict'],
    ["It's completely normal to feel nervous.", 'strict'],
    ['Your concerns are valid.', 'strict'],
    ['I can hear how tired you are.', 'strict'],
    ['Here is a plan. That sounds hard.', 'broad'],
    ['Here is a plan. Deadlines are frustrating.', 'broad'],
    ['Here is a plan. Deadlines can be overwhelming.', 'broad'],
    ['Deadlines are understandable. Here is a plan.', 'broad'],
    ['Here is a plan. I get it.', 'broad'],
    ['Here is a plan. It is stressful.', 'broad'],
    ['Here is a plan. Feeling anxious is common.', 'broad'],
    ['Here is a plan. Being worried is common.', 'broad'],
    ['Here is a plan. Nothing upsetting here.', 'broad'],
    ['Here is a plan. Your point is valid.', 'broad'],
    ['Here is a plan. That makes sense.', 'broad'],
    ['Here is a plan. Invalid input is rejected.', null],
    ['Here is a plan. It is simple.', null],
    ['That sounds fine. Here is a plan.', null],
    ['Here is a plan.', null],
  ];
  check('validation-opener', VALIDATION);

  const CLARIFYING: Cases = [
    ['Could you clarify which version you use? Then I can help.', 'strict'],
    ['Before I answer: are you on Windows?', 'strict'],
    ['Please clarify which one you mean. Then I can help.', 'broad'],
    ['Which laptop do you have? Meanwhile, here is an answer.\n\nMore text.', 'broad'],
    ["You're on Windows? Here is how.\n\nMore text.", 'broad'],
    ['Is your laptop new? Here is how.\n\nMore text.', 'broad'],
    ["Have you'd a look? Here is how.\n\nMore text.", 'broad'],
    ['You’ve tried it? Here is how.\n\nMore text.', 'broad'],
    // A question to the user alone, or ending the first paragraph's text, or in a later paragraph.
    ['Which laptop do you have?', null],
    ['Which laptop do you have?\n\n', null],
    ['Here is how.\n\nWhich laptop do you have? More text.', null],
    ['Here is how.\n  \t\nWhich laptop do you have? More text.', null],
    ['Is the laptop new? Here is how.\n\nMore text.', null],
    ['Is youth fleeting? Here is how.\n\nMore text.', null],
    ['Paris is the capital of France.', null],
    // A cue ending its question, right before the question mark.
    ['What do you mean?', 'strict'],
    ['Could you clarify?', 'strict'],
    // A cue in the sentence before a question (ended by ".", "!" or a line break) is not in that question.
    ['Let me clarify the steps. Is it blue?', 'broad'],
    ['Happy to clarify! Is it blue?', 'broad'],
    ['Let me clarify\nIs it blue?', 'broad'],
    // Blank lines before the first paragraph do not end it.
    ['\n\nIs your laptop new? Here is how.\n\nMore text.', 'broad'],
    // A cue counts in a question when it stands within 400 characters of its question mark.
    [`Are you asking about ${'y'.repeat(379)}?`, 'strict'],
    [`Are you asking about ${'y'.repeat(380)}?`, 'broad'],
  ];
  check('clarifying-question', CLARIFYING);

  // Long responses: 400 words or more strict, 250 or more broad.
  const LONG: Cases = [
    ['w '.repeat(400), 'strict'],
    ['w '.repeat(399), 'broad'],
    ['w '.repeat(250), 'broad'],
    ['w '.repeat(249), null],
  ];
  check('long-response', LONG);

  // One length: the densest window [w, max(1.2·w, w + 4)] words is strict, widened by
  // max(6, a quarter of its width, a quarter of w) on each side broad.
  const CLUSTER_SMALL: Cases = [
    ['w '.repeat(10), 'strict'],
    ['w '.repeat(10), 'strict'],
    ['w '.repeat(11), 'strict'],
    ['w '.repeat(12), 'strict'],
    ['w '.repeat(14), 'strict'],
    ['w '.repeat(20), 'broad'],
    ['w '.repeat(21), null],
    ['w '.repeat(30), null],
  ];
  check('length-cluster', CLUSTER_SMALL);
  // Ties go to the shorter window; at 50 words the window is 1.2·w wide.
  const CLUSTER_LARGE: Cases = [
    ['w '.repeat(50), 'strict'],
    ['w '.repeat(55), 'strict'],
    ['w '.repeat(60), 'strict'],
    ['w '.repeat(61), 'broad'],
    ['w '.repeat(72), 'broad'],
    ['w '.repeat(73), null],
    ['w '.repeat(37), null],
    ['w '.repeat(38), 'broad'],
  ];
  check('length-cluster', CLUSTER_LARGE);
});

describe('audit detectors: what the report says of each pattern', () => {
  it('names each fixed pattern and says what its strict and broad forms are', () => {
    const patterns = offlineAudit([{ id: 'r0', line: 1, traitId: null, prompt: 'q', response: 'Plain text.' }]);
    const fixed = patterns.filter((p) => p.id !== 'length-cluster');
    assert.equal(fixed.length, 9);
    for (const p of fixed) {
      assert.ok(p.name.length > 0, `${p.id} has a name`);
      assert.match(p.description, /Strict: .+Broad: |Broad: .+Strict: /, `${p.id} says what its strict and broad forms are`);
    }
  });
});
