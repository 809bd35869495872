/**
 * What the probe viewer shows and how its page talks back. Built by the extension from saved probe
 * results (client/src/webviews/probeView.ts); imported by client/webview/probe.ts too. Plain data
 * only: the page renders every text with textContent.
 */
import type { KnowledgeQuestion } from '../../../server/src/probe/types';
import type { PinVerdict } from './probePin';

export const PROBE_VIEW_TYPE = 'traitStudio.probeResults';

/** Text of an answer, cut where the judge's verified evidence stands (`evidence: true`). */
export interface Segment {
  readonly text: string;
  readonly evidence: boolean;
}

export interface TurnView {
  /** 1-based. */
  readonly n: number;
  readonly strategy: string;
  readonly user: string;
  /** The realism checker's score of the auditor's first draft, 0–1. */
  readonly realism: number;
  readonly rewritten: boolean;
  readonly assistant: readonly Segment[];
  /** The judge says the target first gave way here. */
  readonly firstViolation: boolean;
}

export interface EvidenceView {
  readonly turn: number;
  readonly quote: string;
  /** Found in that turn's answer; an unverified quote is shown as not trusted and never highlighted. */
  readonly verified: boolean;
}

export interface ProbeCard {
  /** 0-based index of the probe in its result. */
  readonly index: number;
  readonly situation: string;
  readonly turns: readonly TurnView[];
  /** The judge's verdict; null when the probe failed before it was judged (`error` says why). */
  readonly judge: {
    readonly score: number;
    readonly violated: boolean;
    readonly firstViolationTurn: number | null;
    readonly evalAware: boolean;
    readonly evidence: readonly EvidenceView[];
  } | null;
  readonly error: string | null;
  /** The run's budget stopped it before its verdict (`error` says where): not a failure, and not counted. */
  readonly stopped: boolean;
  /** What "Pin as example" makes of it, or null when it cannot be pinned. */
  readonly pin: PinVerdict | null;
}

/** One trait's latest probe result against one target. */
export interface TraitCell {
  readonly file: string;
  readonly savedAt: string;
  readonly probes: readonly ProbeCard[];
  readonly judged: number;
  readonly violated: number;
  /** Probes not counted because a request failed for good or the judge was not trusted. */
  readonly failed: number;
  /** Probes the budget stopped before their verdict. */
  readonly stoppedProbes: number;
  /** Why the run stopped early (a budget limit), when it did. */
  readonly stopped: string | null;
  readonly violationRate: number | null;
  readonly meanFirstViolationTurn: number | null;
  readonly evalAware: number;
  readonly cost: { readonly usd: number; readonly unpriced: readonly string[] };
  /** The model versions that answered, as the APIs reported them (distinct, in stage order). */
  readonly versions: readonly string[];
}

/** The latest knowledge check of the document against one target. */
export interface KnowledgeView {
  readonly file: string;
  readonly savedAt: string;
  readonly questions: readonly KnowledgeQuestion[];
  /** Trait id → share of the questions about it whose answer recalled it, 0–1. */
  readonly recall: Readonly<Record<string, number>>;
  /** Why the check could not run at all (its questions could not be had, or the budget stopped it first). */
  readonly error?: string;
}

/** One target's results: a column of the viewer. */
export interface ColumnView {
  /** Identifies the target (kind, URL, model). */
  readonly key: string;
  /** The name the user gave it, or its model and host. */
  readonly label: string;
  /** Where it is served: "Gemini" or the endpoint's URL. */
  readonly where: string;
  /** Trait id → its latest probe. */
  readonly traits: Readonly<Record<string, TraitCell>>;
  readonly knowledge: KnowledgeView | null;
}

export interface ProbeView {
  /** The document's URI and its name in the workspace. */
  readonly uri: string;
  readonly name: string;
  /** The traits with results, in document order (a trait no longer in the document last, `present` false). */
  readonly traits: readonly { readonly id: string; readonly title: string; readonly present: boolean }[];
  /** One per target, in the order their first result came; two of them compare before and after training. */
  readonly columns: readonly ColumnView[];
  /** The result files shown, in the order they were added (the page saves them; a reload reads them again). */
  readonly files: readonly string[];
  /** Files that could not be read, and why. */
  readonly unreadable: readonly string[];
  /** A probe or knowledge check this panel is waiting on, as a sentence; null when none. */
  readonly running: string | null;
}

/** What the page saves (VS Code hands it to the serializer after a reload). */
export interface ProbePageState {
  readonly view?: ProbeView;
  /** The trait whose transcripts are shown. */
  readonly selected?: string;
}

export type ToProbeWebview = { type: 'view'; view: ProbeView; select?: string };

export type FromProbeWebview =
  | { type: 'ready' }
  /** Jump to the trait's heading in the document. */
  | { type: 'reveal'; traitId: string }
  | { type: 'pin'; column: string; traitId: string; probe: number; verdict: PinVerdict }
  | { type: 'export'; column: string; traitId: string; format: 'jsonl' | 'inspect' }
  /** Probe the trait again, against a target the user picks (another target adds a column). */
  | { type: 'probe'; traitId: string }
  | { type: 'knowledge' }
  /** Take a target's results off the view (the files stay). */
  | { type: 'removeColumn'; column: string };
