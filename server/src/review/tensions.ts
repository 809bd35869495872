/**
 * The trade-off map: pairs of traits that can pull against each other, and whether the document
 * says how to weigh them. A keyless heuristic pass reads the document's own links; the model pass
 * proposes the pairs a realistic situation would bring into conflict.
 */
import { documentPriorities, prioritisedBy } from '../analysis/priorities';
import { paragraphSentences, sentenceRange, type Sentence } from '../analysis/sentences';
import { normaliseTitle, referenceTargets, resolveReference } from '../document/resolve';
import type { Trait, TraitDocument } from '../document/model';
import { StageError, tryStructured, type AskContext } from '../llm/ask';
import { REVIEW_SCHEMAS, reviewStage, tensionsRequest, type ReviewTemplates } from './prompts';
import { findQuote, normaliseWhitespace } from './quotes';
import type { Tension } from './types';

/** The text of the document's priorities section (its sentence that orders the values, and the list), or '' when it has none. */
export function prioritiesText(document: TraitDocument): string {
  const priorities = documentPriorities(document);
  if (!priorities) return '';
  const section = [document.preamble, ...document.contextSections].find((s) => (s.heading?.title ?? '') === priorities.section);
  return section ? document.text.slice(document.lines.offsetAt(section.range.start), document.lines.offsetAt(section.range.end)) : '';
}

/** The source text of a sentence, as it stands in the document (markup included). */
function sourceOf(document: TraitDocument, sentence: Sentence): string {
  const range = sentenceRange(sentence);
  return normaliseWhitespace(document.text.slice(document.lines.offsetAt(range.start), document.lines.offsetAt(range.end)));
}

/**
 * The keyless pass: a pair for each two traits where one links to the other (`[[Title]]`, `[[#id]]`,
 * `[text](#id)`) or names the other's title in its Trade-offs part. The pair is weighed when the
 * linking sentence stands in a Trade-offs part, or when the document's priorities order both
 * traits' values; its quote is that sentence (or the priorities' ordering sentence). Pairs are
 * unordered and listed once, in document order of their first evidence.
 */
export function heuristicTensions(document: TraitDocument): Tension[] {
  const targets = referenceTargets(document);
  const byId = new Map(document.traits.map((t) => [t.id, t]));
  const priorities = documentPriorities(document);
  const pairs = new Map<string, Tension>();
  const add = (a: Trait, b: Trait, sentence: Sentence | undefined, how: string) => {
    if (a === b) return;
    const key = [a.id, b.id].sort().join('\u0000');
    const inTradeoffs = sentence?.part === 'tradeoffs';
    const settled = !inTradeoffs && priorities ? prioritisedBy(priorities, a) && prioritisedBy(priorities, b) : undefined;
    const weighed = inTradeoffs || !!settled;
    const quote =
      inTradeoffs && sentence ? sourceOf(document, sentence) : settled && priorities ? sourceOf(document, priorities.sentence) : null;
    const existing = pairs.get(key);
    if (existing && (existing.weighed || !weighed)) return;
    pairs.set(key, {
      a: a.id,
      b: b.id,
      situation: `"${a.title}" ${how} "${b.title}"`,
      weighed,
      quote,
      verified: quote !== null,
      source: 'heuristic',
    });
  };
  for (const trait of document.traits) {
    const sentences = trait.paragraphs.flatMap((p) => paragraphSentences(p));
    const sentenceAt = (line: number, character: number) =>
      sentences.find((s) => {
        const r = sentenceRange(s);
        return (
          (r.start.line < line || (r.start.line === line && r.start.character <= character)) &&
          (line < r.end.line || (line === r.end.line && character <= r.end.character))
        );
      });
    for (const ref of trait.references) {
      const id = resolveReference(targets, ref);
      const other = id ? byId.get(id) : undefined;
      if (other) add(trait, other, sentenceAt(ref.range.start.line, ref.range.start.character), 'links to');
    }
    // Another trait's title written plainly in a trade-off sentence.
    for (const sentence of sentences.filter((s) => s.part === 'tradeoffs')) {
      const text = normaliseTitle(sentence.text);
      for (const other of document.traits) {
        const title = normaliseTitle(other.title);
        if (other !== trait && title.length >= 4 && new RegExp(`\\b${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text))
          add(trait, other, sentence, 'names');
      }
    }
  }
  return [...pairs.values()];
}

/**
 * The model pass: the pairs the model proposes (see prompts/review-tensions.md), each quote checked
 * against the two traits' text and the priorities section. Pairs naming an unknown trait, or one
 * trait twice, are dropped; an unverified quote is reported with `verified: false` and does not
 * make the pair weighed. Rejects with a StageError when the answer fails twice.
 */
export async function modelTensions(
  ctx: AskContext,
  document: TraitDocument,
  model: string,
  templates: ReviewTemplates,
): Promise<Tension[]> {
  const priorities = prioritiesText(document);
  const request = tensionsRequest(
    templates,
    model,
    document.traits.map((t) => ({ id: t.id, title: t.title, text: t.chunk })),
    priorities,
  );
  const stage = reviewStage('review-tensions');
  const answer = await tryStructured(ctx, stage, request, REVIEW_SCHEMAS['review-tensions']);
  if (!('value' in answer)) throw new StageError(stage, answer.problem);
  const byId = new Map(document.traits.map((t) => [t.id, t]));
  const out: Tension[] = [];
  const seen = new Set<string>();
  for (const pair of answer.value.tension_pairs) {
    const a = byId.get(pair.a);
    const b = byId.get(pair.b);
    const key = [pair.a, pair.b].sort().join('\u0000');
    if (!a || !b || a === b || seen.has(key)) continue;
    seen.add(key);
    const quote = normaliseWhitespace(pair.quote) || null;
    const verified = quote !== null && [a.chunk, b.chunk, priorities].some((text) => !!findQuote(text, quote));
    out.push({
      a: a.id,
      b: b.id,
      situation: normaliseWhitespace(pair.situation),
      weighed: pair.weighed && verified,
      quote,
      verified,
      source: 'model',
    });
  }
  return out;
}
