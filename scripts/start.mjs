// `npm start`: build, then serve VS Code (code-server) with Trait Studio loaded from this checkout
// and examples/ open, for a browser on this machine. Ctrl+C stops it.
//
//   node scripts/start.mjs [--port N] [--folder DIR] [--no-build]
//
// code-server is installed into .code-server/ on first use (about two minutes). The extension runs
// from dist/ as built here: after a rebuild (`npm run build`, or `npm run watch` in another
// terminal) run "Developer: Reload Window" in the browser.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { installCodeServer, isInstalled, REPO, startCodeServer } from './vscode/codeServer.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const port = Number(option('--port') ?? process.env.TRAIT_STUDIO_PORT) || undefined;
const folder = resolve(REPO, option('--folder') ?? 'examples');

if (!argv.includes('--no-build')) {
  console.log('Building (node esbuild.mjs) ...');
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('The build failed.');
    process.exit(build.status ?? 1);
  }
}
if (!isInstalled()) installCodeServer();

const server = await startCodeServer({ port });
const url = server.url({ folder, extensionDevelopmentPath: REPO });
console.log(`
VS Code with Trait Studio (from ${REPO}) and ${folder} open:

  ${url}

Open that address in a browser on this machine. code-server's log: ${server.logFile}
Press Ctrl+C to stop.`);

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
