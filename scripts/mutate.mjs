// `npm run mutate [-- FOLDER... [--only GLOB]... [--concurrency N] [--force]]`: mutation testing
// (stryker.config.mjs) of the core's folders, one folder at a time, each with its own incremental file
// in .stryker/incremental/ (committed: a rerun in a fresh clone tests only the mutants whose code or
// covering tests changed since). Prints each folder's mutation score and writes the reports to
// reports/mutation/FOLDER.{json,html}. Exits 1 when a folder scores under 80 %.
// `--only GLOB` (one folder; repeatable) mutates only that folder's files matching GLOB, e.g.
// `npm run mutate -- rules --only 'server/src/rules/config.ts'`: a slow folder measured in parts, each
// part kept in the folder's incremental file (Stryker keeps the results of files outside `mutate`),
// so the score printed after the last part is the folder's.
// `--tests NAME` (one folder; repeatable) runs only test/unit/NAME.test.ts of the folder's test files:
// a quicker measure of one file (a mutant only the other files kill counts as survived, so the
// score is a lower bound), e.g. `-- rules --only 'server/src/rules/vagueTrait.ts' --tests ruleEdges`.
import { Stryker } from '@stryker-mutator/core';
import { parseArgs } from 'node:util';
import config from '../stryker.config.mjs';

const unit = (...names) => names.map((n) => `test/unit/${n}.test.ts`);
// The lint's own tests (ruleDocs: the generated pages and settings hold each rule's id, description
// and options, so it kills mutants of a rule's metadata). Left out: the property-based robustness and incrementalParse suites (a
// minute per mutant between them) and the CLI-process tests, whose bundles report no coverage.
const LINT_TESTS = unit(
  'analysis',
  'analysisUnits',
  'cues',
  'coverage',
  'config',
  'rules',
  'ruleEdges',
  'ruleDocs',
  'surfaceFormPrescription',
  'documentAnalysis',
  'documentShapes',
  'lspFeatures',
  'linearRules',
  'cli',
  // The review's findings in the lint (unweighed-tension, review-failed), held until a trait is edited.
  'reviewDiagnostics',
);

/**
 * The folders under mutation testing: name → files to mutate and the test files that may kill their
 * mutants (each runs once per covered mutant, so a folder gets its own tests, not the whole suite; a
 * mutant only a test left out would kill counts as survived: the score is a lower bound).
 */
const FOLDERS = {
  // Every unit test file that imports the run: its parts in process, the synchronous and batch-mode runs
  // (resumed after a kill too), answer checks in a run, mix over a run folder, the dedup index.
  run: {
    mutate: ['server/src/generation/run/**/*.ts'],
    tests: unit(
      'runParts',
      // The estimate's tokens per stage, a manifest lacking parts, the shared limiters, RunError (from survivors).
      'runPartsMore',
      'runFolder',
      'runReads',
      'dedup',
      'dedupIndex',
      'dedupIndexScale',
      'runLimits',
      'runLock',
      'models',
      'mix',
      'safeWrites',
      'run',
      'runSession',
      'runSessionMore',
      // A session after a fault: an older manifest, embeddings failing once, midtraining.jsonl unwritable, a stop in midtraining.
      'runSessionEdges',
      'runBatchResume',
      'runWaves',
      'batchRun',
      'answerChecks',
    ),
  },
  audit: {
    mutate: ['server/src/audit/**/*.ts'],
    tests: unit(
      'audit',
      'auditDetectorForms',
      'auditResponseText',
      'auditPhrases',
      'auditFiles',
      'auditFilter',
      'auditModel',
      'auditModelPatterns',
      // The streaming audit in process; its bounded-memory case (auditBoundedMemory) is left out: it runs
      // dist/cli.js in a subprocess, which cannot activate a mutant, and ran past the timeout under Stryker.
      'auditStreaming',
      'auditCli',
      'models',
      // The model pass's request shapes (the cached prompt prefix, the structured-output schemas).
      'promptPrefix',
      'structured',
      // What the report says and the filter's and auditor's edges, written from surviving mutants.
      'auditReportText',
      'auditEdges',
      'auditReadEdges',
      'auditTextEdges',
      // What the model pass shows a model (transcripts cut and escaped, feature lines, request shapes).
      'auditMutants2',
      // Records that could be misread: lines over a read chunk, the prompt paired with an answer, the trait field.
      'auditReadMutants',
    ),
  },
  policy: { mutate: ['server/src/llm/requestPolicy.ts'], tests: unit('requestPolicy', 'gemini', 'openai', 'flex', 'redaction') },
  rules: { mutate: ['server/src/rules/**/*.ts'], tests: LINT_TESTS },
  // wordCount: the property test of words.ts's script check; review: its tensions read priorities and sentences;
  // analysisMutants: the words, language, priorities and memo edges, written from surviving mutants;
  // analysisLimits: typo suggestions and near-duplicates where their work limits bite; prioritiesEdges:
  // the priorities' preamble, list items, order wordings and linking words; sentenceCues: a sentence's
  // cached cue answers equal the functions' own; distinctWords: words.ts's word counts against a regex oracle;
  // phrases: PhraseMatcher and wordRuns at the edges of what a letter or digit is; closest: typo suggestions
  // and the banded edit distance on names longer than the property tests'; alternation: the cue lists'
  // first-letter grouping against the plain alternation.
  analysis: {
    mutate: ['server/src/analysis/**/*.ts'],
    tests: [
      ...LINT_TESTS,
      ...unit(
        'wordCount',
        'review',
        'analysisMutants',
        'analysisLimits',
        'prioritiesEdges',
        'sentenceCues',
        'distinctWords',
        'phrases',
        'closest',
        'alternation',
      ),
    ],
  },
};
const TARGET = 80;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: 'string' },
    force: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    tests: { type: 'string', multiple: true },
  },
});
const unknown = positionals.filter((name) => !(name in FOLDERS));
if (unknown.length) {
  console.error(`mutate: unknown folder ${unknown.join(', ')}; the folders are ${Object.keys(FOLDERS).join(', ')}`);
  process.exit(2);
}
const only = values.only ?? [];
const tests = unit(...(values.tests ?? []));
if ((only.length || tests.length) && positionals.length !== 1) {
  console.error('mutate: --only and --tests narrow one folder; name exactly one');
  process.exit(2);
}
const foreign = tests.filter((t) => !FOLDERS[positionals[0]].tests.includes(t));
if (foreign.length) {
  console.error(`mutate: --tests ${foreign.join(', ')} is not one of ${positionals[0]}'s test files`);
  process.exit(2);
}
const outside = only.filter((glob) => !FOLDERS[positionals[0]].mutate.some((f) => glob.startsWith(f.replace(/\*\*\/\*\.ts$/, ''))));
if (outside.length) {
  console.error(`mutate: --only ${outside.join(', ')} is outside ${FOLDERS[positionals[0]].mutate.join(', ')}`);
  process.exit(2);
}

const rows = [];
for (const name of positionals.length ? positionals : Object.keys(FOLDERS)) {
  const started = Date.now();
  const results = await new Stryker({
    configFile: 'stryker.config.mjs',
    mutate: only.length ? only : FOLDERS[name].mutate,
    tap: { ...config.tap, testFiles: tests.length ? tests : FOLDERS[name].tests },
    incrementalFile: `.stryker/incremental/${name}.json`,
    force: values.force,
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
  }).runMutationTest();
  rows.push({ name, minutes: (Date.now() - started) / 60_000, ...score(results) });
}

console.log('\nfolder     killed  survived  no cover  timeout  invalid   score   minutes');
for (const r of rows) {
  const cells = [r.killed, r.survived, r.noCoverage, r.timeout, r.invalid].map((n) => String(n).padStart(8));
  console.log(`${r.name.padEnd(9)}${cells.join('  ')}  ${r.score.toFixed(1).padStart(6)} %  ${r.minutes.toFixed(1).padStart(7)}`);
}
const low = rows.filter((r) => r.score < TARGET);
if (low.length) {
  console.log(`under ${TARGET} %: ${low.map((r) => r.name).join(', ')}`);
  process.exitCode = 1;
}

/**
 * Stryker's mutation score: killed and timed-out mutants over all that compile and ran or should
 * have (survived and uncovered ones included); compile and runtime errors and ignored ones do not count.
 */
function score(results) {
  const count = (...statuses) => results.filter((m) => statuses.includes(m.status)).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const invalid = count('CompileError', 'RuntimeError', 'Ignored');
  const valid = killed + timeout + survived + noCoverage;
  return { killed, timeout, survived, noCoverage, invalid, score: valid ? (100 * (killed + timeout)) / valid : 100 };
}
