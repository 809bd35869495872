// Runs Trait Studio's tests in a real VS Code: code-server (VS Code's workbench and extension host,
// served to a browser) driven by Debian's Chromium through Playwright.
//
//   (a) the in-host mocha suite (test/vscode/suite/) through extensionTestsPath, like
//       @vscode/test-electron would, with the page's codeAutomationExit reporting the outcome;
//   (b) the UI tests (test/ui/*.test.mjs) clicking and typing in the workbench. A file exports
//       `tests` (its steps, run in order), and may export `codeServer` (options of a server of its
//       own) and `after(context)` (run once its steps are done or one failed).
//
// It builds nothing: run `npm run build` first (dist/client.js is the extension's entry). code-server
// must be installed (`npm run vscode:install`) and Chromium present (/usr/bin/chromium); anything
// missing fails the run. Ends with the line `N passed, N failed`; exits 1 when anything failed.
//
// Options: --host-only, --ui-only, --grep TEXT (in-host tests), --ui-file NAME (UI test files whose
// name starts so), --keep (keep the temp folder).
// Screenshots and logs go to test/output/ (git-ignored).
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { isInstalled, REPO, startCodeServer } from '../../scripts/vscode/codeServer.mjs';
import { launchBrowser, openWorkbench, OUTPUT, screenshot } from '../ui/workbench.mjs';

const argv = process.argv.slice(2);
const hostOnly = argv.includes('--host-only');
const uiOnly = argv.includes('--ui-only');
const keep = argv.includes('--keep') || !!process.env.TRAIT_STUDIO_KEEP_TMP;
const grepIndex = argv.indexOf('--grep');
const grep = grepIndex >= 0 ? argv[grepIndex + 1] : undefined;
const uiFileIndex = argv.indexOf('--ui-file');
const uiFile = uiFileIndex >= 0 ? argv[uiFileIndex + 1] : undefined;

const MODEL_SPEC = resolve(REPO, 'test', 'fixtures', 'corpus', 'openai-model-spec.md');
const HOST_TIMEOUT_MS = 120_000;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (message) => console.log(`[vscode-tests ${elapsed()}] ${message}`);

/** Every result of both runs: { suite, name, ok, error? }. */
const results = [];
const record = (suite, name, ok, error) => {
  results.push({ suite, name, ok, error });
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${suite}: ${name}${ok ? '' : `\n       ${String(error).split('\n').join('\n       ')}`}`);
};

/**
 * The files of the fixture workspace, by name: the repository file each is a copy of (the examples,
 * the Model Spec unchanged). The in-host tests get it too (TRAIT_STUDIO_FIXTURES), to check that no
 * test left a copy changed on disk.
 */
function fixtureSources() {
  const sources = {};
  for (const name of readdirSync(join(REPO, 'examples'))) {
    if (name.endsWith('.traits.md')) sources[name] = join(REPO, 'examples', name);
  }
  sources['openai-model-spec.md'] = MODEL_SPEC;
  return sources;
}

/** The fixture workspace: the fixture files, and the Model Spec's file association. */
function makeWorkspace(dir) {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  for (const [name, source] of Object.entries(fixtureSources())) copyFileSync(source, join(dir, name));
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    `${JSON.stringify({ 'files.associations': { 'openai-model-spec.md': 'traits' } }, null, 2)}\n`,
  );
  return dir;
}

/**
 * The fake Gemini server as CommonJS (test/fake-gemini/bundle.ts): this runner starts one for the
 * UI tests, and the in-host tests require the same file (TRAIT_STUDIO_FAKE_GEMINI) to start theirs.
 */
async function bundleFakeGemini(tmp) {
  const outfile = join(tmp, 'fake-gemini.cjs');
  await esbuild.build({
    entryPoints: [join(REPO, 'test', 'fake-gemini', 'bundle.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  return outfile;
}

function prerequisites() {
  const missing = [];
  if (!existsSync(join(REPO, 'dist', 'client.js'))) missing.push('dist/client.js (run `npm run build` first)');
  if (!existsSync(MODEL_SPEC)) missing.push(`${MODEL_SPEC} (the test fixtures)`);
  if (!isInstalled()) missing.push('code-server in .code-server/ (run `npm run vscode:install`)');
  return missing;
}

/** (a) The in-host mocha suite; resolves when VS Code reports the run's exit code. */
async function runHostSuite(browser, server, workspace, resultsDir) {
  let reportExit;
  const exited = new Promise((resolveExit) => {
    reportExit = resolveExit;
  });
  const url = server.url({
    folder: workspace,
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(REPO, 'test', 'vscode', 'suite', 'index.js'),
  });
  log('in-host tests: loading the workbench with extensionTestsPath');
  let page;
  let code;
  try {
    page = await openWorkbench(browser, url, {
      beforeGoto: (p) =>
        p.exposeFunction('codeAutomationExit', (exitCode) => {
          reportExit(exitCode);
        }),
      waitForWorkbench: false,
    });
    let timer;
    code = await Promise.race([
      exited,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the in-host run did not finish within ${HOST_TIMEOUT_MS / 1000} s`)), HOST_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    log(`in-host tests: VS Code reported exit code ${code}`);
  } catch (error) {
    if (page) await screenshot(page, 'vscode-host-failure').catch(() => {});
    record('vscode-host', 'the in-host run', false, error.message);
    return;
  } finally {
    if (page)
      await page
        .context()
        .close()
        .catch(() => {});
  }

  const mochaLog = join(resultsDir, 'mocha.txt');
  if (existsSync(mochaLog)) {
    copyFileSync(mochaLog, join(OUTPUT, 'vscode-host-mocha.txt'));
    console.log(readFileSync(mochaLog, 'utf8').replace(/^/gm, '    '));
  }
  const resultsFile = join(resultsDir, 'results.json');
  if (!existsSync(resultsFile)) {
    record(
      'vscode-host',
      'the in-host run',
      false,
      `exit code ${code} and no ${basename(resultsFile)}: the suite did not load (see test/output/code-server.log)`,
    );
    return;
  }
  const report = JSON.parse(readFileSync(resultsFile, 'utf8'));
  for (const test of report.tests) {
    if (test.state === 'pending') continue;
    results.push({ suite: 'vscode-host', name: test.title, ok: test.state === 'passed', error: test.error });
  }
  if (report.loadError) results.push({ suite: 'vscode-host', name: 'loading the suite', ok: false, error: report.loadError });
  if (code !== 0 && report.failed === 0) {
    results.push({ suite: 'vscode-host', name: 'the in-host run', ok: false, error: `VS Code reported exit code ${code}` });
  }
}

/** (b) The UI tests: each test/ui/*.test.mjs gets a fresh workbench page; its steps run in order. */
async function runUiTests(browser, sharedServer, workspace, fakeGemini, fakes, serverEnv) {
  const dir = join(REPO, 'test', 'ui');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs') && (!uiFile || f.startsWith(uiFile)))
    .sort();
  if (!files.length) record('ui', 'test/ui', false, 'no test/ui/*.test.mjs found');
  for (const file of files) {
    const suite = `ui/${file.replace(/\.test\.mjs$/, '')}`;
    // `after` (optional) puts back what the file changed in the shared workspace, whatever step failed.
    const { tests, codeServer: own, after } = await import(pathToFileURL(join(dir, file)).href);
    // A file that exports `codeServer` options (e.g. workspace trust on) gets a server of its own.
    let server = sharedServer;
    if (own) {
      try {
        // Its `env` adds to (or blanks) the shared one, e.g. no GEMINI_API_KEY for a keyless window.
        server = await startCodeServer({ ...own, env: { ...serverEnv, ...own.env }, keepTemp: keep, log });
      } catch (error) {
        record(suite, 'start its own code-server', false, error.message);
        continue;
      }
    }
    const url = server.url({ folder: workspace, extensionDevelopmentPath: REPO });
    log(`${suite}: loading the workbench`);
    let page;
    try {
      page = await openWorkbench(browser, url);
    } catch (error) {
      record(suite, 'open the workbench', false, error.message);
      continue;
    }
    // `fakes` is the bundled fake-server module, for a test that starts fakes of its own (a probe target).
    const context = { page, server, workspace, fakeGemini, fakes, screenshot: (name) => screenshot(page, name) };
    let failedStep;
    for (const test of tests) {
      if (failedStep) {
        record(suite, test.name, false, `not run: "${failedStep}" failed before it`);
        continue;
      }
      try {
        await test.run(context);
        record(suite, test.name, true);
      } catch (error) {
        failedStep = test.name;
        const shot = await screenshot(page, `${suite.replace('/', '-')}-failure`).catch(() => undefined);
        record(suite, test.name, false, `${error.message}${shot ? `\n(screenshot: ${shot})` : ''}`);
      }
    }
    if (after) {
      try {
        await after(context);
      } catch (error) {
        record(suite, 'after: put the workspace back', false, error.message);
      }
    }
    if (page.consoleErrors.length) {
      writeFileSync(join(OUTPUT, `${suite.replace('/', '-')}-console.txt`), `${page.consoleErrors.join('\n')}\n`);
    }
    await page
      .context()
      .close()
      .catch(() => {});
    if (server !== sharedServer) await server.stop();
  }
}

// Ctrl+C or a kill: exit, and the exit handlers stop code-server and remove the temp folders.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`);
    process.exit(130);
  });
}

/** Removes what an earlier run left in test/output/, so every file there is from this run. */
function clearOutput() {
  mkdirSync(OUTPUT, { recursive: true });
  for (const name of readdirSync(OUTPUT)) {
    if (/^(ui-.*\.png|ui-.*-console\.txt|vscode-host-.*|code-server\.log|code-server-logs)$/.test(name)) {
      rmSync(join(OUTPUT, name), { recursive: true, force: true });
    }
  }
}

async function main() {
  clearOutput();
  const missing = prerequisites();
  if (missing.length) {
    for (const what of missing) record('setup', 'prerequisites', false, `missing: ${what}`);
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'trait-studio-vscode-tests-'));
  const removeTmp = () => {
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  };
  process.on('exit', removeTmp);
  const resultsDir = join(tmp, 'host-results');
  let server;
  let browser;
  let fakeGemini;
  try {
    const hostWorkspace = makeWorkspace(join(tmp, 'workspace-host'));
    const uiWorkspace = makeWorkspace(join(tmp, 'workspace-ui'));
    const fakeBundle = await bundleFakeGemini(tmp);
    const fakeModule = createRequire(import.meta.url)(fakeBundle);
    fakeGemini = await fakeModule.startFakeGemini();
    fakeGemini.setResponder(fakeModule.probeResponder({}, fakeModule.reviewResponder(fakeModule.previewResponder(3))));
    const serverEnv = {
      TRAIT_STUDIO_TEST_RESULTS: resultsDir,
      TRAIT_STUDIO_FIXTURES: JSON.stringify(fixtureSources()),
      ...(grep ? { TRAIT_STUDIO_TEST_GREP: grep } : {}),
      // Every preview in these windows goes to the fake; the key is the environment fallback.
      TRAIT_STUDIO_FAKE_GEMINI: fakeBundle,
      GOOGLE_GEMINI_BASE_URL: fakeGemini.baseUrl,
      GEMINI_API_KEY: 'ui-test-key',
    };
    server = await startCodeServer({ env: serverEnv, keepTemp: keep, log });
    browser = await launchBrowser({ tmp });
    if (!uiOnly) await runHostSuite(browser, server, hostWorkspace, resultsDir);
    if (!hostOnly) await runUiTests(browser, server, uiWorkspace, fakeGemini, fakeModule, serverEnv);
  } catch (error) {
    record('setup', 'start code-server and Chromium', false, error.stack ?? error.message);
  } finally {
    await browser?.close().catch(() => {});
    await fakeGemini?.close().catch(() => {});
    if (server) {
      cpSync(server.logFile, join(OUTPUT, 'code-server.log'));
      const logs = join(server.userDataDir, 'logs');
      if (existsSync(logs)) {
        rmSync(join(OUTPUT, 'code-server-logs'), { recursive: true, force: true });
        cpSync(logs, join(OUTPUT, 'code-server-logs'), { recursive: true });
      }
      await server.stop();
    }
    if (keep) log(`kept ${tmp}`);
    removeTmp();
    process.off('exit', removeTmp);
  }
}

await main();
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log('');
for (const r of results.filter((x) => !x.ok)) {
  console.log(`FAILED ${r.suite}: ${r.name}\n  ${String(r.error).split('\n').join('\n  ')}`);
}
log(`done; screenshots and logs in ${OUTPUT}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
