import { declaredAbsolute, findAbsolutes, type AbsoluteMatch } from './absolutes';
import { findCue, type CueKind, type CueMatch } from './cues';
import { cueText, maskNotOwn, maskOthersConditions } from './cueText';
import { memo } from './memo';
import type { Sentence } from './sentences';

/**
 * What the coverage rules read in one sentence: its cue text (`cueText`), its first cue of each
 * kind (`findCue`), the phrase declaring its absolutes deliberate (`declaredAbsolute`) and its
 * unbounded absolutes (`findAbsolutes`). Each answer is computed on first use and then kept, so
 * every rule asking about a sentence pays for one look-up of the sentence, not one per question.
 */
export class SentenceCues {
  /** The sentence as `cueText` prepares it; offsets in the answers are offsets in the sentence. */
  readonly text: string;
  // undefined: not computed yet; null: computed, none.
  private rationale: CueMatch | null | undefined;
  private tradeoffs: CueMatch | null | undefined;
  private exceptions: CueMatch | null | undefined;
  private declaredPhrase: { phrase: string; index: number } | null | undefined;
  private unbounded: readonly AbsoluteMatch[] | undefined;
  // The masks (see `maskForCues`), made when a pattern first matches the unmasked text: every
  // question but the reason shares the first.
  private notOwn: string | undefined;
  private notOwnNorOthers: string | undefined;

  constructor(sentence: string) {
    this.text = cueText(sentence);
  }

  /** The sentence's first cue of `kind` (see `findCue`), or undefined. */
  cue(kind: CueKind): CueMatch | undefined {
    let found = this[kind];
    if (found === undefined) this[kind] = found = findCue(kind, this.text, (k) => this.masked(k)) ?? null;
    return found ?? undefined;
  }

  /** The phrase declaring the sentence's absolutes deliberate (see `declaredAbsolute`), or undefined. */
  declared(): { phrase: string; index: number } | undefined {
    if (this.declaredPhrase === undefined) this.declaredPhrase = declaredAbsolute(this.text, () => this.maskedNotOwn()) ?? null;
    return this.declaredPhrase ?? undefined;
  }

  /** The sentence's unbounded absolutes (see `findAbsolutes`). */
  absolutes(): readonly AbsoluteMatch[] {
    return (this.unbounded ??= findAbsolutes(this.text, () => this.maskedNotOwn()));
  }

  private maskedNotOwn(): string {
    return (this.notOwn ??= maskNotOwn(this.text));
  }

  private masked(kind: CueKind): string {
    return kind === 'rationale' ? (this.notOwnNorOthers ??= maskOthersConditions(this.maskedNotOwn())) : this.maskedNotOwn();
  }
}

// Per sentence object: a parse after an edit hands back unchanged paragraphs, and with them their
// sentences. By text for the rest: the sentences of an edited paragraph are mostly unchanged strings.
const ofSentence = new WeakMap<Sentence, SentenceCues>();
const ofText = memo<SentenceCues>(50_000);

/** The cues of a sentence (see `SentenceCues`), kept per sentence object and per sentence text. */
export function sentenceCues(sentence: Sentence): SentenceCues {
  let cues = ofSentence.get(sentence);
  if (!cues) ofSentence.set(sentence, (cues = ofText.get(sentence.text, (text) => new SentenceCues(text))));
  return cues;
}
