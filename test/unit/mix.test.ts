// Baseline mixing (server/src/generation/mix.ts): the baseline file read line by line in both SFT
// formats, and a finished run folder mixed with it — counts, ratio, seed and shortfall recorded,
// the same shuffled examples in each format. The CLI's flags: test/unit/generateCli.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mixRun, parseExample, readBaselineFile, type SftExample } from '../../server/src/generation/mix';
import { sftLine } from '../../server/src/generation/run/formats';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-mix-'));
  dirs.push(dir);
  return dir;
};

/** A finished run folder with `accepted` records (prompts "synthetic i") in both formats. */
function runFolder(accepted: number, formats = ['openai', 'gemini']): string {
  const dir = tempDir();
  const manifest = { version: 1, status: 'completed', document: { path: '/d.traits.md', sha256: 'x' }, settings: { formats }, counts: {} };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const records = Array.from({ length: accepted }, (_, i) =>
    JSON.stringify({ id: `r${i}`, prompt: `synthetic ${i}`, response: `answer ${i}` }),
  );
  writeFileSync(join(dir, 'records.jsonl'), records.map((l) => `${l}\n`).join(''));
  return dir;
}

/** A baseline file of `n` examples ("baseline i"), alternating our OpenAI and Gemini lines, plus `extra` raw lines. */
function baselineFile(n: number, extra: string[] = []): string {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify(sftLine(i % 2 ? 'gemini' : 'openai', `baseline ${i}`, `reply ${i}`)));
  const path = join(tempDir(), 'baseline.jsonl');
  writeFileSync(path, [...lines, ...extra].map((l) => `${l}\n`).join(''));
  return path;
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
/** The user text of an OpenAI or Gemini line. */
const userText = (line: { messages?: { role: string; content: string }[]; contents?: { role: string; parts: { text: string }[] }[] }) =>
  line.messages ? line.messages.find((m) => m.role === 'user')!.content : line.contents![0].parts[0].text;

describe('parseExample', () => {
  it('reads the lines our SFT files write, in both formats, with a system prompt', () => {
    const expected: SftExample = {
      turns: [
        { role: 'user', text: 'q' },
        { role: 'assistant', text: 'a' },
      ],
    };
    assert.deepEqual(parseExample(JSON.stringify(sftLine('openai', 'q', 'a'))), expected);
    assert.deepEqual(parseExample(JSON.stringify(sftLine('gemini', 'q', 'a'))), expected);
    const system = { system: 'be brief', ...expected };
    assert.deepEqual(
      parseExample(
        JSON.stringify({
          messages: [{ role: 'system', content: 'be brief' }, ...(sftLine('openai', 'q', 'a') as { messages: unknown[] }).messages],
        }),
      ),
      system,
    );
    assert.deepEqual(
      parseExample(JSON.stringify({ systemInstruction: { parts: [{ text: 'be brief' }] }, ...sftLine('gemini', 'q', 'a') })),
      system,
    );
  });

  it('says why a line is no training example', () => {
    const cases: [string, RegExp][] = [
      ['{"messages": [', /^not JSON/],
      ['[1, 2]', /not a JSON object/],
      ['{"prompt": "q"}', /neither an OpenAI chat example/],
      ['{"messages": [{"role": "user", "content": "q"}]}', /ends with a user turn/],
      ['{"messages": [{"role": "assistant", "content": "a"}]}', /turn 1 is assistant/],
      [
        '{"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "a"}]}',
        /messages\[0\]\.content is not a non-empty string/,
      ],
      ['{"messages": [{"role": "tool", "content": "q"}]}', /messages\[0\]\.role is "tool"/],
      [
        '{"contents": [{"role": "user", "parts": [{"text": "q"}]}, {"role": "assistant", "parts": [{"text": "a"}]}]}',
        /contents\[1\]\.role is "assistant", not user or model/,
      ],
      ['{"contents": [{"role": "user", "parts": []}]}', /contents\[0\]\.parts is not a list/],
      ['{"messages": [], "contents": []}', /both "messages"/],
    ];
    for (const [line, reason] of cases) {
      const parsed = parseExample(line);
      assert.equal(typeof parsed, 'string', line);
      assert.match(parsed as string, reason, line);
    }
  });
});

describe('readBaselineFile', () => {
  it('numbers the bad lines from 1, counts blank ones, and hashes the bytes', () => {
    const path = baselineFile(3, ['', 'not json', '{"messages": [{"role": "user", "content": "q"}]}', '   ']);
    const file = readBaselineFile(path);
    assert.equal(file.examples.length, 3);
    assert.deepEqual(
      file.bad.map((b) => b.line),
      [5, 6],
    );
    assert.equal(file.blank, 2);
    assert.match(file.sha256, /^[0-9a-f]{64}$/);
  });
});

describe('mixRun', () => {
  it('mixes round(ratio × synthetic) baseline records, the same shuffle in both formats, recorded in the manifest', () => {
    const dir = runFolder(10);
    const baseline = readBaselineFile(baselineFile(30));
    const mix = mixRun(dir, { baseline, ratio: 0.5, seed: 42 });
    assert.deepEqual(
      {
        synthetic: mix.synthetic,
        wanted: mix.baselineWanted,
        baseline: mix.baseline,
        short: mix.baselineShort,
        total: mix.total,
        seed: mix.seed,
      },
      { synthetic: 10, wanted: 5, baseline: 5, short: 0, total: 15, seed: 42 },
    );
    assert.deepEqual(mix.source, { path: baseline.path, sha256: baseline.sha256 });
    assert.deepEqual(mix.files, ['sft.mixed.openai.jsonl', 'sft.mixed.gemini.jsonl']);
    const openai = lines(join(dir, 'sft.mixed.openai.jsonl'));
    const gemini = lines(join(dir, 'sft.mixed.gemini.jsonl'));
    assert.ok(
      openai.every((l) => Array.isArray(l.messages)) && gemini.every((l) => Array.isArray(l.contents)),
      'each file in its own format',
    );
    assert.deepEqual(openai.map(userText), gemini.map(userText));
    const texts = openai.map(userText);
    assert.equal(texts.filter((t) => t.startsWith('synthetic')).length, 10);
    assert.equal(new Set(texts).size, 15);
    assert.notDeepEqual(
      texts.slice(0, 10),
      Array.from({ length: 10 }, (_, i) => `synthetic ${i}`),
      'not shuffled',
    );
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).mix, mix);
    // The same seed gives the same file; another seed another order.
    const again = mixRun(dir, { baseline, ratio: 0.5, seed: 42 });
    assert.deepEqual(lines(join(dir, 'sft.mixed.openai.jsonl')).map(userText), texts);
    assert.equal(again.seed, 42);
    mixRun(dir, { baseline, ratio: 0.5, seed: 43 });
    assert.notDeepEqual(lines(join(dir, 'sft.mixed.openai.jsonl')).map(userText), texts);
  });

  it('takes every valid baseline record when the file has fewer than asked, and records the shortfall', () => {
    const dir = runFolder(4, ['gemini']);
    const mix = mixRun(dir, { baseline: readBaselineFile(baselineFile(3)), ratio: 2 });
    assert.deepEqual([mix.baselineWanted, mix.baseline, mix.baselineAvailable, mix.baselineShort, mix.total], [8, 3, 3, 5, 7]);
    assert.ok(Number.isInteger(mix.seed) && mix.seed >= 0, 'a random seed is recorded');
    assert.deepEqual(mix.files, ['sft.mixed.gemini.jsonl']);
    assert.equal(lines(join(dir, 'sft.mixed.gemini.jsonl')).length, 7);
  });

  it('refuses bad lines unless told to skip them, then counts them', () => {
    const dir = runFolder(2);
    const baseline = readBaselineFile(baselineFile(2, ['{"oops": 1}']));
    assert.throws(
      () => mixRun(dir, { baseline, ratio: 1 }),
      /has 1 bad line .*--skip-bad-lines.*\n.*baseline\.jsonl:3: neither an OpenAI/s,
    );
    assert.throws(() => readFileSync(join(dir, 'sft.mixed.openai.jsonl')), /ENOENT/);
    const mix = mixRun(dir, { baseline, ratio: 1, skipBadLines: true });
    assert.deepEqual([mix.baseline, mix.skippedLines], [2, 1]);
  });

  it('refuses a ratio that is no number of records, and a folder with no run', () => {
    const baseline = readBaselineFile(baselineFile(1));
    for (const ratio of [-1, Number.NaN, Infinity]) assert.throws(() => mixRun(runFolder(1), { baseline, ratio }), /mix ratio must be/);
    assert.throws(() => mixRun(tempDir(), { baseline, ratio: 1 }), /holds no run/);
  });
});

describe('trait-studio mix (built CLI)', () => {
  const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
  const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it('mixes a finished run folder, saying when the baseline is short, and exits 2 on bad lines with their numbers', async () => {
    const dir = runFolder(4);
    const ok = await cli(['mix', dir, '--mix', baselineFile(2), '--mix-ratio', '1', '--seed', '7', '--format', 'json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual([JSON.parse(ok.stdout).total, JSON.parse(ok.stdout).seed], [6, 7]);
    assert.match(ok.stderr, /mixed 4 synthetic \+ 2 baseline = 6 records \(ratio 1, seed 7\)/);
    assert.match(ok.stderr, /baseline short: ratio 1 asks for 4 baseline records, .* has 2 valid ones; .* 2 fewer than asked/);
    const bad = await cli(['mix', dir, '--mix', baselineFile(2, ['nope'])]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /has 1 bad line[\s\S]*baseline\.jsonl:3: not JSON/);
    const usage = await cli(['mix', dir, '--mix', baselineFile(1), '--mix-ratio', 'half']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--mix-ratio must be a number/);
  });
});
