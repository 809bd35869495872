// run.lock: a lock left by a dead run is taken over; one whose process id now belongs to another
// process (the id was reused) is recognised by the process's start time and taken over too; when
// that cannot be told, the refusal says exactly how to clear the lock.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RunError } from '../../server/src/generation/run/errors';
import { lockRunFolder, processIdentity } from '../../server/src/generation/run/store';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-lock-'));
  dirs.push(dir);
  return dir;
};

const linux = process.platform === 'linux';

describe('run.lock', () => {
  it('records the process start time (and boot) beside the pid, on Linux', { skip: !linux }, () => {
    const dir = tempDir();
    const release = lockRunFolder(dir);
    const lock = JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8'));
    assert.equal(lock.pid, process.pid);
    assert.deepEqual({ start: lock.start, boot: lock.boot }, processIdentity(process.pid));
    assert.match(lock.start, /^\d+$/);
    release();
  });

  it('takes over a lock whose pid now belongs to another process (reused id)', { skip: !linux }, () => {
    const dir = tempDir();
    // PID 1 is alive, but it did not start when this lock says its writer started.
    const pid1 = processIdentity(1)!;
    writeFileSync(
      join(dir, 'run.lock'),
      JSON.stringify({ pid: 1, host: hostname(), at: 'then', start: String(Number(pid1.start) + 12345), boot: pid1.boot }),
    );
    const release = lockRunFolder(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8')).pid, process.pid);
    release();
    assert.equal(existsSync(join(dir, 'run.lock')), false);
  });

  it('still refuses a lock whose process is the one that wrote it', { skip: !linux }, () => {
    const dir = tempDir();
    const pid1 = processIdentity(1)!;
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 1, host: hostname(), at: 'then', ...pid1 }));
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) => e instanceof RunError && e.code === 'busy' && /process 1/.test(e.message),
    );
  });

  it('says how to clear a lock it cannot check (no start time in it)', () => {
    const dir = tempDir();
    const lock = join(dir, 'run.lock');
    writeFileSync(lock, JSON.stringify({ pid: 1, host: hostname(), at: '2026-01-01T00:00:00.000Z' }));
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) => e instanceof RunError && e.code === 'busy' && e.message.includes(`delete ${lock}`) && /reused/.test(e.message),
    );
    assert.ok(existsSync(lock), 'the lock was removed');
  });

  it('records the start time in clock ticks after boot (field 22 of /proc/PID/stat), not another field', { skip: !linux }, () => {
    // USER_HZ is 100 on Linux: the start, in seconds after boot, is the machine's uptime less the process's.
    const started = Number(processIdentity(process.pid)!.start) / 100;
    assert.ok(Math.abs(started - (uptime() - process.uptime())) < 60, `${started} s after boot`);
  });

  it('takes over a lock written before a reboot (another boot id), even with the same pid and start time', { skip: !linux }, () => {
    const dir = tempDir();
    const pid1 = processIdentity(1)!;
    const otherBoot = pid1.boot.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 1, host: hostname(), at: 'then', start: pid1.start, boot: otherBoot }));
    const release = lockRunFolder(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8')).pid, process.pid);
    release();
  });

  it('says only to wait or stop a live writer it has checked, and when an unchecked lock was written', { skip: !linux }, () => {
    const dir = tempDir();
    const lock = join(dir, 'run.lock');
    writeFileSync(lock, JSON.stringify({ pid: 1, host: hostname(), at: 'then', ...processIdentity(1)! }));
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) =>
        e instanceof RunError && e.message === `${dir}: another run is writing to this folder (process 1); wait for it or stop it`,
    );
    // No start time and no date: the hint says since when the id may have been reused as best it can.
    writeFileSync(lock, JSON.stringify({ pid: 1, host: hostname() }));
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) => e instanceof RunError && e.message.includes('(its id may have been reused since the lock was written)'),
    );
  });

  it('cannot lock a folder that does not exist, saying so', () => {
    const dir = join(tempDir(), 'absent');
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) => e instanceof RunError && e.code === 'io' && e.message.startsWith(`cannot lock ${dir}: ENOENT`),
    );
  });

  it('releases a folder whose lock someone already deleted, without an error', () => {
    const dir = tempDir();
    const release = lockRunFolder(dir);
    rmSync(join(dir, 'run.lock'));
    release();
    assert.equal(existsSync(join(dir, 'run.lock')), false);
    lockRunFolder(dir)();
  });

  it('gives up with an io error, not a hang, when a stale lock cannot be moved aside', () => {
    const dir = tempDir();
    const lock = join(dir, 'run.lock');
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 13, host: hostname(), at: 'then' }));
    // A folder where the stale lock would be moved: the rename fails every time.
    mkdirSync(join(dir, `run.lock.stale.tmp-${process.pid}`, 'x'), { recursive: true });
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) => e instanceof RunError && e.code === 'io' && e.message.startsWith(`cannot lock ${dir}: EEXIST`),
    );
    assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, 2 ** 22 + 13, 'the stale lock was changed');
  });
});
