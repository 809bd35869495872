/**
 * The probe viewer's model, built from saved probe results: the result file's format, and the
 * pure step from files to what the page shows (columns per target, per-trait rates, transcripts
 * with the judge's verified evidence cut out for highlighting). No `vscode` here: the unit tests
 * build views from results directly.
 */
import { findQuote } from '../../../server/src/review/quotes';
import type { ProbeModels } from '../../../server/src/probe/options';
import { stoppedByBudget } from '../../../server/src/probe/probe';
import type { KnowledgeResult, Probe, ProbeResult, ProbeTarget } from '../../../server/src/probe/types';
import { pinnableAs } from './probePin';
import type { ColumnView, KnowledgeView, ProbeCard, ProbeView, Segment, TraitCell } from './probeProtocol';

/** Marks a file as a saved probe result. */
export const SAVED_PROBE_KIND = 'trait-studio.probe';

/**
 * A probe result as the extension saves it (one JSON file per run): the CLI's `--format json`
 * result, with the document it was run on, what kind of run it was, and the target's name.
 */
export interface SavedProbe {
  readonly kind: typeof SAVED_PROBE_KIND;
  readonly version: 1;
  /** The trait document's URI. */
  readonly document: string;
  /** A probe of one trait (`result.trait`), or the document's knowledge check (`result.knowledge`). */
  readonly mode: 'probe' | 'knowledge';
  /** The target's name in the settings, or empty for one picked by hand. */
  readonly label: string;
  /** ISO 8601. */
  readonly savedAt: string;
  /** How it was run, for the Inspect export (server/src/probe/export.ts `InspectExportInfo`). */
  readonly run: {
    /** ISO 8601. */
    readonly started: string;
    /** The document's path in the workspace. */
    readonly file: string;
    /** The trait's text as it was probed. */
    readonly traitText?: string;
    readonly models: ProbeModels;
    readonly turns: number;
    readonly realismThreshold: number;
    readonly targetSystemPrompt?: string;
  };
  readonly result: ProbeResult;
}

/**
 * Reads a saved probe result from a file's text. Throws an Error saying what is wrong when it is
 * not JSON, not a saved probe, or lacks the result's fields the viewer reads.
 */
export function parseSavedProbe(text: string): SavedProbe {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const saved = data as Partial<SavedProbe> | null;
  if (!saved || typeof saved !== 'object' || saved.kind !== SAVED_PROBE_KIND) throw new Error('not a saved Trait Studio probe result');
  if (saved.version !== 1) throw new Error(`saved by another version of Trait Studio (format ${String(saved.version)})`);
  const r = saved.result as Partial<ProbeResult> | undefined;
  if (
    typeof saved.document !== 'string' ||
    (saved.mode !== 'probe' && saved.mode !== 'knowledge') ||
    !saved.run ||
    !r ||
    typeof r.trait !== 'string' ||
    !r.target ||
    !Array.isArray(r.probes)
  )
    throw new Error('the saved result lacks its document, mode, run, trait, target or probes');
  return saved as SavedProbe;
}

/** The same target, whatever it was called: its kind, URL and model. */
export function targetKey(target: ProbeTarget): string {
  return target.kind === 'gemini' ? `gemini ${target.model}` : `openai-compatible ${target.url} ${target.model}`;
}

/** "model (host)" for an endpoint, "model" for Gemini. */
export function describeTarget(target: ProbeTarget): string {
  if (target.kind === 'gemini') return target.model;
  let host = target.url;
  try {
    host = new URL(target.url).host;
  } catch {
    // keep the URL as given
  }
  return `${target.model} (${host})`;
}

/** A result file as the panel read it. */
export interface LoadedProbe {
  readonly file: string;
  readonly saved: SavedProbe;
}

/**
 * The view of a document's saved results: one column per target in the order its first result
 * came (a later result of the same trait and target replaces the earlier one, so each cell is the
 * latest), the traits with results in document order, and each probe's transcript.
 */
export function probeView(input: {
  readonly uri: string;
  readonly name: string;
  /** The document's traits as it is now. */
  readonly traits: readonly { readonly id: string; readonly title: string }[];
  /** In the order they were added. */
  readonly loaded: readonly LoadedProbe[];
  readonly unreadable?: readonly string[];
  readonly running?: string | null;
}): ProbeView {
  const columns = new Map<string, { label: string; where: string; traits: Record<string, TraitCell>; knowledge: KnowledgeView | null }>();
  /** Trait ids with a result. */
  const withResults = new Set<string>();
  for (const { file, saved } of input.loaded) {
    const key = targetKey(saved.result.target);
    let column = columns.get(key);
    if (!column) {
      const target = saved.result.target;
      column = {
        label: saved.label || describeTarget(target),
        where: target.kind === 'gemini' ? 'Gemini' : target.url,
        traits: {},
        knowledge: null,
      };
      columns.set(key, column);
    }
    if (saved.label) column.label = saved.label;
    const newer = (savedAt: string | undefined) => !savedAt || savedAt <= saved.savedAt;
    if (saved.mode === 'probe' && newer(column.traits[saved.result.trait]?.savedAt)) {
      column.traits[saved.result.trait] = traitCell(file, saved);
      withResults.add(saved.result.trait);
    }
    if (saved.result.knowledge && newer(column.knowledge?.savedAt)) {
      column.knowledge = knowledgeView(file, saved.savedAt, saved.result.knowledge);
      for (const id of Object.keys(saved.result.knowledge.recall)) withResults.add(id);
    }
  }
  const present = input.traits.filter((t) => withResults.has(t.id)).map((t) => ({ ...t, present: true }));
  const gone = [...withResults].filter((id) => !input.traits.some((t) => t.id === id)).map((id) => ({ id, title: id, present: false }));
  return {
    uri: input.uri,
    name: input.name,
    traits: [...present, ...gone],
    columns: [...columns].map(([key, c]) => ({ key, ...c })) satisfies ColumnView[],
    files: input.loaded.map((l) => l.file),
    unreadable: input.unreadable ?? [],
    running: input.running ?? null,
  };
}

function traitCell(file: string, saved: SavedProbe): TraitCell {
  const { probes, cost } = saved.result;
  // Counted as the core counts them (probe.ts `rates`): judged, and the verdict trusted (no error).
  const judged = probes.filter((p) => p.judge && !p.error);
  const violated = judged.filter((p) => p.judge!.violated);
  const turns = violated.map((p) => p.judge!.firstViolationTurn).filter((t): t is number => t !== null);
  const stoppedProbes = probes.filter(stoppedByBudget).length;
  return {
    file,
    savedAt: saved.savedAt,
    probes: probes.map(probeCard),
    judged: judged.length,
    violated: violated.length,
    failed: probes.length - judged.length - stoppedProbes,
    stoppedProbes,
    stopped: saved.result.stopped ?? null,
    // Recomputed from the probes, so the cell and the transcripts below it always agree.
    violationRate: judged.length ? violated.length / judged.length : null,
    meanFirstViolationTurn: turns.length ? turns.reduce((a, b) => a + b, 0) / turns.length : null,
    evalAware: judged.filter((p) => p.judge!.evalAware).length,
    cost,
    versions: [...new Set(Object.values(saved.result.modelVersions ?? {}).filter((v): v is string => !!v))],
  };
}

function knowledgeView(file: string, savedAt: string, knowledge: KnowledgeResult): KnowledgeView {
  return {
    file,
    savedAt,
    questions: knowledge.questions,
    recall: knowledge.recall,
    ...(knowledge.error ? { error: knowledge.error } : {}),
  };
}

function probeCard(probe: Probe, index: number): ProbeCard {
  const judge = probe.judge;
  return {
    index,
    situation: probe.situation,
    turns: probe.turns.map((turn, i) => {
      const n = i + 1;
      const quotes = (judge?.evidence ?? []).filter((e) => e.verified && e.turn === n).map((e) => e.quote);
      return {
        n,
        strategy: turn.strategy,
        user: turn.user,
        realism: turn.realism,
        rewritten: turn.rewritten,
        assistant: highlight(turn.assistant, quotes),
        firstViolation: !!judge?.violated && judge.firstViolationTurn === n,
      };
    }),
    judge: judge
      ? {
          score: judge.score,
          violated: judge.violated,
          firstViolationTurn: judge.firstViolationTurn,
          evalAware: judge.evalAware,
          evidence: judge.evidence.map((e) => ({ turn: e.turn, quote: e.quote, verified: e.verified })),
        }
      : null,
    error: probe.error,
    stopped: stoppedByBudget(probe),
    pin: pinnableAs(probe),
  };
}

/**
 * `text` cut into segments, those where one of `quotes` stands (whitespace apart, as the judge's
 * quotes are checked: server/src/review/quotes.ts) marked as evidence; overlapping quotes merge.
 * A quote not found leaves the text as it is.
 */
export function highlight(text: string, quotes: readonly string[]): Segment[] {
  const spans = quotes
    .map((q) => findQuote(text, q))
    .filter((s): s is { start: number; end: number } => !!s)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  const out: Segment[] = [];
  let at = 0;
  for (const s of merged) {
    if (s.start > at) out.push({ text: text.slice(at, s.start), evidence: false });
    out.push({ text: text.slice(s.start, s.end), evidence: true });
    at = s.end;
  }
  if (at < text.length || !out.length) out.push({ text: text.slice(at), evidence: false });
  return out;
}
