import { parseArgs } from 'node:util';
import { buildOutline, type Outline } from '../analysis/outline';
import { parseTraitDocument } from '../document/parse';
import { readTextFile, UsageError } from './io';
import type { CliOutput } from './output';
import { visible } from './sanitize';

/** What the text outline's marks and columns mean; printed under it. */
export const OUTLINE_LEGEND = `Legend: [RTEX] the trait states a reason (R), trade-offs (T), exceptions (E), examples (X); - not stated.
        Groups are indented above their traits; (#id, line N) is the trait's id and heading line.
`;

export const OUTLINE_USAGE = `Usage: trait-studio outline FILE [--format text|json]

Prints the document's groups and traits, with what each trait states: reason (R), trade-offs (T),
exceptions (E) and examples (X); a legend follows the outline.
  --format json   { "file", "groups", "traits": [{ "id", "title", "level", "range", "groups", "parts", "references", "examples" }] },
                  each part { "stated", "by", "evidence": { "text", "range" } }: the sentence that states it
`;

/** `trait-studio outline`: returns the exit status. */
export async function runOutline(argv: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out.stdout(OUTLINE_USAGE);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  if (positionals.length !== 1) throw new UsageError(`outline takes exactly one file\n\n${OUTLINE_USAGE}`);
  const file = positionals[0];
  const outline = buildOutline(parseTraitDocument(readTextFile(file)), file);
  // Titles hold no line break: escaping line by line keeps the layout and shows every control character.
  out.stdout(
    values.format === 'json' ? JSON.stringify(outline, null, 2) + '\n' : formatOutline(outline).split('\n').map(visible).join('\n'),
  );
  return 0;
}

function formatOutline(outline: Outline): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const lines = [`${outline.file}: ${count(outline.traits.length, 'trait')} in ${count(outline.groups.length, 'group')}`];
  let groupPath: string[] = [];
  for (const t of outline.traits) {
    t.groups.forEach((g, i) => {
      if (groupPath[i] !== g) lines.push(`${'  '.repeat(i)}${g}`);
    });
    groupPath = t.groups;
    const p = t.parts;
    const marks = `${p.rationale.stated ? 'R' : '-'}${p.tradeoffs.stated ? 'T' : '-'}${p.exceptions.stated ? 'E' : '-'}${p.examples.stated ? 'X' : '-'}`;
    lines.push(`${'  '.repeat(t.groups.length)}[${marks}] ${t.title}  (#${t.id}, line ${t.range.start.line + 1})`);
  }
  return `${lines.join('\n')}\n\n${OUTLINE_LEGEND}`;
}
