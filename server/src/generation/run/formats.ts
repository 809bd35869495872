/** The SFT files: the final user message and the response of each accepted record, never a system prompt. */
import type { SftFormat } from './types';

export const SFT_FORMATS: readonly SftFormat[] = ['openai', 'gemini'];

/** The file each format is written to, in the run folder. */
export function sftFile(format: SftFormat): string {
  return `sft.${format}.jsonl`;
}

/**
 * One training example in `format`:
 * - openai: `{"messages":[{"role":"user","content":…},{"role":"assistant","content":…}]}` (chat fine-tuning);
 * - gemini: `{"contents":[{"role":"user","parts":[{"text":…}]},{"role":"model","parts":[{"text":…}]}]}` (Vertex AI tuning).
 */
export function sftLine(format: SftFormat, prompt: string, response: string): object {
  return format === 'openai'
    ? {
        messages: [
          { role: 'user', content: prompt },
          { role: 'assistant', content: response },
        ],
      }
    : {
        contents: [
          { role: 'user', parts: [{ text: prompt }] },
          { role: 'model', parts: [{ text: response }] },
        ],
      };
}
