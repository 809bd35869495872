// One build for every entry point (and the webviews' page scripts, built for the browser). Each bundle is self-contained CommonJS for Node 20 (the CLI) and
// VS Code's extension host. `--watch` rebuilds on change; `--production` minifies; `--bench` adds
// the benchmarks.
import * as esbuild from 'esbuild';
import { cpSync, readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const bench = process.argv.includes('--bench');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** Entry points: bundle name → source. Benchmarks are built only with --bench. */
const entries = {
  client: 'client/src/extension.ts',
  server: 'server/src/lsp/main.ts',
  // The language server's analysis workers (one per document), started by dist/server.js and dist/cli.js.
  worker: 'server/src/lsp/worker.ts',
  cli: 'server/src/cli/index.ts',
  ...(bench
    ? {
        'bench/lint': 'bench/lint.ts',
        'bench/lsp': 'bench/lsp.ts',
        'bench/generate': 'bench/generate.ts',
        'bench/batch': 'bench/batch.ts',
        'bench/audit': 'bench/audit.ts',
        'bench/scaling': 'bench/scaling.ts',
        'bench/dedup': 'bench/dedup.ts',
      }
    : {}),
};

const options = {
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // markdownlint is the benchmark's peer, loaded from node_modules as published.
  external: ['vscode', 'markdownlint', 'markdownlint/*'],
  // ESM-only dependencies (fdir, via tinyglobby) read import.meta.url, which CommonJS lacks.
  define: { TRAIT_STUDIO_VERSION: JSON.stringify(version), 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

/** The webviews' page scripts: browser bundles, loaded by the webview under its CSP. */
const webviewOptions = {
  entryPoints: {
    preview: 'client/webview/preview.ts',
    run: 'client/webview/run.ts',
    audit: 'client/webview/audit.ts',
    tradeoffs: 'client/webview/tradeoffs.ts',
    probe: 'client/webview/probe.ts',
  },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  sourcemap: production ? false : 'inline',
  minify: production,
  logLevel: 'warning',
};

// The prompt templates ship beside the bundles (dist/prompts), where llm/templates.ts looks.
cpSync('server/src/llm/prompts', 'dist/prompts', { recursive: true });

if (watch) {
  for (const o of [options, webviewOptions]) await (await esbuild.context(o)).watch();
} else {
  await Promise.all([esbuild.build(options), esbuild.build(webviewOptions)]);
}
