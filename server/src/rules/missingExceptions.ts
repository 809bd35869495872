import { missingPartRule } from './missingPart';

/** TS103 missing-exceptions: nothing about when the trait does not apply. */
export const missingExceptionsRule = missingPartRule({
  id: 'TS103',
  name: 'missing-exceptions',
  kind: 'exceptions',
  description: 'Every trait says when it does not apply',
  defaultSeverity: 'warning',
  message: (title) =>
    `"${title}" never says when it does not apply: add an Exceptions part or a sentence with its limits (unless, except, only when, by default ...).`,
});
