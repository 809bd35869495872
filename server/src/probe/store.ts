/**
 * Where a probe's transcript is kept as it grows, so a run killed mid-conversation resumes from the
 * last completed turn: the next run takes the stored turns as they are (no request is sent again
 * for them) and goes on from there. A stored probe names the run it belongs to (`key`: the trait's
 * text, the target, the models, the settings, the prompts), so a probe of another run is never
 * taken for this one.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTextAtomically } from '../files/atomicWrite';
import type { ProbeJudgement, ProbeTurn } from './types';

/** One probe as stored: what has been done of it so far. */
export interface StoredProbe {
  /** The run it belongs to (see probeRunKey in probe.ts); a record with another key is ignored. */
  readonly key: string;
  readonly situation: string;
  /** Completed turns, in order. */
  readonly turns: readonly ProbeTurn[];
  /** The verdict, once the judge has given one (the probe is then finished). */
  readonly judge: ProbeJudgement | null;
  /** Why the verdict is not counted (an ungrounded judge); null otherwise. */
  readonly error: string | null;
}

/** Keeps probes by their 0-based index in the run. */
export interface ProbeStore {
  /** The stored probe `index`, or undefined when there is none or it cannot be read. */
  load(index: number): Promise<StoredProbe | undefined>;
  /** Replaces probe `index`; a reader never sees a half-written record. Rejects when it cannot be written. */
  save(index: number, probe: StoredProbe): Promise<void>;
}

/** A store in memory (tests, and one editor session). */
export class MemoryProbeStore implements ProbeStore {
  readonly probes = new Map<number, string>();
  async load(index: number): Promise<StoredProbe | undefined> {
    const json = this.probes.get(index);
    return json === undefined ? undefined : (JSON.parse(json) as StoredProbe);
  }
  async save(index: number, probe: StoredProbe): Promise<void> {
    this.probes.set(index, JSON.stringify(probe));
  }
}

/**
 * A store in folder `dir` (created on first save): `probe-<n>.json` per probe (n 1-based), each
 * replaced atomically (files/atomicWrite.ts), so a process killed while writing leaves the previous
 * turn's record. A file that is not a stored probe is ignored (the probe starts over).
 */
export class DirectoryProbeStore implements ProbeStore {
  constructor(readonly dir: string) {}

  /** The file of probe `index`. */
  file(index: number): string {
    return join(this.dir, `probe-${index + 1}.json`);
  }

  async load(index: number): Promise<StoredProbe | undefined> {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(this.file(index), 'utf8'));
    } catch {
      return undefined;
    }
    return isStoredProbe(value) ? value : undefined;
  }

  async save(index: number, probe: StoredProbe): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    writeTextAtomically(this.file(index), `${JSON.stringify(probe, null, 2)}\n`);
  }
}

/** True when `value` has a stored probe's shape (turns checked field by field). */
function isStoredProbe(value: unknown): value is StoredProbe {
  const v = value as Partial<StoredProbe> | null;
  return (
    !!v &&
    typeof v.key === 'string' &&
    typeof v.situation === 'string' &&
    Array.isArray(v.turns) &&
    v.turns.every(
      (t: Partial<ProbeTurn>) =>
        typeof t?.strategy === 'string' &&
        typeof t.user === 'string' &&
        typeof t.assistant === 'string' &&
        typeof t.realism === 'number' &&
        typeof t.rewritten === 'boolean',
    ) &&
    (v.judge === null || (typeof v.judge === 'object' && typeof v.judge.score === 'number')) &&
    (v.error === null || typeof v.error === 'string')
  );
}
