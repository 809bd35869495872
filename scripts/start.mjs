// `npm start`: build, then serve VS Code (code-server) with Trait Studio loaded from this checkout
// and scratch/examples open (a git-ignored copy of examples/; see startWorkspace.mjs for why), for a
// browser on this machine. Ctrl+C stops it.
//
//   node scripts/start.mjs [--port N] [--folder DIR] [--no-build]
//
// code-server is installed into .code-server/ on first use (about two minutes; Debian's libkrb5-dev
// is installed first when missing, or named). The extension runs from dist/ as built here: after a
// rebuild (`npm run build`, or `npm run watch` in another terminal) run "Developer: Reload Window"
// in the browser.
import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { ensureSystemPackages, packagesFor, SystemPackagesError } from './systemPackages.mjs';
import { startPlan } from './startWorkspace.mjs';
import { installCodeServer, isInstalled, REPO, startCodeServer } from './vscode/codeServer.mjs';

const plan = startPlan(process.argv.slice(2), { repo: REPO });
try {
  // Before the build, so a missing package stops the start at once.
  ensureSystemPackages(packagesFor('start', { codeServerInstalled: isInstalled() }));
} catch (error) {
  if (!(error instanceof SystemPackagesError)) throw error;
  console.error(`npm start: ${error.message}`);
  process.exit(1);
}

if (plan.build) {
  console.log('Building (node esbuild.mjs) ...');
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('The build failed.');
    process.exit(build.status ?? 1);
  }
}
if (!isInstalled()) {
  try {
    installCodeServer();
  } catch (error) {
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  }
}

const server = await startCodeServer({ port: plan.port, settings: plan.settings });
const url = server.url({ folder: plan.folder, extensionDevelopmentPath: REPO });
const where = relative(REPO, plan.folder);
const scratchNote =
  where === 'scratch/examples'
    ? `\n${where} is a git-ignored copy of examples/${plan.copied.length ? ` (copied now: ${plan.copied.join(', ')})` : ''}: ` +
      'runs and edits stay there, across starts; delete it to start afresh.\n'
    : '';
console.log(`
VS Code with Trait Studio (from ${REPO}) and ${plan.folder} open:

  ${url}

Open that address in a browser on this machine. code-server's log: ${server.logFile}
Press Ctrl+C to stop.${scratchNote}`);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal ? `${signal}: ` : ''}stopping code-server ...`);
  await server.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGHUP', () => void stop('SIGHUP'));

// If code-server dies on its own, say so and end too.
const watch = setInterval(async () => {
  try {
    await fetch(new URL('healthz', server.baseUrl), { signal: AbortSignal.timeout(5000) });
  } catch {
    if (stopping) return;
    clearInterval(watch);
    console.error(`code-server stopped answering; see ${server.logFile}`);
    stopping = true;
    await server.stop();
    process.exit(1);
  }
}, 5000);
