// Driving the VS Code workbench (code-server) from Playwright in Debian's Chromium: launching the
// browser, opening the workbench, and the handful of gestures the UI tests use. Every wait is on a
// condition in the page, never a sleep.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** Screenshots and logs; git-ignored. */
export const OUTPUT = join(REPO, 'test', 'output');
export const CHROMIUM = process.env.TRAIT_STUDIO_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium; a missing browser is an error, never a reason to skip. */
export async function launchBrowser({ tmp }) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install Debian's package (apt-get install chromium); ` +
        'the VS Code UI tests cannot run without it',
    );
  }
  const xdg = (name) => {
    const dir = join(tmp, 'chromium', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: xdg('config'),
      XDG_CACHE_HOME: xdg('cache'),
      XDG_DATA_HOME: xdg('data'),
    },
  });
}

/**
 * A new page showing the workbench at `url`, resolved once the workbench is drawn.
 * `beforeGoto(page)` runs first (for page.exposeFunction). Browser console errors are collected in
 * page.consoleErrors.
 */
export async function openWorkbench(browser, url, { beforeGoto, waitForWorkbench = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => page.consoleErrors.push(String(error)));
  if (beforeGoto) await beforeGoto(page);
  await page.goto(url);
  if (waitForWorkbench) await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
  return page;
}

/** Saves test/output/NAME.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  const path = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Focuses the workbench (not an input) so keyboard shortcuts reach it. */
async function focusWorkbench(page) {
  await page.locator('.monaco-workbench').waitFor();
}

/** Opens a file of the workspace with Ctrl+P and waits for its tab to be the active one. */
export async function quickOpen(page, name) {
  await focusWorkbench(page);
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  // Wait for the file to be listed before accepting, or Enter opens nothing.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[aria-label*="${name}"]`).waitFor();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
}

/** Runs a command from the palette: F1, `>Category: Title`, Enter. */
export async function runCommand(page, title) {
  await focusWorkbench(page);
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor();
  await page.keyboard.press('Enter');
  // The palette is gone once its input no longer asks for a command; the command may open a quick
  // pick of its own in the same widget at once.
  await page.locator('.quick-input-widget input[aria-label="Type the name of a command to run."]').waitFor({ state: 'hidden' });
}

/** Moves the mouse to the centre of the first element of `locator` (hover() is intercepted). */
export async function mouseTo(page, locator) {
  await locator.first().waitFor();
  const box = await locator.first().boundingBox();
  if (!box) throw new Error('element has no box to hover');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  return box;
}

/** The Problems panel's rows, as their aria-labels (severity, message, line, source). */
export async function problemRows(page) {
  return page
    .locator('.markers-panel .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
}

/** Polls the Problems panel until `predicate` holds for its rows, and returns them; `what` names the wait in the error. */
export async function problemsUntil(page, predicate, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let rows;
  while (!predicate((rows = await problemRows(page)))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; rows:\n${rows.join('\n')}`);
    await page.waitForTimeout(200);
  }
  return rows;
}

/** The frame of the webview whose page heading (`#root h1`) contains `heading`, once it shows; `what` names it in the error. */
export async function webviewFrame(page, heading, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (
        await frame
          .locator('#root h1', { hasText: heading })
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    if (Date.now() > deadline) throw new Error(`no ${what} appeared`);
    await page.waitForTimeout(200);
  }
}
