import { defineRule } from './rule';

/** TS004 unclosed-fence: a code fence that never closes swallows every trait after it. */
export const unclosedFenceRule = defineRule({
  id: 'TS004',
  name: 'unclosed-fence',
  description: 'Every code fence is closed',
  defaultSeverity: 'error',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    for (const fence of document.unclosedFences) {
      const lines = fence.end.line - fence.start.line;
      report({
        range: document.lines.lineSpan(fence.start.line, 0, document.lines.lineText(fence.start.line).length),
        message: `This code fence is never closed, so the ${lines} line${lines === 1 ? '' : 's'} after it (headings and traits included) are read as code.`,
      });
    }
  },
});
