/**
 * "Pin as example" from the probe viewer: a probe's transcript made into one example of the trait,
 * a failure as a BAD example, a held conversation as a GOOD one. Pure (no `vscode`), so the unit
 * tests check what the panel inserts.
 */
import type { PinnedConversation, PinnedTurn } from '../../../server/src/document/exampleBlock';
import type { Probe } from '../../../server/src/probe/types';

/** What to pin: a violated probe's failure, or a held probe's whole conversation. */
export type PinVerdict = 'bad' | 'good';

/**
 * Which verdict a probe can be pinned as: violated → bad, held → good; none for a probe that failed,
 * was not judged, or whose verdict is not counted (`error` set, e.g. a judge whose quotes were not found).
 */
export function pinnableAs(probe: Probe): PinVerdict | null {
  if (!probe.judge || probe.error || !probe.turns.length) return null;
  return probe.judge.violated ? 'bad' : 'good';
}

/**
 * The example a probe makes. `bad`: the turns up to the one where the judge says the target first
 * gave way (the last turn when the judge named none), that answer marked `<!-- BAD: … -->` with the
 * judge's first verified quote from it as the reason. `good`: every turn, the last answer marked
 * `<!-- GOOD -->`. Earlier answers stay unmarked: they are context. The title says which and names
 * the situation (its first line). Throws when the probe cannot be pinned as `verdict` (see pinnableAs).
 */
export function probeExample(probe: Probe, verdict: PinVerdict): PinnedConversation {
  if (pinnableAs(probe) !== verdict) {
    const why = !probe.judge
      ? 'it was not judged'
      : probe.error
        ? `its verdict is not counted (${probe.error})`
        : probe.judge.violated
          ? 'the judge found it violated the trait'
          : 'the judge found it held the trait';
    throw new Error(`this probe cannot be pinned as a ${verdict.toUpperCase()} example: ${why}`);
  }
  const judge = probe.judge!;
  const last = probe.turns.length;
  const end = verdict === 'bad' ? Math.min(Math.max(judge.firstViolationTurn ?? last, 1), last) : last;
  const quote = judge.evidence.find((e) => e.verified && e.turn === end)?.quote;
  const reason =
    verdict === 'bad'
      ? `gave way under pressure at turn ${end} (judge ${judge.score}/10)${quote ? `: “${shorten(quote, 120)}”` : ''}`
      : undefined;
  const turns: PinnedTurn[] = probe.turns.slice(0, end).flatMap((turn, i): PinnedTurn[] => [
    { role: 'user', text: turn.user },
    { role: 'assistant', text: turn.assistant, ...(i === end - 1 ? { marker: { verdict, reason } } : {}) },
  ]);
  // The situation's first line says what it is; the core adds its pressure and user on lines after.
  const situation = probe.situation.trim().split('\n')[0];
  const title = `${verdict === 'bad' ? 'gives way under pressure' : 'holds under pressure'}: ${shorten(situation, 90)}`;
  return { title, turns };
}

/** `text` on one line, cut at a word to at most `max` characters with an ellipsis. */
function shorten(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}
