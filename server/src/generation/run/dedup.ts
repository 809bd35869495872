/**
 * Deduplication of accepted prompts: each final user prompt is embedded, and one whose cosine
 * similarity to an earlier accepted prompt is at or above the threshold is rejected with its pair.
 */
import type { ModelProvider } from '../../llm/provider';
import { answerKey, type AnswerCache } from '../../llm/cache';
import { ModelAnswerError } from '../../llm/provider';

/** Texts per embedding call: Gemini's batchEmbedContents takes at most 100 requests. */
export const EMBED_BATCH = 100;

/**
 * The embedding dimension a run asks for (Gemini's `outputDimensionality`, OpenAI's `dimensions`)
 * when none is given. gemini-embedding-001 is trained so its first dimensions are an embedding on
 * their own (Matryoshka); at 512 it scores 67.55 on MTEB against 68.16 at the full 3,072 (Google's
 * table), and 100,000 accepted prompts fit in 400 MB with the index — at 768 the vectors alone
 * take 307 MB and the index's tables another ~90 (bench/dedup.ts).
 */
export const DEFAULT_EMBEDDING_DIMENSIONS = 512;

/** The cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * An embedding call that answered only some of its texts (a batch job's per-text failures):
 * `vectors[i]` for each text answered, `errors[i]` for each that failed. The Embedder fails only
 * the texts that failed.
 */
export class PartialEmbeddingError extends Error {
  override readonly name = 'PartialEmbeddingError';
  constructor(
    readonly vectors: readonly (number[] | undefined)[],
    readonly errors: readonly (Error | undefined)[],
  ) {
    super(errors.find((e) => e)?.message ?? 'some texts were not embedded');
  }
}

interface Waiter {
  text: string;
  resolve: (vector: number[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Embeds texts one at a time from the caller's side and in batches on the wire: a text asked for
 * while no call is in flight goes out on the next turn of the event loop with whatever else was
 * asked in that turn; texts asked for while a call is in flight go out together when it returns
 * (up to EMBED_BATCH a call). So a quiet run waits for no batch to fill, and a busy one makes few
 * calls. With a cache, vectors are looked up first (key: provider id, stage "embed" or "embed:D" for
 * D dimensions, model, text)
 * and kept after, so a resumed run embeds its earlier prompts without a request.
 */
export class Embedder {
  private pending: Waiter[] = [];
  private busy = false;
  private scheduled = false;
  /** Embedding calls made and texts sent in them. */
  readonly stats = { requests: 0, texts: 0 };

  constructor(
    private readonly provider: ModelProvider,
    private readonly model: string,
    private readonly options: {
      cache?: AnswerCache;
      providerId?: string;
      signal?: AbortSignal;
      /** Texts per call; default EMBED_BATCH (a batch-mode run sends every waiting text in one wave). */
      maxBatch?: number;
      /** Reduced embedding dimension to ask for (outputDimensionality); absent: the model's full length. */
      dimensions?: number;
    },
  ) {}

  /**
   * The vector of `text`, of `dimensions` numbers when they were given (not scaled: a reduced
   * embedding need not be unit length; DedupIndex renormalises). Rejects with the provider's error
   * (RequestFailedError, ModelAnswerError, which is also thrown when the vector has another
   * length than asked for) or the abort reason. When the call that carried `text` answered only
   * some of its texts (the provider threw a PartialEmbeddingError), `text` still resolves if it was
   * answered; if not, it rejects with its own error from that error's `errors`, or with the
   * PartialEmbeddingError itself when none was recorded for it (its `vectors` and `errors` are
   * indexed by the whole call's texts; its message is the first error's).
   */
  async embed(text: string): Promise<number[]> {
    const key = this.key(text);
    const { dimensions } = this.options;
    if (key) {
      const cached = await this.options.cache!.get(key).catch(() => undefined);
      const vector = cached ? parseVector(cached.text) : undefined;
      // A vector of another length was cached for another dimension (keys before it was recorded).
      if (vector && (dimensions === undefined || vector.length === dimensions)) return vector;
    }
    const vector = await new Promise<number[]>((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      this.schedule();
    });
    if (dimensions !== undefined && vector.length !== dimensions)
      throw new ModelAnswerError(`${this.model} answered ${vector.length} dimensions where ${dimensions} were asked for`, 'OTHER');
    if (key)
      await this.options
        .cache!.set(key, { text: JSON.stringify(vector), usage: { inputTokens: 0, outputTokens: 0 } })
        .catch(() => undefined);
    return vector;
  }

  private key(text: string): string | undefined {
    if (!this.options.cache || this.options.providerId === undefined) return undefined;
    return answerKey({
      providerId: this.options.providerId,
      // A reduced dimension is a request of its own: a full-length vector is no answer to it.
      stage: this.options.dimensions ? `embed:${this.options.dimensions}` : 'embed',
      request: { model: this.model, messages: [{ role: 'user', text }] },
      sample: 0,
    });
  }

  private schedule(): void {
    if (this.busy || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.busy || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.maxBatch ?? EMBED_BATCH);
    this.busy = true;
    this.stats.requests++;
    this.stats.texts += batch.length;
    try {
      const vectors = await this.provider.embed(
        this.model,
        batch.map((w) => w.text),
        this.options.signal,
        this.options.dimensions,
      );
      batch.forEach((w, i) => w.resolve(vectors[i]));
    } catch (error) {
      if (error instanceof PartialEmbeddingError)
        batch.forEach((w, i) => (error.vectors[i] ? w.resolve(error.vectors[i]) : w.reject(error.errors[i] ?? error)));
      else batch.forEach((w) => w.reject(error));
    } finally {
      this.busy = false;
      this.schedule();
    }
  }
}

function parseVector(text: string): number[] | undefined {
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'number' && Number.isFinite(x)) ? value : undefined;
  } catch {
    return undefined;
  }
}

export { DedupIndex, type SimilarPrompt } from './dedupIndex';
