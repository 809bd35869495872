// Mutation testing (StrykerJS): `npm run mutate` (scripts/mutate.mjs) runs it one folder at a time.
// Not part of `npm test`: it runs the covering tests once per mutant, far too slow for CI.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The tap runner runs each test file as `node -r <stryker hook> --import tsx <file>` and reads the
  // node:test TAP; a test file is one "test" to Stryker, so a mutant runs only the files that reached it.
  testRunner: 'tap',
  tap: {
    // packaging, setup and start test the .vsix and the repository's scripts (git-ignored scratch
    // copy, system packages), which reach none of the core and fail in the sandbox (no git repository).
    // test/lsp runs the server bundle in a child process, which reports no coverage, so it decides no
    // mutant; its time-budget test also fails against the slower instrumented bundle.
    testFiles: ['test/unit/!(packaging|setup|start).test.ts'],
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  // Mutants that do not type-check are dropped before any test runs.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // The CLI tests run the bundles in dist/: build them in the sandbox (from the instrumented
  // source; those child processes report no coverage, so they decide no mutant but must pass).
  buildCommand: 'node esbuild.mjs',
  // 2 cores shared by several engineers: one test process (and one checker) at a time.
  // On a machine of your own: npm run mutate -- --concurrency 2
  concurrency: 1,
  timeoutMS: 20_000,
  // The first run of every test file, with coverage, takes minutes on a busy two-core machine.
  dryRunTimeoutMinutes: 30,
  ignorePatterns: ['dist', 'reports', '.code-server', 'runs', 'scratch', 'test/output', '*.vsix'],
  incremental: true,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: 'always',
};
