// What `npm start` opens, and the settings it gives VS Code.
//
// It opens scratch/examples, a git-ignored copy of examples/, rather than examples/ itself: a session
// writes into its workspace (dataset runs under runs/, the preview cache and prompt templates under
// .traits/, audit reports, the author's own edits), and none of that belongs in the tracked
// examples/, which the VS Code tests copy as their fixtures. The copy stays between starts, so runs
// and edits survive a restart; files examples/ gains later are copied in, and nothing there is ever
// overwritten. Delete scratch/examples to start afresh.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * User settings `npm start` adds to code-server's defaults. scratch/examples lies inside this
 * repository, so VS Code's Git extension would greet every start with "A git repository was found
 * in the parent folders ..."; the author is trying the extension, not committing to our repository.
 */
export const START_SETTINGS = { 'git.openRepositoryInParentFolders': 'never' };

/** scratch/examples of `repo`: the folder `npm start` opens by default. */
export function scratchExamples(repo) {
  return join(repo, 'scratch', 'examples');
}

/**
 * Copies into scratch/examples every file of `repo`/examples that it lacks (sub-folders included)
 * and returns { folder, copied } — copied: the paths copied, relative to the folder. Files already
 * in scratch/examples are left as they are.
 */
export function prepareScratchExamples(repo) {
  const source = join(repo, 'examples');
  const folder = scratchExamples(repo);
  mkdirSync(folder, { recursive: true });
  const copied = [];
  for (const name of readdirSync(source, { recursive: true })) {
    const from = join(source, name);
    const to = join(folder, name);
    if (!statSync(from).isFile() || existsSync(to)) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    copied.push(relative(folder, to));
  }
  return { folder, copied: copied.sort() };
}

/**
 * `npm start`'s plan from its arguments (`--port N`, `--folder DIR`, `--no-build`):
 * { folder, copied, settings, port, build }. Without --folder it prepares scratch/examples; a
 * --folder (relative to `repo`) is opened as it is. `env.TRAIT_STUDIO_PORT` is the port's fallback.
 */
export function startPlan(argv, { repo, env = process.env }) {
  const option = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(option('--port') ?? env.TRAIT_STUDIO_PORT) || undefined;
  const given = option('--folder');
  const { folder, copied } = given === undefined ? prepareScratchExamples(repo) : { folder: resolve(repo, given), copied: [] };
  return { folder, copied, settings: { ...START_SETTINGS }, port, build: !argv.includes('--no-build') };
}
