/**
 * The fake's answers to the model review (server/src/review), derived from the text it is sent, as
 * a careful model would give them: each part quoted from the trait's own sentences.
 *
 * - rationale: the first sentence under a "Why" heading, else a sentence with "because" or one
 *   saying what the trait respects (a reason the lint's cue words miss);
 * - tradeoffs: the first sentence under "Trade-offs", else one with "balanced against" or "outweigh";
 * - exceptions: the first sentence under "Exceptions", else one with "unless" or "except";
 * - deliberately absolute: a sentence with "without exception";
 * - surface forms: each `always say "…"` / `always open with "…"` / `always end with "…"`.
 * Planted markers script the faults: a trait holding FABRICATE quotes a reason it never states (on
 * every attempt); FABRICATE-ONCE does so only on the first attempt (the retry quotes truly);
 * BLOCKME is answered with a SAFETY block. Tension pairs: each two traits one of which links to the
 * other by [[Title]] (weighed, the linking sentence quoted), and the first and last trait (unweighed).
 */
import type { LoggedRequest, Reply } from './server';
import { stageOf } from './stages';

const userTexts = (r: LoggedRequest): string[] =>
  r.body.contents.filter((c) => c.role !== 'model').map((c) => c.parts.map((p) => p.text).join(''));

/** Sentences of a block of Markdown prose: headings, fences and blank lines apart. */
function sentences(block: string): string[] {
  return block
    .split(/\n\s*\n/)
    .filter((p) => !/^\s*(#|~~~|```|<)/.test(p))
    .flatMap((p) =>
      p
        .replace(/\s+/g, ' ')
        .trim()
        .split(/(?<=[.!?])\s+(?=[A-Z[])/),
    )
    .filter((s) => s.length > 0);
}

/** The prose under the `### Name` heading of `chunk` (up to the next heading). */
function partProse(chunk: string, heading: RegExp): string {
  const m = new RegExp(`^#{2,6}\\s*${heading.source}\\s*$([\\s\\S]*?)(?=^#{1,6}\\s|$(?![\\s\\S]))`, 'mi').exec(chunk);
  return m?.[1] ?? '';
}

function quoted(chunk: string, heading: RegExp, cue: RegExp): { present: boolean; quote: string } {
  const under = sentences(partProse(chunk, heading))[0];
  const cued = sentences(chunk).find((s) => cue.test(s));
  const quote = under ?? cued;
  return quote ? { present: true, quote } : { present: false, quote: '' };
}

/** The coverage answer of a trait chunk; `first` is false on the asked-again request. */
export function coverageAnswer(chunk: string, first: boolean): object {
  const rationale = quoted(chunk, /why/, /\bbecause\b|\brespects?\b/i);
  const fabricate = chunk.includes('FABRICATE-ONCE') ? first : chunk.includes('FABRICATE');
  return {
    rationale: fabricate ? { present: true, quote: 'This trait exists because the fake made this sentence up.' } : rationale,
    tradeoffs: quoted(chunk, /trade-?offs?/, /balanced against|outweigh/i),
    exceptions: quoted(chunk, /exceptions?/, /\bunless\b|\bexcept\b/i),
    deliberately_absolute: ((s) => (s ? { present: true, quote: s } : { present: false, quote: '' }))(
      sentences(chunk).find((s) => /without exception/i.test(s)),
    ),
    surface_forms: [...chunk.matchAll(/always (?:say|open with|end with) "([^"]+)"/gi)].map((m) => ({ form: m[1], quote: m[0] })),
  };
}

/** The tension answer of a review-tensions prompt. */
export function tensionsAnswer(prompt: string): object {
  const traits = [...prompt.matchAll(/<trait id="([^"]*)" title="([^"]*)">\n([\s\S]*?)\n<\/trait>/g)].map((m) => ({
    id: m[1],
    title: m[2],
    text: m[3],
  }));
  const pairs: object[] = [];
  for (const t of traits) {
    for (const o of traits) {
      if (o === t) continue;
      const sentence = sentences(t.text).find((s) => s.includes(`[[${o.title}]]`));
      if (sentence) pairs.push({ a: t.id, b: o.id, situation: `${t.title} and ${o.title} pull apart`, weighed: true, quote: sentence });
    }
  }
  if (traits.length >= 2) {
    const [a, b] = [traits[0], traits[traits.length - 1]];
    pairs.push({ a: a.id, b: b.id, situation: `A user needs ${a.title} and ${b.title} at once`, weighed: false, quote: '' });
  }
  return { tension_pairs: pairs };
}

/** A responder answering the review's requests (and `other` for the rest; default: an error). */
export function reviewResponder(other?: (request: LoggedRequest) => Reply): (request: LoggedRequest) => Reply {
  return (request) => {
    const stage = stageOf(request);
    const texts = userTexts(request);
    const json = (value: object): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 400, outputTokens: 60 });
    if (stage === 'review-coverage') {
      const chunk = /<trait>\n([\s\S]*?)\n<\/trait>/.exec(texts[0])?.[1] ?? '';
      if (chunk.includes('BLOCKME')) return { kind: 'blocked', finishReason: 'SAFETY' };
      return json(coverageAnswer(chunk, texts.length === 1));
    }
    if (stage === 'review-tensions') return json(tensionsAnswer(texts[0]));
    return other ? other(request) : { kind: 'status', status: 400, message: `the review fake does not answer ${stage}` };
  };
}
