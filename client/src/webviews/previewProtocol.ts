/**
 * What the preview panel and its webview say to each other. Imported by the extension and by the
 * webview script (client/webview/preview.ts), so neither side can drift. Only plain data crosses:
 * the webview renders model text as sanitised Markdown (client/webview/markdown.ts) and every other
 * text with textContent.
 */
import type { ScenarioResult } from '../../../server/src/generation/preview';

export type { ScenarioResult };

/** Everything the panel shows; also what the webview saves for the serializer. */
export interface PreviewState {
  /** Document URI and trait id: what the panel previews (and what a restored panel reopens). */
  readonly uri: string;
  readonly traitId: string;
  readonly traitTitle: string;
  readonly status: 'running' | 'done' | 'stopped' | 'failed';
  /** Why it stopped or failed, or a note (e.g. "from cache"). */
  readonly message: string | null;
  /** No Gemini credentials: the panel offers Set API Key (and says how else to give one) instead of results. */
  readonly needsKey: boolean;
  /** Scenarios asked for (traitStudio.preview.scenarios); the header says "asked for N, got M" when fewer completed. */
  readonly asked: number;
  /** One slot per scenario; null until its idea arrives. */
  readonly scenarios: readonly (ScenarioResult | null)[];
  /** Scenario indexes being regenerated on their own. */
  readonly regenerating: readonly number[];
  /** Models per role, shown in the header. */
  readonly models: Readonly<Record<string, string>>;
  /** Model id asked for → the versions the API reported answering for it (see answeringVersions). */
  readonly modelVersions: Readonly<Record<string, readonly string[]>>;
  /**
   * Tokens this preview spent (answers served from the answer cache cost nothing); `cachedInputTokens`
   * is the part of the input the provider's context cache served (billed at the cached rate).
   */
  readonly usage: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly cachedInputTokens: number;
    readonly cachedAnswers: number;
  };
  /** Estimated USD from the price table; `unpriced` lists models it has no price for. */
  readonly cost: { readonly usd: number; readonly unpriced: readonly string[] };
}

/** Extension → webview. */
export type ToWebview = { readonly type: 'state'; readonly state: PreviewState };

/** Webview → extension. `index` is a scenario's position in `scenarios`. */
export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'run' }
  | { readonly type: 'stop' }
  | { readonly type: 'regenerateAll' }
  | { readonly type: 'regenerate'; readonly index: number }
  | { readonly type: 'pin'; readonly index: number }
  | { readonly type: 'copy'; readonly index: number }
  /** Runs "Trait Studio: Set API Key", then the preview when a key was stored. */
  | { readonly type: 'setKey' }
  /** Opens the page where a Gemini API key is made. */
  | { readonly type: 'getKey' };

/** The webview panel type, shared by the panel and its serializer (package.json activation event). */
export const PREVIEW_VIEW_TYPE = 'traitStudio.preview';
