import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MIDTRAINING_TEMPLATE_STAGES, TEMPLATE_STAGES } from '../../server/src/llm/templates';

const ROOT = join(__dirname, '..', '..');

// The .vsix is built from .vscodeignore; a file the extension loads at run time but the ignore file
// leaves out works in tests (which run from the source tree) and breaks for every user.
test('the .vsix holds every file the extension loads at run time (needs npm run build)', () => {
  const listed = new Set(
    execFileSync(join(ROOT, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const needed = [
    manifest.main.replace(/^\.\//, ''),
    'dist/server.js',
    'dist/worker.js',
    'dist/cli.js',
    ...readdirSync(join(ROOT, 'dist', 'webview'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => `dist/webview/${f}`),
    ...readdirSync(join(ROOT, 'media'))
      .filter((f) => f.endsWith('.css'))
      .map((f) => `media/${f}`),
    ...[...TEMPLATE_STAGES, ...MIDTRAINING_TEMPLATE_STAGES].map((s) => `dist/prompts/${s}.md`),
    ...manifest.contributes.grammars.map((g: { path: string }) => g.path.replace(/^\.\//, '')),
  ];
  assert.ok(
    needed.some((f) => f.startsWith('dist/webview/')),
    'no webview bundle found: run npm run build',
  );
  assert.deepEqual(
    needed.filter((f) => !listed.has(f)),
    [],
  );
  assert.deepEqual(
    [...listed].filter((f) => f.endsWith('.map') || f.startsWith('test/') || f.startsWith('node_modules/')),
    [],
  );
});
