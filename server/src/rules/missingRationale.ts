import { missingPartRule } from './missingPart';

/** TS101 missing-rationale: the trait never says why. */
export const missingRationaleRule = missingPartRule({
  id: 'TS101',
  name: 'missing-rationale',
  kind: 'rationale',
  description: 'Every trait says why it matters',
  defaultSeverity: 'warning',
  message: (title) =>
    `"${title}" never says why: add a Why part or a sentence giving the reason (because, so that, to avoid ...). Traits taught with their reasons generalise better.`,
});
