import type { Trait } from './model';
import type { Position } from './position';

/** A conversation to add to a trait as an example (a previewed record the author liked). */
export interface PinnedExample {
  /** Goes after `**Example**:`; one line. */
  readonly title: string;
  readonly user: string;
  readonly assistant: string;
}

/** One turn of a pinned conversation; `marker` makes it a `<!-- GOOD -->` or `<!-- BAD: reason -->` response. */
export interface PinnedTurn {
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly marker?: { readonly verdict: 'good' | 'bad'; readonly reason?: string };
}

/** A multi-turn conversation to add to a trait as one example (a probe's transcript). */
export interface PinnedConversation {
  /** Goes after `**Example**:`; made one line. */
  readonly title: string;
  readonly turns: readonly PinnedTurn[];
}

/** Text to insert at a position of the document. */
export interface TextInsertion {
  readonly position: Position;
  readonly text: string;
}

/**
 * Where and what to insert so `trait` gains `example` as the Model Spec writes examples: a
 * `**Example**: title` line, then a `~~~xml` fence holding a `<user>` turn and an
 * `<assistant> <!-- GOOD -->` turn. See conversationInsertion for where it goes and how the text is kept intact.
 */
export function exampleInsertion(trait: Trait, example: PinnedExample): TextInsertion {
  return conversationInsertion(trait, {
    title: example.title,
    turns: [
      { role: 'user', text: example.user },
      { role: 'assistant', text: example.assistant, marker: { verdict: 'good' } },
    ],
  });
}

/**
 * Where and what to insert so `trait` gains `conversation` as one example: a `**Example**: title`
 * line, then a `~~~xml` fence holding its turns in order, a marked turn opening with
 * `<!-- GOOD -->` or `<!-- BAD: reason -->` (the reason made one line, with no `-->` to end the
 * comment early). It goes after the trait's Examples part when it has one, else at the end of the
 * trait's section, after its last non-blank line. A line of the conversation that would end the
 * fence makes the fence longer; a closing turn tag inside a turn is written as `&lt;/...>`, and a
 * turn's own leading `<!--` as `&lt;!--`, so a turn can neither end early nor gain a marker. The
 * parser reads the result back as one example with these turns.
 */
export function conversationInsertion(trait: Trait, conversation: PinnedConversation): TextInsertion {
  const examples = trait.parts.find((p) => p.kind === 'examples');
  const position = (examples ?? trait).range.end;
  const escape = (text: string) =>
    text
      .trim()
      .replace(/<\/(user|assistant|system|developer|tool)\s*>/gi, '&lt;/$1>')
      .replace(/^<!--/, '&lt;!--');
  const turns = conversation.turns.map((t) => ({ ...t, text: escape(t.text) }));
  const all = turns.map((t) => t.text).join('\n');
  const longestTildes = Math.max(0, ...[...all.matchAll(/^\s*(~{3,})/gm)].map((m) => m[1].length));
  const fence = '~'.repeat(Math.max(3, longestTildes + 1));
  const title = conversation.title.replace(/\s+/g, ' ').trim();
  const text = [
    '',
    '',
    `**Example**: ${title}`,
    '',
    `${fence}xml`,
    ...turns.flatMap((t) => [`<${t.role}>${markerText(t.marker)}`, t.text, `</${t.role}>`]),
    fence,
  ].join('\n');
  return { position, text };
}

/** ` <!-- GOOD -->`, ` <!-- BAD: reason -->` (reason on one line, no `--`), or nothing. */
function markerText(marker: PinnedTurn['marker']): string {
  if (!marker) return '';
  const reason = (marker.reason ?? '').replace(/\s+/g, ' ').replace(/-{2,}/g, '–').trim();
  return marker.verdict === 'good' ? ` <!-- GOOD${reason ? `: ${reason}` : ''} -->` : ` <!-- BAD${reason ? `: ${reason}` : ''} -->`;
}
