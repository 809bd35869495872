import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../server/src/cli/main';
import { MODEL_SPEC } from './fixtures';

/** Runs the CLI in-process and captures its output. */
async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false });
  return { status, stdout, stderr };
}

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function tempTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'trait-studio-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const KIND =
  '# Be kind\n\nThe assistant is kind to people, because kindness builds trust, unless honesty requires a hard truth, balancing warmth against candour.\n';

describe('trait-studio lint on the OpenAI Model Spec', () => {
  // The Model Spec as published (test/fixtures/corpus): 59 traits, the headings with an {#id} (see
  // parse.test.ts). The counts are the rules' findings on it as docs/rules/ defines them: one per
  // trait and rule, except unqualified-absolute (one per sentence with an unqualified absolute).
  // Why these counts are right: test/fixtures/corpus/labels/openai-model-spec.md.yaml records, for each
  // of the 59 traits, the reason, trade-off and exception a reader finds (with a quote), and
  // `npm run eval:lint` compares the findings with it. Of the findings below:
  // - missing-rationale 14: 12 traits the labels give no reason; 2 whose reason the cues do not see
  //   ("Provide information without giving regulated advice": "The user should not rely solely on
  //   the model response ..."; "Prioritize safety for teens": "... pose heightened risk to
  //   adolescents"). Missed: "Never generate sexual content involving minors", where the Prohibited
  //   content introduction's "To maximize freedom ..." reads as its reason.
  // - missing-tradeoffs 2: "Avoid factual, reasoning, and formatting errors" states none; "No topic
  //   is off limits" states its limit without a cue ("it is important to distinguish ..."). Missed:
  //   "No other objectives", where the chain of command's introduction ("... while respecting their
  //   explicit wording") reads as one. Every other trait states a trade-off, the style traits
  //   through their group's introduction ("(but always in a way that enhances rather than distracts
  //   from the assistant's overall helpfulness)").
  // - missing-exceptions 18: 15 traits the labels give no exception; 3 whose exception has no cue.
  //   ("No topic is off limits" is not among them: "within established boundaries" reads as its
  //   proviso.)
  // - unqualified-absolute 7: 3 on traits with an unbounded absolute ("must not encourage or enable
  //   self-harm", "should never change or quit the conversation"), 3 in group introductions ("must
  //   never attempt to steer the user", "always operating with people's best interests", "always in a
  //   way that enhances"), 1 on a trait whose exception the cues miss ("Do not facilitate or
  //   encourage illicit behavior": "If the user's intent is unclear ... and comply").
  // - isolated-trait 25: traits whose own trade-offs name no other trait (unchanged rule; trade-offs
  //   settled in a group's introduction or by priorities are not its concern).
  // 14 + 2 + 18 + 7 = 41 warnings and 25 information: the 66 lines the built binary prints below,
  // and the 66 diagnostics the editor shows (test/vscode/suite/diagnostics.test.js). A change to the
  // rules' cue lists moves these numbers on purpose: update them, and these reasons, with it.
  it('gives the counts per rule the labels explain, with exit status 0 (no errors)', async () => {
    const { status, stdout } = await run('lint', MODEL_SPEC, '--format', 'json');
    assert.equal(status, 0);
    const [result] = JSON.parse(stdout);
    assert.equal(result.file, MODEL_SPEC);
    assert.equal(result.traits, 59);
    const counts: Record<string, number> = {};
    for (const d of result.diagnostics) counts[d.rule] = (counts[d.rule] ?? 0) + 1;
    assert.deepEqual(counts, {
      'missing-rationale': 14,
      'missing-tradeoffs': 2,
      'missing-exceptions': 18,
      'isolated-trait': 25,
      'unqualified-absolute': 7,
    });
    const d = result.diagnostics[0];
    assert.deepEqual(Object.keys(d).sort(), ['message', 'range', 'rule', 'severity', 'trait']);
    assert.equal(d.trait, 'Follow all applicable instructions');
    assert.deepEqual(d.range, { start: { line: 178, character: 3 }, end: { line: 178, character: 37 } });
  });

  it('runs as the built binary, printing 1-based file:line:col lines', () => {
    const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
    const r = spawnSync(process.execPath, [cli, 'lint', MODEL_SPEC], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    // 41 warnings (the coverage findings above) and 25 information (isolated-trait).
    assert.equal(lines.length, 66);
    assert.equal(
      lines[0].startsWith(`${MODEL_SPEC}:179:4 warning missing-rationale "Follow all applicable instructions" never says why`),
      true,
      lines[0],
    );
    assert.match(r.stderr, /1 file, 59 traits: 0 errors, 41 warnings, 25 information, 0 hints/);
  });
});

describe('trait-studio lint: exit status and configuration', () => {
  it('exits 1 when any error is found', async () => {
    const root = tempTree({ 'a.traits.md': `${KIND}\nSee [[Nobody]].\n` });
    const r = await run('lint', join(root, 'a.traits.md'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /a\.traits\.md:5:5 error unknown-reference No trait or heading is titled "Nobody"\./);
  });

  it('exits 2 with a clear message on usage and I/O problems', async () => {
    const root = tempTree({ 'bin.traits.md': 'a\u0000b', 'ok.traits.md': KIND });
    for (const [argv, message] of [
      [['lint', join(root, 'missing.md')], /missing\.md: no such file or folder/],
      [['lint', join(root, '*.nothing')], /no file matches this pattern/],
      [['lint', join(root, 'ok.traits.md'), '--format', 'xml'], /--format must be text or json/],
      [['lint', join(root, 'ok.traits.md'), '--bogus'], /Unknown option '--bogus'/],
      [['lint'], /no files given/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['lint', root], /bin\.traits\.md: not a text file/],
    ] as const) {
      const r = await run(...argv);
      assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('still lints the readable files when one is binary', async () => {
    const root = tempTree({ 'bin.traits.md': 'a\u0000b', 'ok.traits.md': KIND });
    const r = await run('lint', root, '--format', 'json');
    assert.equal(r.status, 2);
    assert.deepEqual(
      JSON.parse(r.stdout).map((f: { file: string }) => f.file),
      [join(root, 'ok.traits.md')],
    );
  });

  it('finds the nearest .traitsrc up the tree, and --config replaces it; front matter wins over both', async () => {
    const short = '# Be kind\n\nBe kind.\n';
    const root = tempTree({
      '.traitsrc.yaml': 'lint:\n  vague-trait: error\n',
      'docs/a.traits.md': short,
      'docs/b.traits.md': `---\nlint:\n  vague-trait: hint\n---\n${short}`,
      'other.json': '{ "lint": { "TS203": "off" } }',
    });
    const rules = async (...argv: string[]) =>
      (JSON.parse((await run('lint', ...argv, '--format', 'json')).stdout) as { diagnostics: { rule: string; severity: string }[] }[]).map(
        (f) => f.diagnostics.filter((d) => d.rule === 'vague-trait').map((d) => d.severity),
      );
    assert.deepEqual(await rules(join(root, 'docs')), [['error'], ['hint']]);
    assert.deepEqual(await rules(join(root, 'docs'), '--config', join(root, 'other.json')), [[], ['hint']]);
  });

  it('rejects an invalid config file with its place', async () => {
    const root = tempTree({ '.traitsrc.json': '{ "lint": { "vague-trait": "loud" } }', 'a.traits.md': KIND, 'bad.json': '{ "lint": ' });
    let r = await run('lint', join(root, 'a.traits.md'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\.traitsrc\.json: "lint\.vague-trait" must be a severity/);
    r = await run('lint', join(root, 'a.traits.md'), '--config', join(root, 'bad.json'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.json:1:\d+: /);
  });
});

describe('trait-studio outline', () => {
  it('prints the JSON contract for the Model Spec', async () => {
    const r = await run('outline', MODEL_SPEC, '--format', 'json');
    assert.equal(r.status, 0);
    const outline = JSON.parse(r.stdout);
    assert.equal(outline.file, MODEL_SPEC);
    assert.equal(outline.groups.length, 14);
    assert.equal(outline.traits.length, 59);
    const sycophancy = outline.traits.find((t: { id: string }) => t.id === 'avoid_sycophancy');
    assert.deepEqual(sycophancy, {
      id: 'avoid_sycophancy',
      title: "Don't be sycophantic",
      level: 3,
      // From its heading (line 2576 of the file, 1-based) to the end of its last non-blank line, the
      // "~~~" closing its last example (line 2652); the next trait's heading is on line 2654.
      range: { start: { line: 2575, character: 0 }, end: { line: 2651, character: 3 } },
      groups: ['Seek the truth together', 'Be honest and transparent'],
      // Each stated part carries the sentence that states it. The trait says why and what it is
      // weighed against, but names no case where it stops (its labels agree).
      parts: {
        rationale: {
          stated: true,
          by: 'prose',
          evidence: {
            text: 'A related concern involves sycophancy, which erodes trust.',
            range: { start: { line: 2577, character: 0 }, end: { line: 2577, character: 58 } },
          },
        },
        tradeoffs: { stated: true, by: 'prose', evidence: sycophancy.parts.tradeoffs.evidence },
        exceptions: { stated: false },
        examples: { stated: true, by: 'examples' },
      },
      references: [],
      examples: 3,
    });
    assert.match(sycophancy.parts.tradeoffs.evidence.text, /rather than a sponge that doles out praise\.$/);
    const letter = outline.traits.find((t: { id: string }) => t.id === 'letter_and_spirit');
    assert.deepEqual(letter.references.slice(0, 2), ['overview', 'assume_best_intentions']);
  });

  it('prints a readable tree by default', async () => {
    const r = await run('outline', MODEL_SPEC);
    assert.match(r.stdout, /^.*: 59 traits in 14 groups$/m);
    assert.match(r.stdout, /^ {4}\[RT-X\] Don't be sycophantic {2}\(#avoid_sycophancy, line 2576\)$/m);
  });
});
