// UI test: `npm start` as a newcomer runs it (scripts/start.mjs, the build skipped: the runner has
// built). It opens scratch/examples — a git-ignored copy inside this repository, so Git finds our
// repository in a parent folder — and must not greet the author with Git's "A git repository was
// found in the parent folders ..." prompt. A control window on the same folder with Git's default
// setting shows that prompt, so the check below can fail.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { prepareScratchExamples } from '../../scripts/startWorkspace.mjs';
import { REPO, startCodeServer } from '../../scripts/vscode/codeServer.mjs';
import { openWorkbench, runCommand, screenshot, until } from './workbench.mjs';

const FOLDER = join(REPO, 'scratch', 'examples');
const PROMPT = 'A git repository was found in the parent folders';

/** The Git extension's log under a code-server's user data, once it has one. */
function gitLog(userDataDir) {
  const find = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = find(path);
        if (found) return found;
      } else if (entry.name === 'Git.log') {
        return path;
      }
    }
    return undefined;
  };
  const logs = join(userDataDir, 'logs');
  const file = existsSync(logs) ? find(logs) : undefined;
  return file ? readFileSync(file, 'utf8') : '';
}

/**
 * Waits until Git has scanned the workspace and found our repository as a parent (the log line
 * comes after Git's prompt would have been sent), then opens the notification centre — a round
 * trip through the workbench after it — and returns the Git notifications there.
 */
async function gitPromptsAfterScan(page, userDataDir) {
  await until(
    () => /Initial repository scan completed .*parent repositories \(1\)/.test(gitLog(userDataDir)),
    "Git's initial scan",
    60_000,
  );
  await runCommand(page, 'Git: Show Git Output');
  await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'parent repositories (1)' }).first().waitFor({ timeout: 30_000 });
  await runCommand(page, 'Notifications: Show Notifications');
  await page.locator('.notifications-center').waitFor();
  return page.locator('.notifications-center .notification-list-item, .notifications-toasts .notification-toast', { hasText: PROMPT });
}

let start;

export const tests = [
  {
    name: "control: on scratch/examples with Git's default setting, the parent-folder prompt shows",
    async run({ page }) {
      prepareScratchExamples(REPO);
      const server = await startCodeServer({ settings: { 'git.openRepositoryInParentFolders': 'prompt' } });
      const control = await openWorkbench(page.context().browser(), server.url({ folder: FOLDER, extensionDevelopmentPath: REPO }));
      try {
        await (await gitPromptsAfterScan(control, server.userDataDir)).first().waitFor({ timeout: 30_000 });
        await screenshot(control, 'ui-start-control-git-prompt');
      } finally {
        await control.context().close();
        await server.stop();
      }
    },
  },
  {
    name: "npm start opens scratch/examples with Git's parent-folder prompt turned off in its settings",
    async run() {
      const child = spawn(process.execPath, [join(REPO, 'scripts', 'start.mjs'), '--no-build'], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // However this run ends, npm start gets its Ctrl+C-like signal and stops its code-server.
      const stop = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      };
      process.once('exit', stop);
      start = { exited, stop, output: () => output };
      const url = await until(
        () => {
          if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
          return output.match(/http:\/\/127\.0\.0\.1:\d+\/\S+/)?.[0];
        },
        'npm start to print its address',
        60_000,
      ).catch((error) => {
        stop();
        throw error;
      });
      assert.equal(new URL(url).searchParams.get('folder'), FOLDER);
      assert.match(output, /scratch\/examples is a git-ignored copy of examples\//);
      const logFile = output.match(/code-server's log: (\S+)/)[1];
      start.userDataDir = join(dirname(logFile), 'user-data');
      start.url = url;
      const settings = JSON.parse(readFileSync(join(start.userDataDir, 'User', 'settings.json'), 'utf8'));
      assert.equal(settings['git.openRepositoryInParentFolders'], 'never');
      assert.ok(existsSync(join(FOLDER, 'assistant.traits.md')));
    },
  },
  {
    name: 'its window shows no Git prompt once Git has found the parent repository',
    async run({ page }) {
      const window = await openWorkbench(page.context().browser(), start.url);
      try {
        const prompts = await gitPromptsAfterScan(window, start.userDataDir);
        await screenshot(window, 'ui-start-no-git-prompt');
        assert.equal(await prompts.count(), 0, 'Git asked about the parent repository');
      } finally {
        await window.context().close();
        start.stop();
        assert.equal(await start.exited, 0, start.output());
      }
    },
  },
];
