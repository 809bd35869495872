// The system packages that set-up needs beyond npm: Debian's `chromium` (the browser the VS Code UI
// tests drive) and `libkrb5-dev` (gssapi.h, which code-server's native kerberos module compiles
// against). One check for `npm test` (its first step), `npm start` and code-server's install, so a
// fresh machine either gets them at once or stops at once with the one command to run — never
// minutes of node-gyp output first.
//
//   node scripts/systemPackages.mjs test | start | code-server
//
// As root with apt-get (CI, a fresh container) the missing packages are installed; otherwise it
// exits 1 with one line naming the command. Silent when nothing is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The browser the UI tests launch (test/ui/workbench.mjs reads the same variable). */
export const CHROMIUM = process.env.TRAIT_STUDIO_CHROMIUM || '/usr/bin/chromium';
/** Where Debian's libkrb5-dev puts the header code-server's kerberos module includes. */
export const GSSAPI_HEADERS = ['/usr/include/gssapi.h', '/usr/include/gssapi/gssapi.h'];

/**
 * Debian package name → what it provides and how to tell it is there, given a probe's `exists(path)`.
 * The keys are what apt-get installs.
 */
export const PACKAGES = {
  chromium: { provides: `Chromium (${CHROMIUM}) for the VS Code UI tests`, present: (exists) => exists(CHROMIUM) },
  'libkrb5-dev': {
    provides: "gssapi.h for code-server's kerberos module",
    present: (exists) => GSSAPI_HEADERS.some((path) => exists(path)),
  },
};

/** The probes the decision needs; tests pass their own. */
export const systemProbe = {
  exists: (path) => existsSync(path),
  isRoot: () => process.getuid?.() === 0,
  hasApt: () => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'apt-get'))),
};

/** The packages of `wanted` (PACKAGES keys) whose files `exists` does not find, in the order given. */
export function missingPackages(wanted, exists = systemProbe.exists) {
  return wanted.filter((name) => !PACKAGES[name].present(exists));
}

/** The command a user runs to install `packages` on Debian or Ubuntu. */
export function installCommand(packages, { sudo }) {
  return `${sudo ? 'sudo ' : ''}apt-get install -y ${packages.join(' ')}`;
}

/**
 * What to do about the missing packages: `{ action: 'none' }`; `{ action: 'install', packages }`
 * when this process may run apt-get itself (root, apt-get on PATH); else `{ action: 'stop', message }`
 * with one line that names the packages and the exact command to run.
 */
export function decide({ missing, isRoot, hasApt }) {
  if (!missing.length) return { action: 'none' };
  if (isRoot && hasApt) return { action: 'install', packages: missing };
  const what = missing.map((name) => PACKAGES[name].provides).join('; ');
  const message = hasApt
    ? `missing ${what}: run \`${installCommand(missing, { sudo: true })}\`, then this command again`
    : `missing ${what}: install them with your system's package manager (Debian and Ubuntu: \`${installCommand(missing, { sudo: !isRoot })}\`), then run this command again`;
  return { action: 'stop', message };
}

/** Set-up cannot go on: `message` is the one line to show. */
export class SystemPackagesError extends Error {
  name = 'SystemPackagesError';
}

/** Runs apt-get quietly; returns { status, lastLine } (its last line of stderr, for a failure). */
function aptGet(args) {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (result.stderr ?? '')
    .trim()
    .split('\n')
    .filter((l) => l && !/^W: /.test(l));
  return { status: result.error ? -1 : result.status, lastLine: result.error?.message ?? lines.at(-1) ?? '' };
}

/**
 * Makes sure the Debian packages `wanted` (PACKAGES keys) are installed: installs the missing ones
 * with apt-get when root (`apt-get update`, then `apt-get install -y`; a minute or two), or
 * throws SystemPackagesError with one line naming the command to run. `probe` and `runApt` are for
 * tests. Returns the packages it installed.
 */
export function ensureSystemPackages(wanted, { probe = systemProbe, runApt = aptGet, log = console.log } = {}) {
  const missing = missingPackages(wanted, probe.exists);
  const plan = decide({ missing, isRoot: probe.isRoot(), hasApt: probe.hasApt() });
  if (plan.action === 'none') return [];
  if (plan.action === 'stop') throw new SystemPackagesError(plan.message);
  log(`Installing Debian packages ${plan.packages.join(' ')} (apt-get, as root; a minute or two) ...`);
  const started = Date.now();
  // Wait for the dpkg lock rather than fail at once: on a fresh machine unattended upgrades, or
  // another apt-get, may hold it for a minute or two.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  for (const args of [
    [...lock, 'update', '-qq'],
    [...lock, 'install', '-y', '-qq', ...plan.packages],
  ]) {
    const { status, lastLine } = runApt(args);
    if (status !== 0) {
      throw new SystemPackagesError(
        `\`apt-get ${args.slice(lock.length).join(' ')}\` failed (exit ${status}${lastLine ? `: ${lastLine}` : ''}); ` +
          `install them by hand: \`${installCommand(plan.packages, { sudo: false })}\``,
      );
    }
  }
  const still = missingPackages(plan.packages, probe.exists);
  if (still.length) {
    throw new SystemPackagesError(
      `apt-get installed ${plan.packages.join(' ')} but ${still.map((n) => PACKAGES[n].provides).join('; ')} is still missing`,
    );
  }
  log(`Installed ${plan.packages.join(' ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return plan.packages;
}

/**
 * What each set-up step needs. code-server's install needs gssapi.h; the tests need Chromium and,
 * until code-server is installed, gssapi.h too; `npm start` needs what code-server's install needs.
 */
export function packagesFor(purpose, { codeServerInstalled }) {
  const codeServer = codeServerInstalled ? [] : ['libkrb5-dev'];
  switch (purpose) {
    case 'test':
      return ['chromium', ...codeServer];
    case 'start':
      return codeServer;
    case 'code-server':
      return ['libkrb5-dev'];
    default:
      throw new Error(`unknown purpose "${purpose}": use test, start or code-server`);
  }
}

/** `node scripts/systemPackages.mjs PURPOSE`: exit 0 when set, 1 with one line on stderr. */
async function cli(purpose) {
  try {
    // Loaded here, not at the top: codeServer.mjs imports this module for its own install.
    const { isInstalled } = await import('./vscode/codeServer.mjs');
    ensureSystemPackages(packagesFor(purpose, { codeServerInstalled: isInstalled() }));
  } catch (error) {
    console.error(`set-up: ${error.message}`);
    process.exitCode = 1;
  }
}

// No top-level await: the TypeScript tests load this file as CommonJS.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void cli(process.argv[2] ?? 'test');
