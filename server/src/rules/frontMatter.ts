import { defineRule } from './rule';

/**
 * TS001 front-matter: YAML syntax errors, an unterminated block and schema errors in the front matter,
 * each at the exact key or character it is about. Schema problems come from the linter, which
 * validates front matter before reading its `lint` settings.
 */
export const frontMatterRule = defineRule({
  id: 'TS001',
  name: 'front-matter',
  description: 'Front matter is valid YAML and matches the trait document schema',
  defaultSeverity: 'error',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    for (const problem of document.frontMatter?.problems ?? []) report(problem);
  },
});
