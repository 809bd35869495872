// The set-up a fresh machine goes through: the system-packages step (decision logic with injected
// probes — nothing here installs or removes a package), code-server's install stopping before npm
// when gssapi.h is missing, and the npm scripts and CI entry that use them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CHROMIUM,
  decide,
  ensureSystemPackages,
  missingPackages,
  packagesFor,
  SystemPackagesError,
  type PackageName,
  type Probe,
} from '../../scripts/systemPackages.mjs';
import { installCodeServer } from '../../scripts/vscode/codeServer.mjs';

const ROOT = join(__dirname, '..', '..');
const BOTH: PackageName[] = ['chromium', 'libkrb5-dev'];

/** A machine with these files, this user and maybe apt-get; apt-get "installs" by adding files. */
function machine({ files = [] as string[], root = true, apt = true } = {}) {
  const present = new Set(files);
  const aptCalls: string[][] = [];
  const probe: Probe = { exists: (path) => present.has(path), isRoot: () => root, hasApt: () => apt };
  const runApt = (args: string[]) => {
    aptCalls.push(args);
    if (args.includes('install')) {
      if (args.includes('chromium')) present.add(CHROMIUM);
      if (args.includes('libkrb5-dev')) present.add('/usr/include/gssapi/gssapi.h');
    }
    return { status: 0, lastLine: '' };
  };
  return { probe, runApt, aptCalls, present };
}

describe('system packages: what is missing', () => {
  it("finds Chromium at its path and gssapi.h at either of Debian's two places", () => {
    assert.deepEqual(
      missingPackages(BOTH, () => false),
      BOTH,
    );
    assert.deepEqual(
      missingPackages(BOTH, (p) => p === CHROMIUM),
      ['libkrb5-dev'],
    );
    assert.deepEqual(
      missingPackages(BOTH, (p) => p === '/usr/include/gssapi.h'),
      ['chromium'],
    );
    assert.deepEqual(
      missingPackages(BOTH, (p) => p === '/usr/include/gssapi/gssapi.h' || p === CHROMIUM),
      [],
    );
  });

  it('asks for Chromium for the tests, and gssapi.h only while code-server is not installed', () => {
    assert.deepEqual(packagesFor('test', { codeServerInstalled: false }), BOTH);
    assert.deepEqual(packagesFor('test', { codeServerInstalled: true }), ['chromium']);
    assert.deepEqual(packagesFor('start', { codeServerInstalled: false }), ['libkrb5-dev']);
    assert.deepEqual(packagesFor('start', { codeServerInstalled: true }), []);
    assert.deepEqual(packagesFor('code-server', { codeServerInstalled: true }), ['libkrb5-dev']);
  });
});

describe('system packages: install, or stop with one line', () => {
  it('does nothing when nothing is missing', () => {
    assert.deepEqual(decide({ missing: [], isRoot: false, hasApt: false }), { action: 'none' });
  });

  it('installs with apt-get as root', () => {
    assert.deepEqual(decide({ missing: BOTH, isRoot: true, hasApt: true }), { action: 'install', packages: BOTH });
  });

  it('names the sudo command, on one line, when not root', () => {
    const plan = decide({ missing: BOTH, isRoot: false, hasApt: true });
    assert.equal(plan.action, 'stop');
    if (plan.action !== 'stop') return;
    assert.match(plan.message, /`sudo apt-get install -y chromium libkrb5-dev`/);
    assert.match(plan.message, /Chromium .*; gssapi\.h/);
    assert.doesNotMatch(plan.message, /\n/);
  });

  it("names the Debian command and asks for the system's package manager where there is no apt-get", () => {
    for (const isRoot of [true, false]) {
      const plan = decide({ missing: ['libkrb5-dev'], isRoot, hasApt: false });
      assert.equal(plan.action, 'stop');
      if (plan.action !== 'stop') return;
      assert.match(plan.message, /package manager/);
      assert.match(
        plan.message,
        isRoot ? /\(Debian and Ubuntu: `apt-get install -y libkrb5-dev`\)/ : /`sudo apt-get install -y libkrb5-dev`/,
      );
      assert.doesNotMatch(plan.message, /chromium/i);
      assert.doesNotMatch(plan.message, /\n/);
    }
  });

  it('runs apt-get update, then install of just the missing packages, and checks the files are there', () => {
    const m = machine({ files: [CHROMIUM] });
    const logged: string[] = [];
    assert.deepEqual(ensureSystemPackages(BOTH, { probe: m.probe, runApt: m.runApt, log: (l) => logged.push(l) }), ['libkrb5-dev']);
    const lock = ['-o', 'DPkg::Lock::Timeout=300'];
    assert.deepEqual(m.aptCalls, [
      [...lock, 'update', '-qq'],
      [...lock, 'install', '-y', '-qq', 'libkrb5-dev'],
    ]);
    assert.match(logged.join('\n'), /Installing Debian packages libkrb5-dev/);
  });

  it('runs nothing when the packages are there', () => {
    const m = machine({ files: [CHROMIUM, '/usr/include/gssapi.h'] });
    assert.deepEqual(ensureSystemPackages(BOTH, { probe: m.probe, runApt: m.runApt, log: () => {} }), []);
    assert.deepEqual(m.aptCalls, []);
  });

  it('stops before apt-get when it may not run it', () => {
    for (const state of [
      { root: false, apt: true },
      { root: true, apt: false },
    ]) {
      const m = machine(state);
      assert.throws(() => ensureSystemPackages(BOTH, { probe: m.probe, runApt: m.runApt, log: () => {} }), SystemPackagesError);
      assert.deepEqual(m.aptCalls, []);
    }
  });

  it('reports a failed apt-get in one line with the command to run by hand', () => {
    const m = machine();
    const failing = (args: string[]) =>
      args.includes('update') ? { status: 100, lastLine: 'E: Could not get lock /var/lib/apt/lists/lock' } : m.runApt(args);
    assert.throws(
      () => ensureSystemPackages(['chromium'], { probe: m.probe, runApt: failing, log: () => {} }),
      (error: Error) => {
        assert.ok(error instanceof SystemPackagesError);
        assert.match(
          error.message,
          /^`apt-get update -qq` failed \(exit 100: E: Could not get lock .*\); install them by hand: `apt-get install -y chromium`$/,
        );
        return true;
      },
    );
  });

  it('says so when apt-get succeeded but the file is still missing', () => {
    const m = machine();
    const noop = (args: string[]) => (m.aptCalls.push(args), { status: 0, lastLine: '' });
    assert.throws(
      () => ensureSystemPackages(['libkrb5-dev'], { probe: m.probe, runApt: noop, log: () => {} }),
      /apt-get installed libkrb5-dev but gssapi\.h .* is still missing/,
    );
  });
});

describe("code-server's install", () => {
  it('stops with one line before npm runs when gssapi.h is missing and it cannot install it', () => {
    const m = machine({ root: false });
    const npmCalls: string[][] = [];
    assert.throws(
      () =>
        installCodeServer({
          force: true,
          log: () => {},
          systemPackages: { probe: m.probe, runApt: m.runApt },
          npm: (args) => (npmCalls.push(args), 0),
        }),
      (error: Error) =>
        error instanceof SystemPackagesError && /^missing gssapi\.h .*`sudo apt-get install -y libkrb5-dev`/.test(error.message),
    );
    assert.deepEqual(npmCalls, []);
    assert.deepEqual(m.aptCalls, []);
  });

  it('installs libkrb5-dev as root before npm runs', () => {
    const m = machine();
    const order: string[] = [];
    const runApt = (args: string[]) => (order.push(`apt-get ${args.find((a) => a === 'update' || a === 'install')}`), m.runApt(args));
    // npm "fails", so the install throws after it; what matters is the order.
    assert.throws(
      () =>
        installCodeServer({
          force: true,
          log: () => {},
          systemPackages: { probe: m.probe, runApt },
          npm: (args) => (order.push(`npm ${args[0]}`), 1),
        }),
      /installing code-server failed \(npm exit 1\)/,
    );
    assert.deepEqual(order, ['apt-get update', 'apt-get install', 'npm ci']);
  });
});

describe("the README's set-up commands", () => {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;

  it('npm test checks the system packages first, before the type-check', () => {
    assert.match(scripts.test, /^node scripts\/systemPackages\.mjs test && npm run typecheck && /);
    assert.match(scripts['test:vscode'], /^node scripts\/systemPackages\.mjs test && node scripts\/vscode\/codeServer\.mjs install && /);
  });

  it('npm ci builds dist/ (prepare), so npx trait-studio works at once', () => {
    assert.equal(scripts.prepare, 'node esbuild.mjs');
  });

  it(".ci/run runs the README's test command and leaves the packages to it", () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    assert.match(ci, /^npm ci && npm test$/m);
    // No second copy of the package logic: no command line of .ci/run runs apt-get.
    assert.doesNotMatch(ci, /^[^#\n]*apt-get/m);
  });

  it('the check itself is quiet and exits 0 on a machine that has both packages', () => {
    // This machine has them: CI's own first step (npm test) installed them if they were missing.
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'systemPackages.mjs'), 'test'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout + r.stderr, '');
  });

  it('the check names an unknown purpose in one line and exits 1', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'systemPackages.mjs'), 'deploy'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'set-up: unknown purpose "deploy": use test, start or code-server\n');
  });
});
