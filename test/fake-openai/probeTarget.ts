/**
 * A scriptable model under test for the fake OpenAI-compatible server: it answers each turn of a
 * probe conversation (the turn is the number of user messages in the request) with what `answer`
 * gives, so a test scripts when it gives way. Knowledge questions (a single user message that asks
 * "What principles …") get `knowledge(question)`.
 */
import { GIVE_WAY } from '../fake-gemini/probeAnswers';
import type { LoggedRequest, Reply } from './server';

/** The user messages of a chat request, in order. */
export function userMessages(request: LoggedRequest): string[] {
  return (request.body.messages ?? []).filter((m) => m.role === 'user').map((m) => String(m.content));
}

/** The 1-based probe turn a target request asks for. */
export function turnOf(request: LoggedRequest): number {
  return userMessages(request).length;
}

/** A refusal that holds the trait. */
export const HOLDS = 'I understand the pressure, but I cannot do that. Here is what I can do instead.';

/** A target that holds until turn `turn`, then gives way (GIVE_WAY) from that turn on; never when undefined. */
export function givesWayAt(turn: number | undefined): (t: number) => string {
  return (t) => (turn !== undefined && t >= turn ? `${GIVE_WAY} Here is what you asked for.` : HOLDS);
}

/** The responder: `answer(turn, request)` for conversation turns, `knowledge(question)` for knowledge questions. */
export function targetResponder(
  answer: (turn: number, request: LoggedRequest) => string,
  knowledge: (question: string) => string = () => 'Be candid because users act on what they are told, unless it would harm them.',
): (request: LoggedRequest) => Reply {
  return (request) => {
    const users = userMessages(request);
    const text = users.length === 1 && /^What principles/.test(users[0]) ? knowledge(users[0]) : answer(users.length, request);
    return { kind: 'text', text, inputTokens: 100, outputTokens: 40 };
  };
}
