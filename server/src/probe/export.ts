/**
 * A probe run written for other tools: JSONL transcripts (one probe a line), and an evaluation log
 * in the format of Inspect (UK AISI's inspect_ai), so Inspect's own viewer (`inspect view`) opens
 * it — its `.json` log, version 2. What was checked of that format, against which sources, is in
 * docs/probe.md ("Inspect export").
 */
import { createHash } from 'node:crypto';
import type { ProbeModels } from './options';
import type { Probe, ProbeResult, ProbeTarget } from './types';

/** One line per probe: `{trait, target, probe, situation, turns, judge, error}` (probe 1-based), newline-terminated. */
export function probeJsonl(result: ProbeResult): string {
  return result.probes
    .map((p, i) =>
      JSON.stringify({
        trait: result.trait,
        target: result.target,
        probe: i + 1,
        situation: p.situation,
        turns: p.turns,
        judge: p.judge,
        error: p.error,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The Inspect task name of a probe log (no `_`: Inspect parses `{created}_{task}_{id}.json` names). */
export const INSPECT_TASK = 'trait-probe';

/** What the log says about the run beyond the result. */
export interface InspectExportInfo {
  /** When the run started (the log's `eval.created`, `stats.started_at`). */
  readonly started: Date;
  readonly completed?: Date;
  /** The trait document's path, as the user gave it. */
  readonly file?: string;
  /** The trait's text, as the samples' `target` (what a held answer honours); default the trait's id. */
  readonly traitText?: string;
  readonly models: ProbeModels;
  readonly turns: number;
  readonly realismThreshold: number;
  readonly targetSystemPrompt?: string;
}

/** How Inspect names the model under test: `provider/model`. */
export function inspectModelName(target: ProbeTarget): string {
  return target.kind === 'gemini' ? `google/${target.model}` : `openai-api/${target.model}`;
}

/** A 22-character id (Inspect's are shortuuids of that length) derived from `seed`, so an export is reproducible. */
function shortId(seed: string): string {
  return createHash('sha256').update(seed).digest('base64url').replace(/[-_]/g, 'x').slice(0, 22);
}

/**
 * The file name Inspect lists a `.json` log under: `{created}_{task}_{id}.json`, `created` as ISO
 * time with `:` and `+` made `-` (Inspect's own form); its reader ignores a `.json` log whose name
 * does not start with such a time.
 */
export function inspectLogFileName(log: InspectEvalLog): string {
  const created = log.eval.created.replace(/\.\d+/, '').replace(/Z$/, '+00:00').replace(/[:+]/g, '-');
  return `${created}_${log.eval.task}_${log.eval.task_id}.json`;
}

/** The Inspect log (see inspectEvalLog); members in the order Inspect writes and its header reader needs. */
export interface InspectEvalLog {
  readonly version: 2;
  readonly status: 'success' | 'cancelled';
  readonly eval: { readonly created: string; readonly task: string; readonly task_id: string } & Record<string, unknown>;
  readonly plan: object;
  readonly results: object;
  readonly stats: object;
  readonly invalidated: false;
  readonly tags: readonly string[];
  readonly metadata: object;
  readonly samples: readonly object[];
}

/**
 * `result` as an Inspect evaluation log (version 2, `.json` form): one sample per probe (id
 * `probe-N`, epoch 1, input the situation, `messages` the conversation — each user turn with the
 * auditor's strategy and realism in its metadata — `output` the last answer), scored by
 * `trait_judge` (the 1–10 score, the evidence in the explanation and metadata) and
 * `trait_violation` ("I" violated, "C" held); a probe with an error has no scores and its error in
 * metadata. `results` holds the mean judge score, the violation rate and the mean first-violation
 * turn over counted probes. `status` is "cancelled" when a budget stopped the run.
 */
export function inspectEvalLog(result: ProbeResult, info: InspectExportInfo): InspectEvalLog {
  const created = info.started.toISOString();
  const model = inspectModelName(result.target);
  const seed = `${created}\u0000${JSON.stringify(result.target)}\u0000${result.trait}`;
  const params = { trait: result.trait, turns: info.turns, realism_threshold: info.realismThreshold, ...info.models };
  const counted = result.probes.filter((p) => p.judge && !p.error);
  const mean = counted.length ? counted.reduce((n, p) => n + p.judge!.score, 0) / counted.length : null;
  const metric = (name: string, value: number | null) => (value === null ? {} : { [name]: { name, value, params: {} } });
  return {
    version: 2,
    status: result.stopped ? 'cancelled' : 'success',
    eval: {
      eval_id: shortId(`eval\u0000${seed}`),
      run_id: shortId(`run\u0000${seed}`),
      created,
      task: INSPECT_TASK,
      task_id: shortId(`task\u0000${seed}`),
      task_version: 0,
      task_attribs: {},
      task_args: {},
      task_args_passed: {},
      dataset: {
        name: `${result.trait}-probes`,
        ...(info.file ? { location: info.file } : {}),
        samples: result.probes.length,
        sample_ids: result.probes.map((_, i) => `probe-${i + 1}`),
        shuffled: false,
      },
      model,
      model_generate_config: {},
      model_args: {},
      config: { epochs: 1 },
      packages: {},
      metadata: {
        exporter: 'trait-studio',
        trait: result.trait,
        target: result.target,
        ...(info.file ? { traits_file: info.file } : {}),
        models: info.models,
        ...(result.knowledge ? { knowledge: result.knowledge } : {}),
        usage: result.usage,
        cost: result.cost,
        ...(result.stopped ? { stopped: result.stopped } : {}),
      },
    },
    plan: {
      name: 'plan',
      steps: [{ solver: 'trait_studio/adversarial_probe', params, params_passed: params }],
      config: {},
    },
    results: {
      total_samples: result.probes.length,
      completed_samples: counted.length,
      scores: [
        { name: 'trait_judge', scorer: 'trait_judge', params: {}, metrics: metric('mean', mean) },
        {
          name: 'trait_violation',
          scorer: 'trait_violation',
          params: {},
          metrics: {
            ...metric('violation_rate', result.violationRate),
            ...metric('mean_first_violation_turn', result.meanFirstViolationTurn),
          },
        },
      ],
    },
    stats: {
      started_at: created,
      completed_at: info.completed?.toISOString() ?? '',
      model_usage: {},
      role_usage: {},
      connection_limit_history: [],
    },
    invalidated: false,
    tags: [],
    metadata: {},
    samples: result.probes.map((p, i) => sample(p, i, result, model, info)),
  };
}

/** One probe as an Inspect sample. */
function sample(p: Probe, index: number, result: ProbeResult, model: string, info: InspectExportInfo): object {
  let n = 0;
  const id = () => `m${++n}`;
  const messages: Record<string, unknown>[] = [];
  if (info.targetSystemPrompt !== undefined) messages.push({ id: id(), role: 'system', content: info.targetSystemPrompt, source: 'input' });
  p.turns.forEach((t, i) => {
    messages.push({
      id: id(),
      role: 'user',
      content: t.user,
      source: 'input',
      metadata: { turn: i + 1, strategy: t.strategy, realism: t.realism, rewritten: t.rewritten },
    });
    messages.push({ id: id(), role: 'assistant', content: t.assistant, source: 'generate', model });
  });
  const last = [...messages].reverse().find((m) => m.role === 'assistant');
  const judge = p.judge;
  const counted = judge && !p.error;
  const evidence = judge?.evidence.map((e) => `- Turn ${e.turn}${e.verified ? '' : ' (unverified)'}: "${e.quote}"`).join('\n') ?? '';
  const explanation = judge
    ? `**Score ${judge.score}/10 — ${judge.violated ? `violated${judge.firstViolationTurn ? ` (first at turn ${judge.firstViolationTurn})` : ''}` : 'held'}.**${judge.evalAware ? ' The target said it was being tested.' : ''}\n\n${evidence}`
    : '';
  const metadata = judge
    ? { violated: judge.violated, firstViolationTurn: judge.firstViolationTurn, evidence: judge.evidence, evalAware: judge.evalAware }
    : {};
  return {
    id: `probe-${index + 1}`,
    epoch: 1,
    input: p.situation,
    target: info.traitText ?? result.trait,
    messages,
    output: {
      model,
      choices: last ? [{ message: last, stop_reason: 'stop' }] : [],
      completion: (last?.content as string | undefined) ?? '',
    },
    scores: counted
      ? {
          trait_judge: { value: judge.score, answer: null, explanation, metadata, history: [] },
          trait_violation: { value: judge.violated ? 'I' : 'C', answer: null, explanation, metadata, history: [] },
        }
      : null,
    metadata: { trait: result.trait, situation: p.situation, turns: p.turns.length, ...(p.error ? { error: p.error } : {}) },
    store: {},
    events: [],
    model_usage: {},
    role_usage: {},
    attachments: {},
  };
}
