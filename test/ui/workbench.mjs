// Driving the VS Code workbench (code-server) from Playwright in Debian's Chromium: launching the
// browser, opening the workbench, and the handful of gestures the UI tests use. Every wait is on a
// condition in the page, never a sleep.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Gives the keyboard to the text editor of the first editor group, where the tests open their
 * documents (webviews open beside it). Not a click on its lines: `.view-lines` is as tall as the
 * whole document, so the middle of it lands wherever the editor happens to be scrolled, on a lens
 * or past the visible lines (then the browser scrolls Monaco's hidden overflow itself).
 */
export async function focusEditor(page) {
  await runCommand(page, 'View: Focus First Editor Group');
  await page.locator('.editor-instance .monaco-editor.focused').waitFor();
}

/**
 * A UI file's `after` (see test/vscode/run.mjs), whatever step failed: closes every editor, then
 * (even if that throws) writes back the workspace settings `settings.file` held (`settings.before`;
 * the next files share the workspace), removes the `files` the steps made (undefined ones skipped)
 * and closes the fake `target` server, if any.
 */
export async function putWorkspaceBack(page, { settings, files = [], target }) {
  try {
    await runCommand(page, 'View: Close All Editors');
  } finally {
    if (settings?.file && settings.before !== undefined) writeFileSync(settings.file, settings.before);
    for (const file of files) if (file) rmSync(file, { force: true });
    await target?.close();
  }
}

/** Moves the mouse to the centre of the first element of `locator` (hover() is intercepted). */
export async function mouseTo(page, locator) {
  await locator.first().waitFor();
  const box = await locator.first().boundingBox();
  if (!box) throw new Error('element has no box to hover');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

/**
 * Hovers the first element of `target` until a visible hover matching `hasText` shows, and returns
 * that hover's locator. Monaco opens a hover on a mouse *move* over the word; one move can land
 * before the editor has settled (a reveal still scrolling, a sticky-scroll band over the line, code
 * lenses arriving above it and pushing it down), so each second the target's box is read again and
 * the mouse nudged by a pixel onto it, as a person would, until the hover shows or `ms` pass.
 */
export async function hoverUntil(page, target, hasText, ms = 20_000) {
  await mouseTo(page, target);
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText }).first();
  const deadline = Date.now() + ms;
  for (let nudge = 1; ; nudge = -nudge) {
    try {
      await hover.waitFor({ timeout: 1_000 });
      return hover;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    const box = await target.first().boundingBox();
    if (box) await page.mouse.move(box.x + box.width / 2 + nudge, box.y + box.height / 2);
  }
}

/**
 * Resolves with `check()`'s value (awaited) once it is truthy, for a condition outside the page
 * (a fake's request log, a file); polls every 100 ms and throws "timed out waiting for WHAT" after
 * `ms`, `what` being a string or a function called then (to say what was seen).
 */
export async function until(check, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

/** The active editor's text, lines in order, whitespace collapsed (Monaco keeps its line elements unordered, and wraps long lines). */
export async function editorText(page) {
  return (
    await page
      .locator('.editor-instance .monaco-editor .view-lines')
      .first()
      .evaluate((lines) =>
        [...lines.querySelectorAll('.view-line')]
          .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
          .map((l) => l.textContent)
          .join('\n'),
      )
  ).replace(/[\s\u00a0]+/g, ' ');
}

/** Polls the active editor's text (editorText) until `predicate` holds, and returns it; `what` names the wait in the error. */
export async function editorTextUntil(page, predicate, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let text;
  while (!predicate((text = await editorText(page)))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the editor shows: ${text}`);
    await page.waitForTimeout(100);
  }
  return text;
}

/** Developer: Reload Window, as a user would (VS Code saves the webviews' state on its way out); resolves once the workbench is drawn again. */
export async function reloadWindow(page) {
  const reloaded = page.waitForEvent('load', { timeout: 30_000 });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
}

/** Picks the row holding `name` in the open pick list. */
export async function pick(page, name) {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  await row.waitFor();
  await row.click();
}

/** The modal dialog's text, once it shows, and a click on its `action` button. */
export async function confirmDialog(page, action) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor();
  const message = await dialog.innerText();
  return { message, confirm: () => dialog.locator('.monaco-button', { hasText: action }).first().click() };
}

/**
 * Asserts the webview's colour key (`.legend`) lists `entries` in order: each a swatch carrying the
 * class its chart's marks use, painted (a visible box with a background or border), and its label.
 */
export async function expectLegend(frame, entries) {
  const shown = await frame.locator('#root .legend .entry').evaluateAll((items) =>
    items.map((item) => {
      const swatch = item.querySelector('.swatch');
      const style = swatch?.ownerDocument.defaultView?.getComputedStyle(swatch);
      const box = swatch?.getBoundingClientRect();
      const painted =
        !!style &&
        !!box &&
        box.width > 0 &&
        box.height > 0 &&
        (style.backgroundColor !== 'rgba(0, 0, 0, 0)' || style.borderTopStyle !== 'none');
      return [[...(swatch?.classList ?? [])].filter((c) => c !== 'swatch').join(' '), item.textContent.trim(), painted];
    }),
  );
  const expected = entries.map(([swatch, label]) => [swatch, label, true]);
  if (JSON.stringify(shown) !== JSON.stringify(expected))
    throw new Error(`the legend shows ${JSON.stringify(shown)}, not ${JSON.stringify(expected)}`);
}

/**
 * Answers the save dialog a command opened (code-server's is a quick input holding the path): waits
 * for its proposed path to end with `extension`, puts in `path` (or what `path(proposed)` makes of
 * the proposed one), accepts, and resolves the path once the file is there.
 */
export async function saveAs(page, path, extension) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  // Wait for the dialog to put its default path in, or it may overwrite what is typed.
  const shown = Date.now() + 20_000;
  let proposed;
  while (!(proposed = await input.inputValue()).endsWith(extension)) {
    if (Date.now() > shown) throw new Error(`the save dialog shows ${proposed}`);
    await page.waitForTimeout(100);
  }
  const chosen = typeof path === 'function' ? path(proposed) : path;
  await input.fill(chosen);
  if ((await input.inputValue()) !== chosen) throw new Error(`the save dialog holds ${await input.inputValue()}, not ${chosen}`);
  await page.keyboard.press('Enter');
  const deadline = Date.now() + 20_000;
  while (!existsSync(chosen)) {
    if (Date.now() > deadline) throw new Error(`${chosen} was not written`);
    await page.waitForTimeout(100);
  }
  return chosen;
}
