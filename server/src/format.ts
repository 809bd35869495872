/**
 * Numbers as people read them, shared by the CLI, the reports, the editor and its webviews (so a
 * count or a cost reads the same everywhere): a count with its noun in the right number, and US
 * dollars at a precision that never rounds a small spend to $0.00.
 */

const PLURAL_RULES = new Intl.PluralRules('en-US');

/**
 * `n` and its noun: "1 idea", "3 ideas", "0 ideas", "1,200 records"; `plural` for a noun that does
 * not just add "s" ("1 match", "2 matches"). English rules (Intl.PluralRules 'en-US').
 */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${PLURAL_RULES.select(n) === 'one' ? singular : plural}`;
}

/**
 * An amount in US dollars: cents from $0.10 up ("$12.50", "$0.35"), two significant digits below
 * ("$0.046", "$0.0046"), "$0.00" for nothing. Every view of one cost uses this, so they agree.
 */
export function usd(amount: number): string {
  if (!(amount > 0)) return '$0.00';
  const small = amount.toLocaleString('en-US', { maximumSignificantDigits: 2 });
  if (Number(small) < 0.1) return `$${small}`;
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/**
 * The share of `inputTokens` a provider's context cache served (implicit prefix caching), as a
 * percentage: "40 %" ("< 1 %" for a sliver, "0 %" for none or no input). Every view of the cached
 * share (the preview, the run report, the CLI) uses this, so they agree.
 */
export function cachedPercent(inputTokens: number, cachedInputTokens = 0): string {
  if (!(inputTokens > 0) || !(cachedInputTokens > 0)) return '0 %';
  const share = (100 * cachedInputTokens) / inputTokens;
  return share < 1 ? '< 1 %' : `${Math.round(share)} %`;
}
