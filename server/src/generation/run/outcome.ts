/** Where each item of a run ends: records.jsonl and the SFT files, or rejected.jsonl with its reason. */
import { join } from 'node:path';
import type { StageUsage } from '../../llm/usage';
import type { StageModels } from '../stages/stage';
import { DedupIndex, type SimilarPrompt } from './dedupIndex';
import { sftFile, sftLine } from './formats';
import type { emptyStages } from '../preview';
import type { PlannedItem } from './items';
import { RECORDS_FILE, REJECTED_FILE } from './manifest';
import type { OutcomeCounts } from './resume';
import { JsonlAppender } from './store';
import type { RejectedScenario, RunRecord, RunSettings, ScenarioStages, SftFormat } from './types';

/** An item's stages run: what they produced and spent, or why they failed (null: they did not). */
export interface ItemStages {
  readonly out: ReturnType<typeof emptyStages>;
  readonly usage: StageUsage;
  readonly error: string | null;
}

/**
 * The item files of a run folder, appended one whole line at a time, with the counts of each
 * outcome and the index of accepted prompts that near-duplicates are checked against. `onFinished`
 * hears each item that got its line.
 */
export class ItemOutcomes {
  readonly dedup: DedupIndex;
  private readonly records: JsonlAppender;
  private readonly rejected: JsonlAppender;
  private readonly sft = new Map<SftFormat, JsonlAppender>();

  constructor(
    dir: string,
    settings: Pick<RunSettings, 'formats' | 'dedupThreshold'>,
    private readonly models: StageModels,
    private readonly counts: OutcomeCounts,
    private readonly onFinished: (item: PlannedItem) => void,
    /** Items of the run: the most prompts the dedup index will hold. */
    items?: number,
  ) {
    this.dedup = new DedupIndex({ threshold: settings.dedupThreshold, capacity: items });
    this.records = new JsonlAppender(join(dir, RECORDS_FILE));
    this.rejected = new JsonlAppender(join(dir, REJECTED_FILE));
    for (const format of settings.formats) this.sft.set(format, new JsonlAppender(join(dir, sftFile(format))));
  }

  /** The rejected.jsonl appender (failed midtraining documents are written there too). */
  get rejectedFile(): JsonlAppender {
    return this.rejected;
  }

  /**
   * Accepts the item into records.jsonl and the SFT files, unless an earlier accepted prompt is at
   * least `threshold` similar to `vector` (its final prompt's embedding): then it is rejected as a
   * duplicate. Returns the nearest accepted item in that case, else undefined. Synchronous, so no
   * other item is accepted between the check and the append.
   */
  acceptUnlessDuplicate(
    item: PlannedItem,
    stages: ItemStages,
    out: ScenarioStages,
    vector: number[],
    threshold: number,
  ): SimilarPrompt | undefined {
    const nearest = this.dedup.duplicateOf(vector, threshold);
    if (nearest) {
      this.reject(item, stages, 'duplicate', { duplicate: { of: nearest.id, prompt: nearest.prompt, similarity: nearest.similarity } });
      return nearest;
    }
    const record: RunRecord = { ...identity(item), ...out, models: this.models, usage: stages.usage, at: new Date().toISOString() };
    // records.jsonl first: it is the truth the SFT files are rebuilt from after a crash.
    this.records.append(record);
    for (const [format, file] of this.sft) file.append(sftLine(format, out.prompt, out.response));
    this.dedup.add(item.id, out.prompt, vector);
    this.counts.accepted++;
    this.onFinished(item);
    return undefined;
  }

  /** Writes the item's line to rejected.jsonl with `reason`, and counts it. */
  reject(
    item: PlannedItem,
    stages: ItemStages,
    reason: RejectedScenario['reason'],
    detail: { error?: string; duplicate?: RejectedScenario['duplicate'] },
  ): void {
    const line: RejectedScenario = {
      kind: 'sft',
      ...identity(item),
      reason,
      error: detail.error ?? null,
      duplicate: detail.duplicate ?? null,
      ...stages.out,
      models: this.models,
      usage: stages.usage,
      at: new Date().toISOString(),
    };
    this.rejected.append(line);
    if (reason === 'autorater') this.counts.autorater++;
    else if (reason === 'duplicate') this.counts.duplicate++;
    else this.counts.failed++;
    this.onFinished(item);
  }

  close(): void {
    for (const file of [this.records, this.rejected, ...this.sft.values()]) file.close();
  }
}

/** What identifies an item in its record or rejection. */
function identity(item: PlannedItem): Pick<RunRecord, 'id' | 'traitId' | 'traitTitle' | 'chunkHash' | 'index'> {
  return { id: item.id, traitId: item.traitId, traitTitle: item.traitTitle, chunkHash: item.chunkHash, index: item.index };
}
