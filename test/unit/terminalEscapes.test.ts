// Headings are the document author's text: control characters in them (ESC, OSC title sequences,
// BEL, C1 CSI) must reach a terminal as visible escapes from `lint` and `outline`, never raw; JSON
// output keeps the title exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../server/src/cli/main';
import { visible } from '../../server/src/cli/sanitize';

async function run(...argv: string[]) {
  return runOn({ isTTY: true }, ...argv);
}

/** Runs the CLI with stdout a terminal or not (`isTTY`) and taking colour or not (`color`). */
async function runOn(terminal: { isTTY: boolean; color?: boolean }, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), ...terminal });
  return { status, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'trait-studio-escapes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// OSC 0 (set the window title) ended by BEL, an SGR colour, and a C1 CSI (U+009B).
const TITLE = 'Evil \x1b]0;pwned\x07 title \x1b[31mred\u009b2J';
const file = join(dir, 'evil.traits.md');
writeFileSync(file, `# Group \x1b[5m\n\n## ${TITLE}\n\nThe assistant is kind.\n\n## ${TITLE}\n\nAgain, kind.\n`);

/** C0 controls but the line feed, DEL and C1 controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('control characters in headings, printed to a terminal', () => {
  it('visible() shows every C0/C1 control and DEL as an escape and leaves other text alone', () => {
    assert.equal(visible('a\x1b[31mb\x07c\u009bd\x7fe\tf'), 'a\\x1b[31mb\\x07c\\x9bd\\x7fe\\x09f');
    assert.equal(visible('héllo — “ok” 🙂'), 'héllo — “ok” 🙂');
  });

  it('lint prints titles with escapes shown, not sent raw', async () => {
    const r = await run('lint', file);
    assert.match(r.stdout, /duplicate-trait/);
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    assert.ok(r.stdout.includes('Evil \\x1b]0;pwned\\x07 title \\x1b[31mred\\x9b2J'), r.stdout);
  });

  it('lint escapes them in every text layout: piped lines, and coloured on a terminal', async () => {
    const piped = await runOn({ isTTY: false }, 'lint', file);
    assert.match(piped.stdout, /^\S+:\d+:\d+ warning /m, 'piped output is one file:line:col line per finding');
    assert.doesNotMatch(piped.stdout, RAW_CONTROL);
    assert.ok(piped.stdout.includes('Evil \\x1b]0;pwned\\x07 title'), piped.stdout);
    // In colour the only escape sequences are lint's own styling (SGR, ESC [ n m).
    const coloured = await runOn({ isTTY: true, color: true }, 'lint', file);
    assert.match(coloured.stdout, /\x1b\[\d+m/, 'no colour on a colour terminal');
    assert.doesNotMatch(coloured.stdout.replace(/\x1b\[\d+m/g, ''), RAW_CONTROL);
    assert.ok(coloured.stdout.includes('Evil \\x1b]0;pwned\\x07 title'), coloured.stdout);
  });

  it('outline prints titles and groups with escapes shown, not sent raw', async () => {
    const r = await run('outline', file);
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    assert.ok(r.stdout.includes('Group \\x1b[5m'), r.stdout);
    assert.ok(r.stdout.includes('Evil \\x1b]0;pwned\\x07 title'), r.stdout);
  });

  it('JSON output keeps the exact title', async () => {
    const outline = JSON.parse((await run('outline', file, '--format', 'json')).stdout);
    assert.equal(outline.traits[0].title, TITLE);
    const lint = JSON.parse((await run('lint', file, '--format', 'json')).stdout);
    assert.ok(lint[0].diagnostics.some((d: { message: string }) => d.message.includes(TITLE)));
  });
});
