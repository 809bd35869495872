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
    const { lines } = document;
    for (const fence of document.unclosedFences) {
      let text = 0;
      let headings = 0;
      for (let l = fence.start.line + 1; l <= fence.end.line; l++) {
        const line = lines.lineText(l);
        if (line.trim()) text++;
        if (/^ {0,3}#{1,6}(?:[ \t]|$)/.test(line)) headings++;
      }
      const swallowed = text
        ? `, so the ${text} non-blank line${text === 1 ? '' : 's'} after it${headings ? `, ${headings} heading${headings === 1 ? '' : 's'} among them,` : ''} ${text === 1 ? 'is' : 'are'} read as code`
        : '';
      report({
        range: lines.lineSpan(fence.start.line, 0, lines.lineText(fence.start.line).length),
        message: `This code fence is never closed${swallowed}. Close it with a matching fence line.`,
      });
    }
  },
});
