import type { ThinkingLevel } from './catalogue';
import type { CallTokens } from './usage';

/** What the generation stages need of a model provider; Gemini and OpenAI-compatible ones implement it. */
export interface GenerateRequest {
  readonly model: string;
  /** Omitted entirely when undefined (the baseline stage sends none). */
  readonly systemInstruction?: string;
  readonly messages: readonly { readonly role: 'user' | 'model'; readonly text: string }[];
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
  /** JSON Schema of a structured answer (Gemini `responseJsonSchema`); the answer is JSON text. */
  readonly responseJsonSchema?: object;
  /**
   * How hard the model should think; omitted: its default. Gemini sends it as the model takes it
   * (a `thinkingLevel` for Gemini 3, a `thinkingBudget` for 2.5; see llm/catalogue.ts); the
   * OpenAI-compatible provider sends nothing.
   */
  readonly thinking?: ThinkingLevel;
}

/**
 * What one answer spent: input (prompt) tokens, the part of them served from the provider's context
 * cache (`cachedInputTokens`), output tokens (thinking included), and the price tier it was billed at
 * (`tier: 'flex'`; absent: Standard).
 */
export type Usage = CallTokens;

/**
 * The Gemini service tier to ask for (`serviceTier` on generateContent): `standard` (the default) or
 * `flex` (about half price, minutes of latency, may be shed under load; llm/requestPolicy.ts
 * FLEX_POLICY waits and retries accordingly).
 */
export type ServiceTier = 'standard' | 'flex';

export interface GenerateResult {
  readonly text: string;
  readonly finishReason: string | undefined;
  readonly usage: Usage;
  /**
   * The model version that answered, as the API reports it (Gemini's `modelVersion`, the
   * OpenAI-compatible completion's `model`): it may differ from the id asked for (an alias, a
   * dated snapshot). Undefined when the API reported none.
   */
  readonly modelVersion?: string;
}

/** A model answered, but with no usable text: blocked (SAFETY, RECITATION, ...) or empty. */
export class ModelAnswerError extends Error {
  override readonly name = 'ModelAnswerError';
  constructor(
    message: string,
    /** SAFETY, RECITATION, OTHER, EMPTY, MAX_TOKENS ... */
    readonly finishReason: string,
  ) {
    super(message);
  }
}

export interface ModelProvider {
  /**
   * Generates one answer. `onText` receives the text so far as it streams (from the start again if
   * an attempt is retried). Throws RequestFailedError (transport, HTTP, timeout after retries),
   * ModelAnswerError (blocked or empty), or the abort reason when `signal` aborts.
   */
  generate(request: GenerateRequest, signal?: AbortSignal, onText?: (textSoFar: string) => void): Promise<GenerateResult>;
  /**
   * One embedding vector per text, in order; of `dimensions` numbers when given (a reduced
   * embedding, not necessarily unit length), else the model's full length.
   */
  embed(model: string, texts: readonly string[], signal?: AbortSignal, dimensions?: number): Promise<number[][]>;
}
