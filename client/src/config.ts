import * as vscode from 'vscode';
import { readSettings, type SettingKey, type Settings } from '../../server/src/llm/settings';
import { DEFAULT_PROBES, DEFAULT_TURNS, MAX_PROBES, MAX_TURNS, type ProbeModels } from '../../server/src/probe/options';
import type { ProbeTarget } from '../../server/src/probe/types';

/**
 * The model-calling settings of `scope` (a document or workspace folder; none: the window's), typed
 * and with their defaults, from the one settings table (server/src/llm/settings.ts), read afresh on
 * every call so a changed setting counts from the next command.
 */
export function modelSettings(scope?: vscode.Uri): Settings {
  const config = vscode.workspace.getConfiguration('traitStudio', scope);
  return readSettings((key: SettingKey) => config.get(key));
}

/** A model under test as the settings name it (`traitStudio.probe.targets`). */
export interface ConfiguredTarget {
  /** How the viewer and the pick list call it ("base", "after SFT"); default its model. */
  readonly name: string;
  readonly target: ProbeTarget;
}

/** The probe settings of a scope, typed and with their defaults (package.json `traitStudio.probe.*`). */
export interface ProbeSettings {
  readonly targets: readonly ConfiguredTarget[];
  /** Targets in the settings that could not be read, and why (said once, in the log). */
  readonly invalidTargets: readonly string[];
  /** The target's system prompt; empty: none (the target is probed as it stands). */
  readonly targetSystemPrompt: string;
  readonly probes: number;
  readonly turns: number;
  /** US dollars a run may spend; 0: no limit but the estimate you confirm. */
  readonly maxUsd: number;
  /** Target requests a run may send (every probe's turns, every knowledge answer); 0: no limit. */
  readonly maxTurns: number;
  /** Gemini models of the auditor, realism checker, judge and knowledge grader (`traitStudio.models.probe*`). */
  readonly models: ProbeModels;
}

/**
 * The probe settings of `scope`, read afresh on every call. A target needs `model` and either `url`
 * (an OpenAI-compatible endpoint: vLLM, Ollama, …) or `gemini: true`; a number out of range is held
 * within it.
 */
export function probeSettings(scope?: vscode.Uri): ProbeSettings {
  const config = vscode.workspace.getConfiguration('traitStudio.probe', scope);
  const targets: ConfiguredTarget[] = [];
  const invalidTargets: string[] = [];
  const listed = config.get<unknown>('targets');
  for (const [i, item] of (Array.isArray(listed) ? listed : []).entries()) {
    const t = (item ?? {}) as { name?: unknown; url?: unknown; model?: unknown; gemini?: unknown };
    const model = typeof t.model === 'string' ? t.model.trim() : '';
    const url = typeof t.url === 'string' ? t.url.trim() : '';
    const name = typeof t.name === 'string' && t.name.trim() ? t.name.trim() : model;
    if (!model || (!url && t.gemini !== true) || (url && t.gemini === true)) {
      invalidTargets.push(`target ${i + 1}: give "model" and either "url" or "gemini": true`);
      continue;
    }
    if (url && !/^https?:\/\//i.test(url)) {
      invalidTargets.push(`target ${i + 1}: "url" must start with http:// or https://`);
      continue;
    }
    targets.push({ name, target: url ? { kind: 'openai-compatible', url, model } : { kind: 'gemini', model } });
  }
  const whole = (key: string, fallback: number, max: number) => {
    const n = config.get<unknown>(key);
    return typeof n === 'number' && Number.isFinite(n) ? Math.min(max, Math.max(1, Math.round(n))) : fallback;
  };
  const maxUsd = config.get<unknown>('maxUsd');
  const maxTurns = config.get<unknown>('maxTurns');
  const roles = modelSettings(scope);
  return {
    targets,
    invalidTargets,
    targetSystemPrompt: String(config.get<unknown>('targetSystemPrompt') ?? '').trim(),
    probes: whole('probes', DEFAULT_PROBES, MAX_PROBES),
    turns: whole('turns', DEFAULT_TURNS, MAX_TURNS),
    maxUsd: typeof maxUsd === 'number' && maxUsd > 0 ? maxUsd : 0,
    maxTurns: typeof maxTurns === 'number' && maxTurns >= 1 ? Math.round(maxTurns) : 0,
    models: {
      auditor: roles['models.probeAuditor'],
      realism: roles['models.probeRealism'],
      judge: roles['models.probeJudge'],
      grader: roles['models.probeGrader'],
    },
  };
}

/**
 * The glob of the files `Trait Studio: Lint Workspace` lints (`traitStudio.lintWorkspace.include`,
 * default every `*.traits.md`), read afresh on every call; an empty or non-string value is the default.
 */
export function lintWorkspaceInclude(): string {
  const include = vscode.workspace.getConfiguration('traitStudio').get<unknown>('lintWorkspace.include');
  return typeof include === 'string' && include.trim() ? include.trim() : '**/*.traits.md';
}
