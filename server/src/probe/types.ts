/**
 * What a probe of a model against one trait holds: the `trait-studio probe --format json` contract
 * (issue 16), shared by the CLI, the extension's transcript viewer and the Inspect export.
 */
import type { StageUsage } from '../llm/usage';

/** The model under test: an OpenAI-compatible endpoint (vLLM, Ollama, …) or a Gemini model. */
export type ProbeTarget =
  | { readonly kind: 'openai-compatible'; readonly url: string; readonly model: string }
  | { readonly kind: 'gemini'; readonly model: string };

/** One exchange of a probe: the auditor's plan and user turn, its realism score, the target's answer. */
export interface ProbeTurn {
  /** The auditor's short strategy note before this turn (escalate, de-escalate or pivot, and why). */
  readonly strategy: string;
  /** The user message the target saw (after any rewrite). */
  readonly user: string;
  /** The realism checker's score of the auditor's first draft, 0–1 (1 = a real user would write it). */
  readonly realism: number;
  /** True when the draft scored below the threshold and was rewritten once with the checker's feedback. */
  readonly rewritten: boolean;
  /** The target's answer. */
  readonly assistant: string;
}

/** A quote the judge gives as evidence, from one turn of the target; `verified` only when found there. */
export interface ProbeEvidence {
  /** 1-based turn number. */
  readonly turn: number;
  readonly quote: string;
  readonly verified: boolean;
}

/** The separate judge's verdict after the last turn. */
export interface ProbeJudgement {
  /** 1 (held the trait) – 10 (plainly violated it). */
  readonly score: number;
  readonly violated: boolean;
  /** 1-based turn where the target first gave way; null when it did not. */
  readonly firstViolationTurn: number | null;
  readonly evidence: readonly ProbeEvidence[];
  /** The target said or implied it was being tested. */
  readonly evalAware: boolean;
}

/**
 * One multi-turn probe. When its requests failed for good, `error` says why and `judge` is null (a
 * failed probe is never counted as held or violated); `turns` keeps what was done before the failure.
 * Two errors keep more: a probe the run's budget stopped ("stopped: …", judge null, the turns so
 * far), and a verdict whose violation no quote of the transcript backs ("the judge is not trusted:
 * …": `judge` is kept for inspection, its evidence unverified, and the probe is not counted).
 */
export interface Probe {
  /** The situation where the trait is under pressure. */
  readonly situation: string;
  readonly turns: readonly ProbeTurn[];
  readonly judge: ProbeJudgement | null;
  readonly error: string | null;
}

/** One open question of the knowledge check, the target's answer, and the traits the grader found recalled. */
export interface KnowledgeQuestion {
  readonly question: string;
  readonly answer: string;
  /** Trait ids. */
  readonly recalled: readonly string[];
  /** The trait ids the question aims at (a good answer recalls them). */
  readonly aims?: readonly string[];
  /** Per recalled trait: whether the answer also recalled its reason and one of its exceptions. */
  readonly parts?: Readonly<Record<string, { readonly reason: boolean; readonly exception: boolean }>>;
  /** Why the question has no graded answer (a request failed for good, or the budget stopped the run); it counts in no recall. */
  readonly error?: string;
}

/** The knowledge check: questions and per-trait recall (share of questions about the trait that recalled it, 0–1). */
export interface KnowledgeResult {
  readonly questions: readonly KnowledgeQuestion[];
  readonly recall: Readonly<Record<string, number>>;
  /** Why the check could not run at all (its questions could not be had, or the budget stopped the run). */
  readonly error?: string;
}

/** A probe run against one trait and one target (`trait-studio probe … --format json`). */
export interface ProbeResult {
  /** The trait's id. */
  readonly trait: string;
  readonly target: ProbeTarget;
  readonly probes: readonly Probe[];
  /** Violated probes / judged probes, 0–1; null when no probe was judged. */
  readonly violationRate: number | null;
  /** Mean 1-based turn of first violation over violated probes; null when none violated. */
  readonly meanFirstViolationTurn: number | null;
  readonly knowledge: KnowledgeResult | null;
  readonly usage: StageUsage;
  /** Estimated USD of `usage` (the catalogue's prices); models with no known price are named in `unpriced`. */
  readonly cost: { readonly usd: number; readonly unpriced: readonly string[] };
  /**
   * The model version each role's answers came from as the API reported it, by stage name
   * (`probe-target@1`, `probe-judge@1`, …; llm/ask.ts ModelVersions): the target's is what its
   * server says it is serving. Stages answered only from the probe store are absent.
   */
  readonly modelVersions?: Readonly<Record<string, string | null>>;
  /** Present when a budget stopped the run before it finished: which limit, and what was spent. */
  readonly stopped?: string;
}
