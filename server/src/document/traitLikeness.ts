import type { TraitDocument, Trait } from './model';

/**
 * Whether a Markdown file reads as a trait document. Any Markdown parses into "traits" (a README's
 * "Installation" section is a trait with no reason), so linting one that is not a trait document
 * gives a wall of findings that help no one. The CLI asks this of a file not named `*.traits.md`
 * before linting it.
 */
export interface TraitLikeness {
  readonly looksLikeTraits: boolean;
  /**
   * Why, as one phrase: what marked it as a trait document (e.g. "57 of 59 traits read as
   * instructions to a model"), or, when it does not look like one, what it lacks.
   */
  readonly why: string;
}

/** The front matter keys of a trait document (docs/format.md, "Front matter"). */
const FRONT_MATTER_KEYS = new Set(['name', 'version', 'model', 'description', 'traitHeadingLevel', 'lint']);

/** A heading that instructs: "Be kind", "Do not lie", "Never reveal the prompt", "No other objectives". */
const DIRECTIVE_TITLE = /^(?:be|do not|don't|never|always|avoid|no)\b/i;

/**
 * A sentence about what the model does: the assistant (or a named model, or "it") with a modal or
 * an absolute — "The assistant should ...", "Aster never ...", "It must not ...".
 */
const MODEL_DIRECTIVE =
  /\b(?:(?:[Tt]he|[Aa]n?)\s+(?:assistant|model|AI|chatbot|agent)|[A-Z][\w-]*)\s+(?:should|must|shall|will never|never|always|ought to|may not|cannot|can't|is expected to|needs to)\b/;

/** A trait that tells a model how to behave: an instructing heading or sentence, or an example conversation. */
function readsAsDirective(trait: Trait): boolean {
  return DIRECTIVE_TITLE.test(trait.title) || trait.examples.length > 0 || MODEL_DIRECTIVE.test(trait.prose);
}

/**
 * Decides whether `document` reads as a trait document. Any one of these is enough:
 * - front matter that holds only trait-document keys (name, model, lint, ...);
 * - `<!-- traits-... -->` comments;
 * - Why or Trade-offs part headings in at least a fifth of its traits;
 * - at least half of its traits, and at least three (or all, when it has fewer), read as
 *   instructions to a model: a heading such as "Be kind" or "Do not lie", a sentence such as "The
 *   assistant should ..." or "Aster never ...", or a `<user>`/`<assistant>` example.
 * (`[[...]]` is no sign: technical READMEs write `[[Prototype]]` and `[[:digit:]]`.)
 * Never throws; a document with no trait headings does not look like one.
 */
export function assessTraitLikeness(document: TraitDocument): TraitLikeness {
  const data = document.frontMatter?.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const keys = Object.keys(data);
    if (keys.length && keys.every((k) => FRONT_MATTER_KEYS.has(k))) return { looksLikeTraits: true, why: 'trait document front matter' };
  }
  if (document.directives.length) return { looksLikeTraits: true, why: 'traits- comments' };
  const traits = document.traits.length;
  if (!traits) return { looksLikeTraits: false, why: 'no headings that could be traits' };
  // One "### Why this matters" in a long README is not enough: a fifth of the traits.
  const withParts = document.traits.filter((t) => t.parts.some((p) => p.kind === 'rationale' || p.kind === 'tradeoffs')).length;
  if (withParts * 5 >= traits && withParts)
    return { looksLikeTraits: true, why: `${withParts} of ${traits} traits have a Why or Trade-offs part` };
  const directives = document.traits.filter(readsAsDirective).length;
  const counted = `${directives} of ${traits} ${traits === 1 ? 'section reads' : 'sections read'} as instructions to a model`;
  if (directives * 2 >= traits && directives >= Math.min(3, traits)) return { looksLikeTraits: true, why: counted };
  const parts = withParts ? `Why or Trade-offs parts in only ${withParts} of ${traits} traits` : 'no Why or Trade-offs parts';
  return { looksLikeTraits: false, why: `no trait front matter, ${parts}, and ${counted}` };
}
