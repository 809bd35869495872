// `npm start`'s workspace and settings: it opens a git-ignored scratch copy of examples/ (so runs,
// caches and edits never land in the tracked examples/) and turns off Git's parent-folder prompt.
// test/ui/start.test.mjs starts it for real and looks at the workbench.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { START_SETTINGS, startPlan } from '../../scripts/startWorkspace.mjs';

const ROOT = join(__dirname, '..', '..');
const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A repository folder with examples/ holding these files. */
function repoWith(examples: Record<string, string>): string {
  const repo = mkdtempSync(join(tmpdir(), 'trait-studio-start-'));
  roots.push(repo);
  for (const [name, text] of Object.entries(examples)) {
    mkdirSync(join(repo, 'examples', name, '..'), { recursive: true });
    writeFileSync(join(repo, 'examples', name), text);
  }
  return repo;
}

describe('npm start: the workspace it opens', () => {
  it('opens scratch/examples, a copy of examples/, and leaves examples/ alone', () => {
    const repo = repoWith({ 'a.traits.md': 'A', 'sub/b.traits.md': 'B' });
    const plan = startPlan([], { repo, env: {} });
    assert.equal(plan.folder, join(repo, 'scratch', 'examples'));
    assert.deepEqual(plan.copied, ['a.traits.md', 'sub/b.traits.md']);
    assert.equal(readFileSync(join(plan.folder, 'sub', 'b.traits.md'), 'utf8'), 'B');
    assert.deepEqual({ port: plan.port, build: plan.build }, { port: undefined, build: true });
  });

  it('keeps the copy across starts: edits and runs stay, new examples are added, nothing is overwritten', () => {
    const repo = repoWith({ 'a.traits.md': 'A' });
    const { folder } = startPlan([], { repo, env: {} });
    writeFileSync(join(folder, 'a.traits.md'), 'edited');
    mkdirSync(join(folder, 'runs', 'r1'), { recursive: true });
    writeFileSync(join(folder, 'runs', 'r1', 'manifest.json'), '{}');
    writeFileSync(join(repo, 'examples', 'new.traits.md'), 'N');
    const again = startPlan([], { repo, env: {} });
    assert.deepEqual(again.copied, ['new.traits.md']);
    assert.equal(readFileSync(join(folder, 'a.traits.md'), 'utf8'), 'edited');
    assert.ok(existsSync(join(folder, 'runs', 'r1', 'manifest.json')));
    assert.equal(readFileSync(join(repo, 'examples', 'a.traits.md'), 'utf8'), 'A');
  });

  it('opens a --folder as it is, and reads --port, TRAIT_STUDIO_PORT and --no-build', () => {
    const repo = repoWith({ 'a.traits.md': 'A' });
    const plan = startPlan(['--folder', 'examples', '--port', '8123', '--no-build'], { repo, env: {} });
    assert.deepEqual(plan, { folder: join(repo, 'examples'), copied: [], settings: { ...START_SETTINGS }, port: 8123, build: false });
    assert.equal(existsSync(join(repo, 'scratch')), false);
    assert.equal(startPlan([], { repo, env: { TRAIT_STUDIO_PORT: '8124' } }).port, 8124);
  });

  it('turns off Git\'s "repository found in the parent folders" prompt', () => {
    assert.equal(startPlan([], { repo: repoWith({ 'a.traits.md': 'A' }), env: {} }).settings['git.openRepositoryInParentFolders'], 'never');
  });

  it('the scratch copy is git-ignored in this repository, and examples/ is tracked', () => {
    const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    assert.equal(git('check-ignore', '-q', 'scratch/examples/assistant.traits.md').status, 0, 'scratch/examples is not ignored');
    assert.equal(git('check-ignore', '-q', 'scratch/examples/runs/1/records.jsonl').status, 0);
    assert.match(git('ls-files', 'examples').stdout, /^examples\/assistant\.traits\.md$/m);
  });
});
