import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readManifest, runDataset, RunError, type RunOptions } from '../../server/src/generation/run';
import { lockRunFolder, processIdentity } from '../../server/src/generation/run/store';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { ASTER_DOCUMENT } from '../fake-gemini/runAnswers';
import { tempRoot } from '../fake-gemini/runSetup';

/**
 * Which folders a run takes and which it refuses, and its lock, in process with a provider that
 * refuses every call (the items fail; nothing here needs an answer).
 */
const { root, folder, remove } = tempRoot('trait-studio-run-folder-');
after(remove);
const refusing = {
  generate: () => Promise.reject(Object.assign(new Error('refused'), { status: 400 })),
  embed: () => Promise.reject(Object.assign(new Error('refused'), { status: 400 })),
};
const options = (outDir: string, more: Partial<RunOptions> = {}): RunOptions => ({
  documentPath: 'aster.md',
  documentText: ASTER_DOCUMENT,
  outDir,
  perTrait: 1,
  formats: ['openai', 'gemini'],
  midtraining: 0,
  concurrency: 2,
  provider: refusing,
  providerId: 'gemini',
  templates: loadTemplates(TEMPLATE_STAGES),
  ...more,
});

describe('the folders a run takes', () => {
  it('refuses a folder where any run file or the lock is a folder or a link, naming it, and writes nothing', async () => {
    for (const name of [
      'manifest.json',
      'records.jsonl',
      'rejected.jsonl',
      'midtraining.jsonl',
      'sft.openai.jsonl',
      'sft.gemini.jsonl',
      'run.lock',
    ]) {
      const dir = folder();
      mkdirSync(join(dir, name));
      await assert.rejects(
        runDataset(options(dir)),
        (e: unknown) =>
          e instanceof RunError &&
          e.code === 'io' &&
          e.message.startsWith(`${dir} cannot be used as a run folder: `) &&
          e.message.includes(name),
        name,
      );
      assert.deepEqual(readdirSync(dir), [name]);
    }
    const linked = folder();
    writeFileSync(join(root, 'elsewhere.jsonl'), '');
    symlinkSync(join(root, 'elsewhere.jsonl'), join(linked, 'records.jsonl'));
    await assert.rejects(runDataset(options(linked)), /cannot be used as a run folder: .*records\.jsonl/);
  });

  it('starts in a folder holding only what a session killed before its first manifest leaves', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 2 ** 22 + 11, host: hostname(), at: 'then' }));
    writeFileSync(join(dir, 'manifest.json.tmp-77'), '{"half');
    const manifest = await runDataset(options(dir));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual([manifest.counts.failed, manifest.counts.pending], [2, 0]);
    assert.deepEqual(readdirSync(dir).sort(), ['manifest.json', 'rejected.jsonl']);
    // Any other file: not a run folder.
    const stray = folder();
    writeFileSync(join(stray, 'run.lock.old'), '');
    await assert.rejects(
      runDataset(options(stray)),
      (e: unknown) =>
        e instanceof RunError &&
        e.code === 'mismatch' &&
        e.message === `${stray} is not empty and holds no run (no manifest.json); use a new or empty folder`,
    );
    // A file where the folder goes.
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    await assert.rejects(runDataset(options(file)), (e: unknown) => e instanceof RunError && e.code === 'io');
  });

  it('writes the failure into the manifest, with the SFT files of an empty run absent', async () => {
    const dir = folder();
    const manifest = await runDataset(options(dir));
    assert.equal(readManifest(dir)!.status, 'completed');
    assert.equal(manifest.counts.failed, 2);
    assert.equal(existsSync(join(dir, 'sft.openai.jsonl')), false);
    const lines = readFileSync(join(dir, 'rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(
      lines.every((l) => l.reason === 'error' && /^brainstorm: .*refused/.test(l.error)),
      JSON.stringify(lines),
    );
  });
});

describe('run.lock (more)', () => {
  it('refuses a second run into the same folder from this process, and frees the folder on release', () => {
    const dir = folder();
    const release = lockRunFolder(dir);
    assert.throws(
      () => lockRunFolder(join(dir, '.')),
      (e: unknown) => e instanceof RunError && e.code === 'busy' && /this process is already running into this folder/.test(e.message),
    );
    release();
    assert.equal(existsSync(join(dir, 'run.lock')), false);
    lockRunFolder(dir)();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('refuses a lock written on another host, naming it and how to clear it', () => {
    const dir = folder();
    const lock = join(dir, 'run.lock');
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 13, host: 'other-host', at: 'then' }));
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) =>
        e instanceof RunError &&
        e.code === 'busy' &&
        e.message === `${dir}: a run on other-host (process ${2 ** 22 + 13}) holds this folder; delete ${lock} if it is no longer running`,
    );
    assert.equal(JSON.parse(readFileSync(lock, 'utf8')).host, 'other-host');
  });

  it('takes a fresh lock with no numeric pid or no host for one being written', () => {
    const dir = folder();
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 'x', host: hostname() }));
    assert.throws(() => lockRunFolder(dir), /being written/);
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ host: hostname() }));
    assert.throws(() => lockRunFolder(dir), /being written/);
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 5 }));
    assert.throws(() => lockRunFolder(dir), /being written/);
  });

  it('clears a temporary lock an earlier process with this pid left, and leaves none of its own', () => {
    const dir = folder();
    writeFileSync(join(dir, `run.lock.tmp-${process.pid}`), 'left over');
    const release = lockRunFolder(dir);
    assert.deepEqual(readdirSync(dir), ['run.lock']);
    const lock = JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8'));
    assert.deepEqual([lock.pid, lock.host], [process.pid, hostname()]);
    assert.ok(!Number.isNaN(Date.parse(lock.at)));
    release();
  });

  it('refuses a lock that is a link, without following it', () => {
    const dir = folder();
    const target = join(root, 'target-lock');
    writeFileSync(target, JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), at: 'then' }));
    symlinkSync(target, join(dir, 'run.lock'));
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /^cannot lock its folder: .*run\.lock is a symbolic link/.test(e.message),
    );
    assert.equal(readFileSync(target, 'utf8'), JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), at: 'then' }));
  });

  it(
    "reads a process's start time and boot id, and nothing for a process that does not exist",
    { skip: process.platform !== 'linux' },
    () => {
      const mine = processIdentity(process.pid)!;
      assert.match(mine.start, /^\d+$/);
      assert.match(mine.boot, /^[0-9a-f-]{36}$/);
      assert.deepEqual(processIdentity(process.pid), mine);
      assert.equal(processIdentity(2 ** 22 + 19), undefined);
    },
  );
});
