import { missingPartRule } from './missingPart';

/** TS102 missing-tradeoffs: nothing about what the trait is weighed against. */
export const missingTradeoffsRule = missingPartRule({
  id: 'TS102',
  name: 'missing-tradeoffs',
  kind: 'tradeoffs',
  description: 'Every trait says what it is weighed against',
  defaultSeverity: 'warning',
  message: (title) =>
    `"${title}" never says what it is weighed against: add a Trade-offs part or say what it is balanced with (balance, rather than, at the expense of ...).`,
});
