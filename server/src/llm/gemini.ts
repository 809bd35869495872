import {
  GoogleGenAI,
  ServiceTier as SdkServiceTier,
  ThinkingLevel,
  type Content,
  type GenerateContentConfig,
  type GenerateContentResponse,
  type ThinkingConfig,
} from '@google/genai';
import { thinkingConfig } from './catalogue';
import { ModelAnswerError, type GenerateRequest, type GenerateResult, type ModelProvider, type ServiceTier } from './provider';
import { registerSecret, registerUrlSecrets } from './redact';
import { RequestPolicy } from './requestPolicy';

export interface GeminiOptions {
  /** API key (Gemini Developer API). Not needed with `vertex`. */
  readonly apiKey?: string;
  /** Vertex AI project and location instead of an API key. */
  readonly vertex?: { readonly project: string; readonly location: string };
  /** Another endpoint speaking Gemini's REST format (tests point this at a local fake). */
  readonly baseUrl?: string;
  readonly policy?: RequestPolicy;
  /**
   * The service tier every generateContent call asks for (`serviceTier`, sent at the request's top
   * level); default standard, which sends nothing. Give a Flex provider a Flex policy
   * (modelAccess.ts `requestPolicy`): Flex answers take minutes and may be shed.
   */
  readonly serviceTier?: ServiceTier;
}

const NO_TEXT_REASONS = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'OTHER', 'IMAGE_SAFETY']);

/**
 * Gemini through @google/genai, every call under the RequestPolicy (the SDK itself has no timeout,
 * does not honour RetryInfo and does not retry transport errors; test/fake-gemini/server.ts speaks the wire format).
 * Structured answers use `responseJsonSchema`, sent unchanged; parsing and validating them is the
 * caller's job.
 */
export class GeminiProvider implements ModelProvider {
  private readonly client: GoogleGenAI;
  private readonly policy: RequestPolicy;
  private readonly flex: boolean;

  constructor(options: GeminiOptions) {
    registerSecret(options.apiKey);
    registerUrlSecrets(options.baseUrl);
    const httpOptions = options.baseUrl ? { baseUrl: options.baseUrl } : undefined;
    this.client = options.vertex
      ? new GoogleGenAI({ vertexai: true, project: options.vertex.project, location: options.vertex.location, httpOptions })
      : new GoogleGenAI({ apiKey: options.apiKey, httpOptions });
    this.policy = options.policy ?? new RequestPolicy();
    this.flex = options.serviceTier === 'flex';
  }

  async generate(request: GenerateRequest, signal?: AbortSignal, onText?: (textSoFar: string) => void): Promise<GenerateResult> {
    return this.policy.run(request.model, (attemptSignal) => this.attempt(request, attemptSignal, onText), signal);
  }

  /** One call to the API: streamed when `onText` listens. */
  private async attempt(request: GenerateRequest, signal: AbortSignal, onText?: (textSoFar: string) => void): Promise<GenerateResult> {
    const sdk = sdkRequest(request);
    const params = {
      model: request.model,
      contents: sdk.contents,
      config: {
        abortSignal: signal,
        ...sdk.config,
        // X-Server-Timeout tells the server how long we wait (its default, 600 s, is shorter than a
        // Flex attempt may take); sent as a header, not the SDK's `timeout`, which would race ours.
        ...(this.flex
          ? {
              serviceTier: SdkServiceTier.FLEX,
              httpOptions: { headers: { 'X-Server-Timeout': String(Math.ceil(this.policy.timeoutMs / 1000)) } },
            }
          : {}),
      },
    };
    const tier = this.flex ? ('flex' as const) : undefined;
    if (!onText) return toResult(tier, await this.client.models.generateContent(params));
    let text = '';
    let last: GenerateContentResponse | undefined;
    let modelVersion: string | undefined;
    onText('');
    for await (const chunk of await this.client.models.generateContentStream(params)) {
      text += chunk.text ?? '';
      last = chunk;
      modelVersion = chunk.modelVersion ?? modelVersion;
      onText(text);
    }
    return toResult(tier, last, text, modelVersion);
  }

  async embed(model: string, texts: readonly string[], signal?: AbortSignal, dimensions?: number): Promise<number[][]> {
    const response = await this.policy.run(
      model,
      (attemptSignal) =>
        this.client.models.embedContent({
          model,
          contents: [...texts],
          config: { abortSignal: attemptSignal, ...(dimensions ? { outputDimensionality: dimensions } : {}) },
        }),
      signal,
    );
    const vectors = (response.embeddings ?? []).map((e) => e.values ?? []);
    if (vectors.length !== texts.length)
      throw new ModelAnswerError(`${model}: ${vectors.length} embeddings for ${texts.length} texts`, 'EMPTY');
    return vectors;
  }
}

/** `request` as the SDK takes it (contents and config), shared by synchronous calls and batch jobs (batch.ts). */
export function sdkRequest(request: GenerateRequest): { contents: Content[]; config: GenerateContentConfig } {
  return {
    contents: request.messages.map((m) => ({ role: m.role, parts: [{ text: m.text }] })),
    config: {
      ...(request.systemInstruction !== undefined ? { systemInstruction: request.systemInstruction } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
      ...(request.responseJsonSchema ? { responseMimeType: 'application/json', responseJsonSchema: request.responseJsonSchema } : {}),
      ...thinking(request),
    },
  };
}

const SDK_LEVEL = {
  minimal: ThinkingLevel.MINIMAL,
  low: ThinkingLevel.LOW,
  medium: ThinkingLevel.MEDIUM,
  high: ThinkingLevel.HIGH,
} as const;

/** The request's `thinkingConfig`, in the form its model takes (llm/catalogue.ts), or nothing. */
function thinking(request: GenerateRequest): { thinkingConfig?: ThinkingConfig } {
  const config = thinkingConfig(request.model, request.thinking);
  if (!config) return {};
  return {
    thinkingConfig:
      'thinkingLevel' in config ? { thinkingLevel: SDK_LEVEL[config.thinkingLevel] } : { thinkingBudget: config.thinkingBudget },
  };
}

/**
 * The text, usage and model version of an answer asked for at `tier` (undefined: Standard), or
 * ModelAnswerError when it has no text. Cached input is `usageMetadata.cachedContentTokenCount`
 * (a part of `promptTokenCount`: implicit caching's hits, Google's caching page). The tier is the
 * one the answer reports (`usageMetadata.serviceTier`, which the SDK passes through undeclared)
 * when it reports one, else the one asked for.
 */
export function toResult(
  tier: 'flex' | undefined,
  response: GenerateContentResponse | undefined,
  streamedText?: string,
  streamedVersion?: string,
): GenerateResult {
  const candidate = response?.candidates?.[0];
  const finishReason = candidate?.finishReason as string | undefined;
  const text = streamedText ?? response?.text ?? '';
  if (finishReason && NO_TEXT_REASONS.has(finishReason) && !text) {
    throw new ModelAnswerError(`the model gave no answer (finish reason ${finishReason})`, finishReason);
  }
  if (!text.trim()) throw new ModelAnswerError('the model gave an empty answer', finishReason ?? 'EMPTY');
  const usage = response?.usageMetadata;
  // Thinking tokens are billed at the output price (https://ai.google.dev/gemini-api/docs/pricing),
  // and 2.5 and 3 models think by default: they count as output.
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  const modelVersion = response?.modelVersion ?? streamedVersion;
  const inputTokens = usage?.promptTokenCount ?? 0;
  const cachedInputTokens = Math.min(inputTokens, usage?.cachedContentTokenCount ?? 0);
  const reported = String((usage as { serviceTier?: unknown } | undefined)?.serviceTier ?? '').toLowerCase();
  const billed = reported === 'flex' ? 'flex' : reported === 'standard' ? undefined : tier;
  return {
    text,
    finishReason,
    usage: { inputTokens, outputTokens, ...(cachedInputTokens > 0 ? { cachedInputTokens } : {}), ...(billed ? { tier: billed } : {}) },
    ...(modelVersion ? { modelVersion } : {}),
  };
}
