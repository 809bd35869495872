// Writes never follow symbolic links, and nothing reads or writes a FIFO or a device as if it were a
// file: run-folder files that are links are refused on resume (nothing outside the folder
// changes), `audit filter --out` refuses a link or a device and ignores links planted at temporary
// names, and `lint` skips a FIFO, a link to /dev/zero and a document over the size limit with a
// message instead of hanging or filling memory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../server/src/cli/main';
import { writeTextAtomically } from '../../server/src/files/atomicWrite';
import { MAX_DOCUMENT_BYTES } from '../../server/src/files/limits';
import { NotRegularFileError } from '../../server/src/files/regularFile';
import { RunError } from '../../server/src/generation/run/errors';
import { runDataset } from '../../server/src/generation/run';
import { JsonlAppender, repairTornTail } from '../../server/src/generation/run/store';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import type { GenerateRequest, GenerateResult, ModelProvider } from '../../server/src/llm/provider';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-safe-'));
  roots.push(dir);
  return dir;
};
const mkfifo = (path: string) => assert.equal(spawnSync('mkfifo', [path]).status, 0, 'mkfifo failed');

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false });
  return { status, stdout, stderr };
}

/** Runs the built CLI in a child process, killed if it outlives `timeout` ms (a hang fails the test instead of the suite). */
function cliChild(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 20 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('writeTextAtomically never writes through a link', () => {
  it('refuses a target that is a symbolic link, leaving the link and its file as they were', () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(dir, 'out.txt'));
    assert.throws(
      () => writeTextAtomically(join(dir, 'out.txt'), 'new'),
      (e: unknown) => e instanceof NotRegularFileError && /symbolic link/.test((e as Error).message),
    );
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    assert.ok(lstatSync(join(dir, 'out.txt')).isSymbolicLink());
  });

  it('refuses a FIFO target without blocking on it', () => {
    const dir = tempDir();
    mkfifo(join(dir, 'pipe'));
    assert.throws(() => writeTextAtomically(join(dir, 'pipe'), 'x'), /FIFO/);
  });

  it('ignores links planted at the old predictable temporary name, and leaves no temporary file', () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const out = join(dir, 'out.txt');
    symlinkSync(victim, `${out}.tmp-${process.pid}`);
    writeTextAtomically(out, 'new');
    assert.equal(readFileSync(out, 'utf8'), 'new');
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    assert.deepEqual(readdirSync(dir).sort(), ['out.txt', `out.txt.tmp-${process.pid}`, 'victim.txt']);
  });
});

describe('run folder files', () => {
  it('JsonlAppender and repairTornTail refuse a file that is a link, and change nothing outside', () => {
    const dir = tempDir();
    const outside = join(dir, 'outside.jsonl');
    writeFileSync(outside, '{"a":1}\n{"torn"');
    symlinkSync(outside, join(dir, 'records.jsonl'));
    const appender = new JsonlAppender(join(dir, 'records.jsonl'));
    assert.throws(
      () => appender.append({ b: 2 }),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /symbolic link/.test(e.message),
    );
    appender.close();
    assert.throws(
      () => repairTornTail(join(dir, 'records.jsonl')),
      (e: unknown) => e instanceof RunError && /symbolic link/.test(e.message),
    );
    assert.equal(readFileSync(outside, 'utf8'), '{"a":1}\n{"torn"');
  });

  it('a resume refuses a run folder whose records.jsonl is a link out of it, and writes nothing', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    const provider = new ScriptedProvider();
    const options = {
      documentPath: '/docs/a.traits.md',
      documentText: '# Candour\n\nThe assistant says what it thinks, because trust depends on it.\n',
      outDir: run,
      perTrait: 1,
      formats: ['openai' as const],
      midtraining: 0,
      concurrency: 1,
      provider,
      providerId: 'scripted',
      templates: loadTemplates(TEMPLATE_STAGES),
    };
    const first = await runDataset(options);
    assert.equal(first.counts.accepted, 1);
    const outside = join(dir, 'outside.jsonl');
    writeFileSync(outside, '{"keep":"me"}\n{"torn');
    rmSync(join(run, 'records.jsonl'));
    symlinkSync(outside, join(run, 'records.jsonl'));
    const manifest = readFileSync(join(run, 'manifest.json'), 'utf8');
    await assert.rejects(
      runDataset({ ...options, perTrait: 1, retryFailed: true }),
      (e: unknown) =>
        e instanceof RunError && e.code === 'io' && e.message.includes(join(run, 'records.jsonl')) && /symbolic link/.test(e.message),
    );
    assert.equal(readFileSync(outside, 'utf8'), '{"keep":"me"}\n{"torn');
    assert.equal(readFileSync(join(run, 'manifest.json'), 'utf8'), manifest);
    assert.equal(existsSync(join(run, 'run.lock')), false);
  });
});

describe('audit filter --out', () => {
  const dataset = (dir: string) => {
    const path = join(dir, 'data.jsonl');
    const lines = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        id: `r${i}`,
        prompt: 'q',
        response: i % 2 ? 'Great question! Here is the answer.' : 'Plain answer here. Nothing else.',
      }),
    );
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };

  it('refuses an output that is a link (as /dev/stdout is) or a device, with a clear message', async () => {
    const dir = tempDir();
    const data = dataset(dir);
    const victim = join(dir, 'victim.jsonl');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(dir, 'out.jsonl'));
    const r = await cli('audit', 'filter', data, '--out', join(dir, 'out.jsonl'), '--drop', 'long-response');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /out\.jsonl is a symbolic link, not a regular file/);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    assert.ok(lstatSync(join(dir, 'out.jsonl')).isSymbolicLink());
    mkfifo(join(dir, 'pipe.jsonl'));
    const fifo = await cli('audit', 'filter', data, '--out', join(dir, 'pipe.jsonl'), '--drop', 'long-response');
    assert.equal(fifo.status, 2);
    assert.match(fifo.stderr, /FIFO/);
  });

  it('is not redirected by links planted at <out>.tmp-<pid>', async () => {
    const dir = tempDir();
    const data = dataset(dir);
    const victim = join(dir, 'victim.jsonl');
    writeFileSync(victim, 'keep me');
    const out = join(dir, 'out.jsonl');
    symlinkSync(victim, `${out}.tmp-${process.pid}`);
    symlinkSync(victim, `${join(dir, 'out.log.jsonl')}.tmp-${process.pid}`);
    const r = await cli('audit', 'filter', data, '--out', out, '--drop', 'long-response');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    assert.equal(readFileSync(out, 'utf8'), readFileSync(data, 'utf8'));
  });
});

describe('lint reads regular files only, up to the documented size', () => {
  it('skips a link to /dev/zero and a FIFO with a message, without hanging (built CLI)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.traits.md'), '# Kind\n\nThe assistant is kind, because it builds trust.\n');
    symlinkSync('/dev/zero', join(dir, 'zero.traits.md'));
    mkfifo(join(dir, 'pipe.traits.md'));
    for (const args of [
      ['lint', 'zero.traits.md', 'good.traits.md'],
      ['lint', 'pipe.traits.md', 'good.traits.md'],
      ['lint', '.'],
    ]) {
      const r = cliChild(args, dir);
      assert.equal(r.signal, null, `${args.join(' ')} did not finish`);
      assert.equal(r.status, r.stderr.includes('not a regular file') ? 2 : 0, r.stderr);
      assert.match(r.stderr, /1 file, 1 trait|2 files|1 file/);
    }
    const zero = cliChild(['lint', 'zero.traits.md'], dir);
    assert.match(zero.stderr, /zero\.traits\.md: not a regular file \(a character device\); skipped/);
    const pipe = cliChild(['outline', 'pipe.traits.md'], dir);
    assert.equal(pipe.status, 2);
    assert.match(pipe.stderr, /pipe\.traits\.md: not a regular file \(a FIFO/);
  });

  it(`refuses a document over ${MAX_DOCUMENT_BYTES} bytes, naming the limit`, async () => {
    const dir = tempDir();
    const big = join(dir, 'big.traits.md');
    writeFileSync(big, `# Big\n\n${'word '.repeat(Math.ceil(MAX_DOCUMENT_BYTES / 5))}\n`);
    const r = await cli('lint', big);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /big\.traits\.md: larger than 10 MiB, the limit for a trait document; skipped/);
  });
});

/** Answers every stage well at once, without a network (the run's files are what is under test). */
class ScriptedProvider implements ModelProvider {
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const schema = JSON.stringify(request.responseJsonSchema ?? {});
    const text = schema.includes('"ideas"')
      ? JSON.stringify({ ideas: [{ what: 'a flawed plan', how: 'names the flaw', why: 'trust' }] })
      : schema.includes('"realistic"')
        ? JSON.stringify({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' })
        : schema.includes('"sharpened"')
          ? JSON.stringify({ sharpened: false, reason: 'specific', message: 'Is my plan good?' })
          : schema.includes('"score"')
            ? JSON.stringify({ score: 8, verdict: 'keep', reasons: 'candid' })
            : schema.includes('"message"')
              ? JSON.stringify({ message: 'Is my plan good?' })
              : 'It has one flaw.';
    return { text, finishReason: 'STOP', usage: { inputTokens: 1, outputTokens: 1 } };
  }
  /** [1, i, 0, …] of the dimensions asked for (two when none are). */
  async embed(_model: string, texts: readonly string[], _signal?: AbortSignal, dimensions = 2): Promise<number[][]> {
    return texts.map((_, i) => Object.assign(new Array<number>(dimensions).fill(0), { 0: 1, 1: i }));
  }
}
