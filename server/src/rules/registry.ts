import { chunkTooLongRule } from './chunkTooLong';
import { duplicateTraitRule } from './duplicateTrait';
import { emptyTraitRule } from './emptyTrait';
import { frontMatterRule } from './frontMatter';
import { isolatedTraitRule } from './isolatedTrait';
import { missingExceptionsRule } from './missingExceptions';
import { missingRationaleRule } from './missingRationale';
import { missingTradeoffsRule } from './missingTradeoffs';
import type { Rule } from './rule';
import { surfaceFormPrescriptionRule } from './surfaceFormPrescription';
import { unclosedFenceRule } from './unclosedFence';
import { unknownReferenceRule } from './unknownReference';
import { unknownRuleInCommentRule } from './unknownRuleInComment';
import { unqualifiedAbsoluteRule } from './unqualifiedAbsolute';
import { unweighedTensionRule } from './unweighedTension';
import { vagueTraitRule } from './vagueTrait';

/**
 * Every rule, in id order. Adding a rule: a file in this folder, a line here, a page in docs/rules/,
 * then `npm run docs:rules` (package.json's `traitStudio.rules` and docs/rules/README.md are generated).
 * Stored as `Rule` (options as `object`): `check` is a method, so TypeScript takes its parameter
 * bivariantly and each rule keeps its own options type where it is defined.
 */
export const RULES: readonly Rule[] = [
  frontMatterRule,
  emptyTraitRule,
  unknownReferenceRule,
  unclosedFenceRule,
  unknownRuleInCommentRule,
  missingRationaleRule,
  missingTradeoffsRule,
  missingExceptionsRule,
  isolatedTraitRule,
  unweighedTensionRule,
  unqualifiedAbsoluteRule,
  surfaceFormPrescriptionRule,
  vagueTraitRule,
  duplicateTraitRule,
  chunkTooLongRule,
];

const BY_KEY = new Map<string, Rule>(
  RULES.flatMap(
    (r) =>
      [
        [r.name, r],
        [r.id.toLowerCase(), r],
      ] as [string, Rule][],
  ),
);

/** The rule with this name or id (ids are case-insensitive), or undefined. */
export function findRule(nameOrId: string): Rule | undefined {
  return BY_KEY.get(nameOrId) ?? BY_KEY.get(nameOrId.toLowerCase());
}

/** Relative path of a rule's documentation page in the repository. */
export function ruleDocsPath(rule: Pick<Rule, 'name'>): string {
  return `docs/rules/${rule.name}.md`;
}
