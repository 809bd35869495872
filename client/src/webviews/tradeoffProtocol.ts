/**
 * What the trade-off map panel shows and how its page talks back. Built by the extension from the
 * document and its review (server/src/review/tradeoffMap.ts); imported by client/webview/tradeoffs.ts
 * too. Plain data only: the page renders every text with textContent.
 */
import type { TradeoffMap } from '../../../server/src/review/tradeoffMap';

export const TRADEOFF_VIEW_TYPE = 'traitStudio.tradeoffMap';

export interface TradeoffView {
  /** The document's URI and name. */
  readonly uri: string;
  readonly name: string;
  /** Where the pairs came from: the model review (its model), or the keyless pass alone. */
  readonly source: { readonly kind: 'model'; readonly model: string } | { readonly kind: 'heuristic' };
  readonly map: TradeoffMap;
}

export type ToTradeoffWebview = { type: 'map'; view: TradeoffView };

export type FromTradeoffWebview =
  | { type: 'ready' }
  /** Jump to a trait's heading, or to a cell's evidence. */
  | { type: 'reveal'; traitId: string; evidence?: { start: { line: number; character: number }; end: { line: number; character: number } } }
  | { type: 'addTradeoff'; a: string; b: string }
  | { type: 'review' };
