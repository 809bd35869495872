// Entry point for the tests that run inside VS Code's extension host (extensionTestsPath).
// test/vscode/run.mjs loads this through code-server; VS Code calls run() and reports its outcome to
// the page's codeAutomationExit. Inside the host console.log goes nowhere, so mocha's reporter writes
// to a file in TRAIT_STUDIO_TEST_RESULTS, and results.json carries the counts for run.mjs.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');

async function run() {
  // mocha 12 is ESM-only.
  const { default: Mocha } = await import('mocha');
  const outDir = process.env.TRAIT_STUDIO_TEST_RESULTS || path.resolve(__dirname, '..', '..', 'output', 'vscode-host');
  fs.mkdirSync(outDir, { recursive: true });
  const logFile = path.join(outDir, 'mocha.txt');
  const resultsFile = path.join(outDir, 'results.json');
  fs.writeFileSync(logFile, '');
  fs.rmSync(resultsFile, { force: true });
  // Plain text: mocha's symbols come coloured when CI=true makes supports-color say yes.
  const write = (...args) => fs.appendFileSync(logFile, `${util.stripVTControlCharacters(util.format(...args))}\n`);

  Mocha.reporters.Base.consoleLog = write;
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    ...(process.env.TRAIT_STUDIO_TEST_GREP ? { grep: process.env.TRAIT_STUDIO_TEST_GREP } : {}),
  });
  Mocha.reporters.Base.useColors = false;
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  const tests = [];
  const result = await new Promise((resolve) => {
    let runner;
    try {
      runner = mocha.run((failures) => resolve({ failures, stats: runner.stats }));
    } catch (error) {
      // A test file that does not load: report it as one failure.
      write('could not load the tests: %s', (error && error.stack) || error);
      resolve({ failures: 1, stats: { passes: 0, failures: 1, pending: 0 }, loadError: String(error) });
      return;
    }
    runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', ms: test.duration }));
    runner.on('fail', (test, error) =>
      tests.push({
        title: test.fullTitle(),
        state: 'failed',
        error: String((error && error.stack) || error),
      }),
    );
    runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending' }));
  });
  const passed = result.stats.passes || 0;
  const failed = result.failures || 0;
  fs.writeFileSync(
    resultsFile,
    `${JSON.stringify(
      {
        passed,
        failed,
        pending: result.stats.pending || 0,
        files,
        tests,
        loadError: result.loadError,
      },
      null,
      2,
    )}\n`,
  );
  if (failed > 0 || passed === 0) {
    throw new Error(passed === 0 && failed === 0 ? 'no test ran' : `${failed} test(s) failed`);
  }
}

module.exports = { run };
