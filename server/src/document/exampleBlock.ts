import type { Trait } from './model';
import type { Position } from './position';

/** A conversation to add to a trait as an example (a previewed record the author liked). */
export interface PinnedExample {
  /** Goes after `**Example**:`; one line. */
  readonly title: string;
  readonly user: string;
  readonly assistant: string;
}

/** Text to insert at a position of the document. */
export interface TextInsertion {
  readonly position: Position;
  readonly text: string;
}

/**
 * Where and what to insert so `trait` gains `example` as the Model Spec writes examples: a
 * `**Example**: title` line, then a `~~~xml` fence holding a `<user>` turn and an
 * `<assistant> <!-- GOOD -->` turn. It goes after the trait's Examples part when it has one, else at
 * the end of the trait's section, after its last non-blank line. A line of the conversation that
 * would end the fence makes the fence longer; a closing turn tag inside a turn is written as
 * `&lt;/...>` so the turn cannot end early. The parser reads the result back as one example.
 */
export function exampleInsertion(trait: Trait, example: PinnedExample): TextInsertion {
  const examples = trait.parts.find((p) => p.kind === 'examples');
  const position = (examples ?? trait).range.end;
  const turn = (text: string) => text.trim().replace(/<\/(user|assistant|system|developer|tool)\s*>/gi, '&lt;/$1>');
  const user = turn(example.user);
  const assistant = turn(example.assistant);
  const longestTildes = Math.max(0, ...[...`${user}\n${assistant}`.matchAll(/^\s*(~{3,})/gm)].map((m) => m[1].length));
  const fence = '~'.repeat(Math.max(3, longestTildes + 1));
  const title = example.title.replace(/\s+/g, ' ').trim();
  const text = [
    '',
    '',
    `**Example**: ${title}`,
    '',
    `${fence}xml`,
    '<user>',
    user,
    '</user>',
    '<assistant> <!-- GOOD -->',
    assistant,
    '</assistant>',
    fence,
  ].join('\n');
  return { position, text };
}
