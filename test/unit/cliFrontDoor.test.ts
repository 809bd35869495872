// What a newcomer meets first on the command line: the short help, every command's own --help,
// "did you mean", lint's terminal report (grouped by file, coloured by severity, plain when piped
// or with NO_COLOR), outline's legend, and a Markdown file that is not a trait document.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closestCommands, COMMANDS, main } from '../../server/src/cli/main';
import { MODEL_SPEC } from './fixtures';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const ESC = '\u001b[';

/** Runs the CLI in-process; `terminal` makes stdout a terminal, `color` one that takes colour. */
async function run(argv: string[], { terminal = false, color = false } = {}) {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: terminal, color });
  return { status, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'trait-studio-front-door-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const README =
  '# Widget\n\nWidget renders widgets.\n\n## Install\n\nRun `npm install widget`.\n\n## Usage\n\nCall render().\n\n## Configuration\n\nEdit the file.\n';
const DRAFT = '---\nname: Draft\n---\n\n# Be good\n\nBe good.\n\n# Cite\n\nSee [[Nobody]].\n';

describe('trait-studio --help', () => {
  it('is short: one line per command, no options', async () => {
    const r = await run(['--help']);
    assert.equal(r.status, 0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const command of COMMANDS) assert.equal(lines.filter((l) => l.startsWith(`  ${command.name} `)).length, 1, command.name);
    assert.ok(lines.length <= COMMANDS.length + 6, `${lines.length} lines`);
    assert.doesNotMatch(r.stdout, /--format|--config|Exit status/);
    assert.match(r.stdout, /trait-studio <command> --help/);
  });

  it('every command has --help (and -h), exit 0; "help CMD" is the same', async () => {
    for (const { name } of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        const r = await run([name, flag]);
        assert.equal(r.status, 0, `${name} ${flag}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^Usage: trait-studio ${name}\\b`), `${name} ${flag}`);
      }
      assert.equal((await run(['help', name])).stdout, (await run([name, '--help'])).stdout);
    }
    assert.match((await run(['audit', 'filter', '--help'])).stdout, /audit filter DATASET\.jsonl --out/);
  });

  it('without a command, prints the help on stderr and exits 2', async () => {
    const r = await run([]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: trait-studio <command>/);
  });
});

describe('an unknown command', () => {
  it('suggests the closest command names', () => {
    assert.deepEqual(closestCommands('lnit'), ['lint']);
    assert.deepEqual(closestCommands('Lint'), ['lint']);
    assert.deepEqual(closestCommands('outlin'), ['outline']);
    assert.deepEqual(closestCommands('preveiw'), ['preview']);
    assert.deepEqual(closestCommands('rule'), ['rules']);
    assert.deepEqual(closestCommands('xyz'), []);
    assert.deepEqual(closestCommands('ls'), ['lsp']);
    assert.deepEqual(closestCommands('zz'), []);
    assert.deepEqual(closestCommands('deploy'), []);
  });

  it('says "did you mean" and exits 2', async () => {
    const r = await run(['lnit', 'a.md']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'trait-studio: unknown command "lnit"; did you mean "lint"?\nRun "trait-studio --help" for the commands.\n');
    assert.match((await run(['--outline'])).stderr, /unknown option "--outline"; did you mean "outline"\?/);
    const none = await run(['frobnicate']);
    assert.equal(none.status, 2);
    assert.doesNotMatch(none.stderr, /did you mean/);
  });
});

describe('trait-studio lint on a terminal', () => {
  const a = file('a.traits.md', DRAFT);
  const b = file('b.traits.md', '---\nname: B\n---\n\n# Be brief\n\nShort.\n');

  it('groups findings under each file, in aligned columns, and colours the severities', async () => {
    const r = await run(['lint', a, b], { terminal: true, color: true });
    assert.equal(r.status, 1);
    const plain = r.stdout.replaceAll(/\u001b\[\d+m/g, '');
    const blocks = plain.split('\n\n');
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0].split('\n')[0], a);
    assert.equal(blocks[1].split('\n')[0], b);
    // Columns: line:col right-aligned, severity and rule padded to the file's longest.
    assert.match(blocks[0], /^ {2} 5:3 {2}warning {2}missing-rationale {3}"Be good" never says why/m);
    assert.match(blocks[0], /^ {2}11:5 {2}error {4}unknown-reference {3}No trait or heading is titled "Nobody"\./m);
    assert.ok(r.stdout.includes(`${ESC}31merror`), 'errors in red');
    assert.ok(r.stdout.includes(`${ESC}33mwarning`), 'warnings in yellow');
    assert.match(r.stderr, /^2 files, 3 traits: 1 error, \d+ warnings/);
  });

  it('groups without colour when the terminal takes none', async () => {
    const r = await run(['lint', a], { terminal: true, color: false });
    assert.ok(!r.stdout.includes(ESC));
    assert.match(r.stdout, new RegExp(`^${a}\\n {2} 5:3 {2}warning`));
  });

  it('prints one plain file:line:col line per finding when piped', async () => {
    const r = await run(['lint', a], { terminal: false, color: false });
    assert.ok(!r.stdout.includes(ESC));
    assert.match(r.stdout, new RegExp(`^${a}:5:3 warning missing-rationale "Be good" never says why`));
    assert.ok(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith(`${a}:`)),
    );
  });

  // The real decision (tty hasColors: NO_COLOR, TERM) in the built binary, under a pseudo-terminal
  // from util-linux's `script`. Only PATH and HOME are inherited: Node also reads CI, FORCE_COLOR,
  // NODE_DISABLE_COLORS and TMUX, and a CI runner sets CI=true, which alone turns colour off.
  const inTerminal = (env: Record<string, string>) =>
    spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} lint ${JSON.stringify(a)}`, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm-256color', ...env },
    });

  it('colours in a real terminal, and not with NO_COLOR or when piped (built binary)', () => {
    const coloured = inTerminal({});
    assert.equal(coloured.status, 1, coloured.stderr);
    assert.ok(coloured.stdout.includes(`${ESC}33mwarning`), coloured.stdout);
    const noColor = inTerminal({ NO_COLOR: '1' });
    assert.ok(!noColor.stdout.includes(ESC), noColor.stdout);
    assert.match(noColor.stdout, new RegExp(`^${a}\\r?\\n {2} 5:3 {2}warning`));
    const piped = spawnSync(process.execPath, [CLI, 'lint', a], { encoding: 'utf8' });
    assert.ok(!piped.stdout.includes(ESC));
    assert.match(piped.stdout, new RegExp(`^${a}:5:3 warning `));
  });
});

describe('trait-studio lint of a Markdown file that is not a trait document', () => {
  const readme = file('README.md', README);

  it('says so once, lints nothing and exits 2', async () => {
    const r = await run(['lint', readme]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.equal(
      lines[0],
      `trait-studio: ${readme} does not look like a trait document (no trait front matter, no Why or Trade-offs parts, ` +
        'and 0 of 3 sections read as instructions to a model); skipped — pass --force to lint it anyway, or name it *.traits.md',
    );
    assert.equal(lines[1], 'Nothing linted: 1 file skipped (not a trait document)');
  });

  it('lints it with --force, and always lints the same text named *.traits.md', async () => {
    const forced = await run(['lint', readme, '--force']);
    assert.equal(forced.status, 0);
    assert.match(forced.stdout, /missing-rationale/);
    assert.doesNotMatch(forced.stderr, /does not look like/);
    const named = await run(['lint', file('readme.traits.md', README)]);
    assert.match(named.stdout, /missing-rationale/);
    assert.doesNotMatch(named.stderr, /does not look like/);
  });

  it('lints the trait documents beside it, and the Model Spec as written', async () => {
    const r = await run(['lint', readme, file('c.traits.md', DRAFT), MODEL_SPEC]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.match(/does not look like a trait document/g)?.length, 1);
    assert.match(r.stderr, /^2 files, 61 traits: 1 error, .*; 1 file skipped \(not a trait document\)$/m);
    assert.ok(!r.stdout.includes(readme));
  });

  it('keeps the JSON contract: linted files as before, a skipped one with "skipped" and no diagnostics', async () => {
    const r = await run(['lint', readme, file('d.traits.md', DRAFT), '--format', 'json']);
    const [skipped, linted] = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(linted).sort(), ['diagnostics', 'file', 'traits']);
    assert.deepEqual(skipped, { file: readme, traits: 3, diagnostics: [], skipped: skipped.skipped });
    assert.match(skipped.skipped, /^does not look like a trait document \(/);
  });
});

describe('trait-studio outline', () => {
  it('prints a legend of its marks and columns under the outline (not in JSON)', async () => {
    const r = await run(['outline', file('e.traits.md', DRAFT)]);
    assert.match(r.stdout, /: 2 traits in 0 groups\n/);
    assert.match(
      r.stdout,
      /\n\nLegend: \[RTEX\] the trait states a reason \(R\), trade-offs \(T\), exceptions \(E\), examples \(X\); - not stated\.\n/,
    );
    assert.match(r.stdout, /\(#id, line N\) is the trait's id and heading line/);
    assert.doesNotMatch((await run(['outline', file('f.traits.md', DRAFT), '--format', 'json'])).stdout, /Legend/);
  });

  it('says "1 trait in 1 group", not "1 traits in 1 groups"', async () => {
    const r = await run(['outline', file('g.traits.md', '# Group\n\n## Be kind\n\nText.\n')]);
    assert.match(r.stdout, /: 1 trait in 1 group\n/);
  });
});

describe('npx trait-studio', () => {
  it("runs the package's bin from this checkout (dist/, which prepare builds on npm ci)", () => {
    const r = spawnSync('npm', ['exec', '--offline', '--', 'trait-studio', '--help'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: trait-studio <command>/);
  });
});
