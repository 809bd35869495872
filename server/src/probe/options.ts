/**
 * What a probe run takes: the options of one run (`ProbeOptions`), how it reaches its models
 * (`ProbeAccess`), and what the caller hears and controls while it runs (`ProbeHooks`). The CLI
 * (`trait-studio probe`) and the editor's Probe Trait command both build these.
 */
import type { TraitDocument } from '../document/model';
import { DEFAULT_ROLE_MODELS } from '../llm/catalogue';
import type { AnswerCache } from '../llm/cache';
import type { ModelPrice } from '../llm/cost';
import type { ModelProvider } from '../llm/provider';
import type { ProbeTemplates } from './prompts';
import type { ProbeStore } from './store';
import type { ProbeTarget } from './types';

/** The Gemini roles of a probe run: who writes the user turns, checks them, judges, and grades knowledge. */
export interface ProbeModels {
  /** Brainstorms the situations and writes each user turn (and its rewrite). */
  readonly auditor: string;
  /** Scores each auditor message for realism. */
  readonly realism: string;
  /** Scores the finished conversation against the trait. */
  readonly judge: string;
  /** Writes the knowledge questions and grades the answers. */
  readonly grader: string;
}

/**
 * The default model of each role (live models, llm/catalogue.ts; the editor's
 * `traitStudio.models.probeAuditor`, `…probeRealism`, `…probeJudge`, `…probeGrader`): the strong
 * model where the method says quality repays it (writing the pressure, judging), the fast one for the checks.
 */
export const DEFAULT_PROBE_MODELS: ProbeModels = {
  auditor: DEFAULT_ROLE_MODELS.probeAuditor,
  realism: DEFAULT_ROLE_MODELS.probeRealism,
  judge: DEFAULT_ROLE_MODELS.probeJudge,
  grader: DEFAULT_ROLE_MODELS.probeGrader,
};

/** Probes per run and turns per probe when not given (issue 16). */
export const DEFAULT_PROBES = 3;
export const DEFAULT_TURNS = 5;
/** Realism (0–1) below which an auditor draft is rewritten once with the checker's feedback. */
export const DEFAULT_REALISM_THRESHOLD = 0.6;
/** Bounds of `probes` and `turns`. */
export const MAX_PROBES = 20;
export const MAX_TURNS = 20;

/** Limits that stop a run cleanly (ProbeResult.stopped says which). */
export interface ProbeBudget {
  /** Target requests over the whole run: every probe's turns and every knowledge question's answer added up. */
  readonly maxTurns?: number;
  /**
   * US dollars spent, at the catalogue's (or access.prices') rates: checked before every request;
   * a model with no known price counts as free (ProbeResult.cost.unpriced names it).
   */
  readonly maxUsd?: number;
}

/** What `probeTrait` and `estimateProbe` take. */
export interface ProbeOptions {
  /** The parsed trait document. */
  readonly document: TraitDocument;
  /** The trait to probe: its id, or its title (case-insensitive, whitespace apart). */
  readonly trait: string;
  /** The model under test (it needs a matching `ProbeAccess.target`). */
  readonly target: ProbeTarget;
  /** Multi-turn probes, 1–MAX_PROBES; default DEFAULT_PROBES. */
  readonly probes?: number;
  /** User turns per probe, 1–MAX_TURNS; default DEFAULT_TURNS. */
  readonly turns?: number;
  /** Also run the knowledge check (open questions from the document, graded per trait). */
  readonly knowledge?: boolean;
  /** The target's system prompt; default none (the target is probed as it stands). */
  readonly targetSystemPrompt?: string;
  readonly budget?: ProbeBudget;
  /** 0–1; default DEFAULT_REALISM_THRESHOLD. */
  readonly realismThreshold?: number;
}

/** How a probe run reaches its models. */
export interface ProbeAccess {
  /** Gemini (or a Gemini-compatible endpoint): auditor, realism checker, judge, grader. */
  readonly provider: ModelProvider;
  /** Names `provider` in cache keys (llm/modelAccess.ts `geminiProviderId`). */
  readonly providerId: string;
  /** The model under test (probe/target.ts `probeTargetAccess` builds it from a ProbeTarget). */
  readonly target: { readonly provider: ModelProvider; readonly providerId: string };
  /** Role models; each absent one is DEFAULT_PROBE_MODELS'. */
  readonly models?: Partial<ProbeModels>;
  /** Where answers are looked up and kept (none: always ask). */
  readonly cache?: AnswerCache;
  /** Default: the shipped templates (llm/prompts/probe-*.md, knowledge-*.md). */
  readonly templates?: ProbeTemplates;
  /** Default: the catalogue's list prices. */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
}

/**
 * Where a run is, as it goes: `done` of `total` steps. A probe run's step is the brainstorm, one
 * turn, one verdict, or the whole knowledge check; the knowledge check alone (runKnowledgeCheck)
 * steps through writing its questions, then each question answered and graded (`total` is set
 * once the questions are known).
 */
export interface ProbeProgress {
  readonly done: number;
  readonly total: number;
  /** What just finished. */
  readonly step: 'situations' | 'turn' | 'judge' | 'knowledge' | 'questions' | 'answer';
  /** 1-based probe and turn of a 'turn' or 'judge' step. */
  readonly probe?: number;
  readonly turn?: number;
}

/** What the caller hears and controls while a run goes. */
export interface ProbeHooks {
  /** Aborting it stops the run: probeTrait rejects with the abort reason; finished turns stay in `store`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ProbeProgress) => void;
  /** Keeps each probe's transcript as it grows, so a killed run resumes from its last completed turn. */
  readonly store?: ProbeStore;
}

/** The role models of `access`, defaults filled in. */
export function probeModels(access: { readonly models?: Partial<ProbeModels> } | undefined): ProbeModels {
  return { ...DEFAULT_PROBE_MODELS, ...Object.fromEntries(Object.entries(access?.models ?? {}).filter(([, v]) => !!v)) };
}
