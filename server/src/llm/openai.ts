import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ModelAnswerError, type GenerateRequest, type GenerateResult, type ModelProvider } from './provider';
import { credentialFreeUrl, registerSecret, registerUrlSecrets } from './redact';
import { RequestPolicy } from './requestPolicy';

/** Where an OpenAI-compatible server is and how to call it. */
export interface OpenAICompatibleOptions {
  /**
   * The API root, version path included: `http://localhost:8000/v1` (vLLM), `http://localhost:11434/v1`
   * (Ollama), `http://localhost:1234/v1` (LM Studio). Requests go to `${baseUrl}/chat/completions`
   * and `${baseUrl}/embeddings`.
   */
  readonly baseUrl: string;
  /**
   * Sent as `Authorization: Bearer <apiKey>`. Local servers need none, so it defaults to the
   * placeholder 'not-needed' (the SDK refuses to start without a key). OPENAI_API_KEY is never read:
   * that key must not go to whatever server `baseUrl` names.
   */
  readonly apiKey?: string;
  readonly policy?: RequestPolicy;
}

/** Sent when no key is given: the SDK insists on one, local servers ignore it. */
const NO_KEY = 'not-needed';

/** setTimeout's largest delay (about 24.8 days); a larger one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Any Chat Completions endpoint (vLLM, Ollama, LM Studio, llama.cpp, OpenAI itself) through the
 * openai SDK, every call under the RequestPolicy: the SDK's own retries are off (they would multiply
 * ours and ignore our back-off and rate limit) and its timeout is pushed out of the way, so the
 * policy's per-attempt timeout and cancellation, passed as each attempt's `signal`, are the only
 * ones. Structured answers use `response_format: json_schema` with `strict: false`; parsing and
 * validating them is the caller's job. Finish reasons are passed on as the server names them
 * ('stop', 'length', 'content_filter').
 */
export class OpenAICompatibleProvider implements ModelProvider {
  private readonly client: OpenAI;
  private readonly policy: RequestPolicy;

  /** Makes no request: the first call is the first contact. Without `policy`, a default RequestPolicy. */
  constructor(options: OpenAICompatibleOptions) {
    registerSecret(options.apiKey);
    registerUrlSecrets(options.baseUrl);
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey ?? NO_KEY,
      // null, not undefined: otherwise OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment are sent along.
      organization: null,
      project: null,
      maxRetries: 0,
      // The default (10 minutes) would cut off a slow local model when the policy allows longer.
      timeout: MAX_TIMER_MS,
    });
    this.policy = options.policy ?? new RequestPolicy();
  }

  /**
   * Generates one answer through `POST {baseUrl}/chat/completions`, streamed when `onText` listens
   * (it hears '' first, then the whole text so far after each piece). Usage is the server's
   * `prompt_tokens` / `completion_tokens` (0 when it sends none), and the part of the prompt served
   * from its prompt cache (`prompt_tokens_details.cached_tokens`). Throws ModelAnswerError for an
   * empty or content-filtered answer, RequestFailedError when the policy gives up, or the abort
   * reason when `signal` aborts.
   */
  async generate(request: GenerateRequest, signal?: AbortSignal, onText?: (textSoFar: string) => void): Promise<GenerateResult> {
    return this.policy.run(request.model, (attemptSignal) => this.attempt(request, attemptSignal, onText), signal);
  }

  /** One call to the API: streamed when `onText` listens. */
  private async attempt(request: GenerateRequest, signal: AbortSignal, onText?: (textSoFar: string) => void): Promise<GenerateResult> {
    const params: ChatCompletionCreateParamsBase = {
      model: request.model,
      messages: toMessages(request),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      // max_tokens, not max_completion_tokens: OpenAI deprecated it, but it is what Ollama, LM Studio and
      // llama.cpp read (Ollama silently ignores max_completion_tokens) and vLLM still accepts it.
      ...(request.maxOutputTokens !== undefined ? { max_tokens: request.maxOutputTokens } : {}),
      ...(request.responseJsonSchema
        ? {
            response_format: {
              type: 'json_schema' as const,
              // strict: false because strict mode rejects schemas that do not list every property as
              // required with additionalProperties: false; ours are written for Gemini. vLLM, Ollama and
              // LM Studio constrain decoding to the schema either way.
              json_schema: { name: 'answer', schema: request.responseJsonSchema as Record<string, unknown>, strict: false },
            },
          }
        : {}),
    };
    if (!onText) {
      const completion = await this.client.chat.completions.create({ ...params, stream: false }, { signal });
      const choice = completion.choices?.[0];
      return toResult(choice?.message?.content ?? '', choice?.finish_reason ?? undefined, completion.usage, completion.model);
    }
    let text = '';
    let finishReason: string | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    let model: string | undefined;
    onText('');
    const stream = await this.client.chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    for await (const chunk of stream) {
      // The usage chunk that ends the stream has no choices.
      const choice = chunk.choices?.[0];
      const piece = choice?.delta?.content;
      if (piece) {
        text += piece;
        onText(text);
      }
      finishReason = choice?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
      model = chunk.model || model;
    }
    // The SDK ends a stream quietly when its signal aborts (our timeout or a cancellation): the text
    // so far is not an answer.
    signal.throwIfAborted();
    return toResult(text, finishReason, usage, model);
  }

  /**
   * One embedding vector per text, in order, through `POST {baseUrl}/embeddings` (one request for
   * all texts). Throws ModelAnswerError when the server returns a different number of vectors,
   * RequestFailedError when the policy gives up, or the abort reason when `signal` aborts.
   */
  async embed(model: string, texts: readonly string[], signal?: AbortSignal, dimensions?: number): Promise<number[][]> {
    if (texts.length === 0) return []; // the API rejects an empty input list
    const response = await this.policy.run(
      model,
      // 'float' explicitly: the SDK otherwise asks for base64 and decodes whatever comes back as base64,
      // which turns the float arrays of a server that ignores encoding_format into garbage.
      (attemptSignal) =>
        this.client.embeddings.create(
          { model, input: [...texts], encoding_format: 'float', ...(dimensions ? { dimensions } : {}) },
          { signal: attemptSignal },
        ),
      signal,
    );
    // Each item names its input by `index`; the list need not be in that order.
    const data = (response.data ?? []).map((d, i) => ({ index: typeof d.index === 'number' ? d.index : i, vector: d.embedding }));
    const vectors = data.sort((a, b) => a.index - b.index).map((d) => d.vector);
    if (vectors.length !== texts.length)
      throw new ModelAnswerError(`${model}: ${vectors.length} embeddings for ${texts.length} texts`, 'EMPTY');
    return vectors;
  }
}

/** The chat messages of a request: the system instruction first when there is one, 'model' as 'assistant'. */
function toMessages(request: GenerateRequest): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] =
    request.systemInstruction !== undefined ? [{ role: 'system', content: request.systemInstruction }] : [];
  for (const m of request.messages) messages.push({ role: m.role === 'model' ? 'assistant' : 'user', content: m.text });
  return messages;
}

/** The text, usage and answering model (the completion's `model`) of an answer, or ModelAnswerError when it has no text. */
function toResult(
  text: string,
  finishReason: string | undefined,
  usage: OpenAI.CompletionUsage | null | undefined,
  model: string | undefined,
): GenerateResult {
  if (finishReason === 'content_filter' && !text) {
    throw new ModelAnswerError(`the model gave no answer (finish reason ${finishReason})`, finishReason);
  }
  if (!text.trim()) throw new ModelAnswerError('the model gave an empty answer', finishReason ?? 'EMPTY');
  return {
    text,
    finishReason,
    usage: { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0, ...cached(usage) },
    ...(model ? { modelVersion: model } : {}),
  };
}

/** The prompt tokens the server says it served from its prompt cache (`usage.prompt_tokens_details.cached_tokens`), when it says so. */
function cached(usage: OpenAI.CompletionUsage | null | undefined): { cachedInputTokens?: number } {
  const n = Math.min(usage?.prompt_tokens ?? 0, usage?.prompt_tokens_details?.cached_tokens ?? 0);
  return n > 0 ? { cachedInputTokens: n } : {};
}

/**
 * The baseline provider for an OpenAI-compatible server the user named (the CLI's --baseline-url,
 * the editor's traitStudio.baseline.openaiBaseUrl) and the id that keeps its answers apart in the
 * cache, or nothing without one. Its key comes from TRAIT_STUDIO_BASELINE_API_KEY in `env`;
 * OPENAI_API_KEY is never sent to a server of the user's choosing.
 */
export function openAICompatibleBaseline(
  baselineUrl: string | undefined,
  env: NodeJS.ProcessEnv,
  policy?: RequestPolicy,
): { baselineProvider?: OpenAICompatibleProvider; baselineProviderId?: string } {
  if (!baselineUrl) return {};
  return {
    baselineProvider: new OpenAICompatibleProvider({
      baseUrl: baselineUrl,
      apiKey: env.TRAIT_STUDIO_BASELINE_API_KEY || undefined,
      policy,
    }),
    // The URL names the endpoint, but its credentials stay out of cache keys and manifests.
    baselineProviderId: `openai-compatible@${credentialFreeUrl(baselineUrl)}`,
  };
}
