import { lintSettingsSchema } from '../server/src/rules/config';
import { RULES } from '../server/src/rules/registry';
import type { Rule } from '../server/src/rules/rule';

/** The command that rewrites the generated rule metadata; drift messages name it. */
export const GENERATE_COMMAND = 'npm run docs:rules';

/** Where the generated part of docs/rules/README.md starts and ends (the text around it is hand-written). */
export const INDEX_BEGIN = `<!-- Generated from server/src/rules by \`${GENERATE_COMMAND}\`: edit the rules, not this table. -->`;
export const INDEX_END = '<!-- End of generated rule index. -->';

/** The rule settings key of package.json's `contributes.configuration.properties`. */
export const RULES_SETTING = 'traitStudio.rules';

/**
 * package.json's `traitStudio.rules` setting: the lint settings schema of server/src/rules/config.ts
 * (every rule by name and id, its severity or options), with the setting's own description.
 */
export function rulesSetting(): object {
  const { type, ...schema } = lintSettingsSchema();
  return {
    type,
    default: {},
    markdownDescription:
      'Rule settings, as in front matter `lint:`: a rule name or id mapped to a severity (`off`, `error`, `warning`, `information`, `hint`) or to `{ "severity": ..., option: value }`. A `.traitsrc.json`/`.traitsrc.yaml` file and the document\'s front matter override these. Run `trait-studio rules` or see `docs/rules/` for the rules and their options.',
    ...schema,
  };
}

/** The generated section of docs/rules/README.md, markers included: the rule table and the rules' options. */
export function rulesIndex(): string {
  const rows = RULES.map((r) => `| ${r.id} | [${r.name}](${r.name}.md) | ${r.defaultSeverity} | ${r.description} |`);
  const withOptions = RULES.filter((r) => Object.keys(r.optionsSchema).length);
  return [
    INDEX_BEGIN,
    '',
    '| Id | Name | Default severity | Checks that |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Rules with options (defaults in brackets):',
    '',
    ...withOptions.map((r) => `- [${r.name}](${r.name}.md): ${optionList(r)}`),
    '',
    INDEX_END,
  ].join('\n');
}

function optionList(rule: Rule): string {
  const defaults = rule.options as Record<string, unknown>;
  return Object.keys(rule.optionsSchema)
    .map((key) => `\`${key}\` (${JSON.stringify(defaults[key])})`)
    .join(', ');
}

/**
 * package.json's text with its `traitStudio.rules` setting replaced by `rulesSetting()`, in npm's
 * layout (two-space JSON, final line break). Throws when the manifest has no such setting.
 */
export function withRulesSetting(packageJson: string): string {
  const manifest = JSON.parse(packageJson);
  const properties = manifest.contributes?.configuration?.properties;
  if (!properties || !(RULES_SETTING in properties))
    throw new Error(`package.json has no contributes.configuration.properties["${RULES_SETTING}"] to generate.`);
  properties[RULES_SETTING] = rulesSetting();
  return JSON.stringify(manifest, null, 2) + '\n';
}

/**
 * docs/rules/README.md's text with the part between `INDEX_BEGIN` and `INDEX_END` replaced by
 * `rulesIndex()`. Throws when either marker is missing, so a hand edit that removed them is noticed.
 */
export function withRulesIndex(readme: string): string {
  const begin = readme.indexOf(INDEX_BEGIN);
  const end = readme.indexOf(INDEX_END);
  if (begin < 0 || end < begin)
    throw new Error(`docs/rules/README.md has lost its generated-section markers; put back:\n${INDEX_BEGIN}\n${INDEX_END}`);
  return readme.slice(0, begin) + rulesIndex() + readme.slice(end + INDEX_END.length);
}
