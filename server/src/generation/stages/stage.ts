import type { GenerateRequest, ModelProvider, Usage } from '../../providers/provider';
import { ModelAnswerError } from '../../providers/provider';
import { schemaProblems, SCHEMAS, type StructuredStage } from '../schemas';
import type { Template, TemplateStage } from '../templates';

/** Which model each role uses (the method: a fast model to generate and for the baseline, a strong one to judge and answer). */
export interface StageModels {
  readonly brainstorm: string;
  readonly critique: string;
  readonly baseline: string;
  readonly response: string;
  readonly autorate: string;
}

export const DEFAULT_MODELS: StageModels = {
  brainstorm: 'gemini-2.5-flash',
  critique: 'gemini-2.5-pro',
  baseline: 'gemini-2.5-flash',
  response: 'gemini-2.5-pro',
  autorate: 'gemini-2.5-pro',
};

/** What every stage runs with. `usage` is added to as calls complete. */
export interface StageContext {
  readonly provider: ModelProvider;
  /** The baseline may come from another provider (the model being trained, OpenAI-compatible). */
  readonly baselineProvider?: ModelProvider;
  readonly models: StageModels;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  readonly signal?: AbortSignal;
  readonly usage: { inputTokens: number; outputTokens: number };
}

/** A stage that failed for good: its name and what went wrong, shown for that scenario. */
export class StageError extends Error {
  override readonly name = 'StageError';
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

function add(ctx: StageContext, usage: Usage): void {
  ctx.usage.inputTokens += usage.inputTokens;
  ctx.usage.outputTokens += usage.outputTokens;
}

/**
 * A structured answer: generated with the stage's JSON schema, parsed and validated. A malformed,
 * invalid, blocked or empty answer is asked for once more; a second failure is a StageError (never a
 * made-up value). Transport failures have already been retried by the request policy.
 */
export async function structured<S extends StructuredStage>(
  ctx: StageContext,
  stage: S,
  request: Omit<GenerateRequest, 'responseJsonSchema'>,
): Promise<any> {
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const result = await ctx.provider.generate({ ...request, responseJsonSchema: SCHEMAS[stage] }, ctx.signal);
      add(ctx, result.usage);
      let value: unknown;
      try {
        value = JSON.parse(result.text);
      } catch {
        problem = `the answer is not JSON (${JSON.stringify(result.text.slice(0, 80))})`;
        continue;
      }
      problem = schemaProblems(stage, value);
      if (!problem) return value;
    } catch (error) {
      if (!(error instanceof ModelAnswerError)) throw wrap(stage, error, ctx.signal);
      problem = error.message;
    }
  }
  throw new StageError(stage, `${problem} (asked twice)`);
}

/** A free-text answer; a blocked or empty one is asked for once more, then a StageError. */
export async function text(ctx: StageContext, stage: string, request: GenerateRequest, provider = ctx.provider): Promise<string> {
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const result = await provider.generate(request, ctx.signal);
      add(ctx, result.usage);
      return result.text;
    } catch (error) {
      if (!(error instanceof ModelAnswerError)) throw wrap(stage, error, ctx.signal);
      problem = error.message;
    }
  }
  throw new StageError(stage, `${problem} (asked twice)`);
}

function wrap(stage: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return error;
  return new StageError(stage, error instanceof Error ? error.message : String(error));
}
