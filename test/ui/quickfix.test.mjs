// UI test: an author hovers a trait heading with problems, opens the quick fix menu on it (Ctrl+.),
// chooses "Add a Why part", types the reason into the placeholder the cursor lands in, and sees
// the warning count go down, not up (it went 15 → 16 when the part was inserted empty). Steps run in order on one page; screenshots in test/output/.
import assert from 'node:assert/strict';
import { quickOpen } from './workbench.mjs';

const FILE = 'draft.traits.md';
const REASON = "Acting on a wrong guess wastes the user's time and has to be undone.";

/** The warning count the status bar shows (Problems: errors, warnings). */
async function warnings(page) {
  const item = page.locator('#status\\.problems');
  await item.waitFor();
  const label = (await item.getAttribute('aria-label')) ?? (await item.innerText());
  const m = /(\d+)\s+Warnings?/i.exec(label) ?? /\s(\d+)\s*$/.exec(await item.innerText());
  assert.ok(m, `cannot read the warning count from "${label}"`);
  return Number(m[1]);
}

/** Waits until the status bar's warning count is `n`. */
async function warningsBecome(page, n, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let seen;
  while ((seen = await warnings(page)) !== n) {
    if (Date.now() > deadline) throw new Error(`the warning count stayed ${seen}, not ${n}`);
    await page.waitForTimeout(100);
  }
}

/** Puts the cursor in the heading's title (Ctrl+G to its line, then End). */
async function cursorOnHeading(page) {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('Control+G');
  await input.waitFor({ state: 'visible' });
  await input.fill(':7');
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await page.keyboard.press('End');
}

export const tests = [
  {
    name: 'opens a draft with 15 warnings',
    async run({ page }) {
      await quickOpen(page, FILE);
      await warningsBecome(page, 15);
    },
  },
  {
    name: 'hovering the heading shows the coverage card, with the diagnostics after it',
    async run({ page, screenshot }) {
      // As from the keyboard: the cursor in the title, then "Show or Focus Hover" (Ctrl+K Ctrl+I).
      await cursorOnHeading(page);
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      // Trait Studio's hover: the coverage card, then the diagnostics after it.
      const card = page.locator('.monaco-hover:not(.hidden) .hover-row', { hasText: /Trait\s+#ask-before-acting/ }).first();
      await card.waitFor();
      const text = await card.innerText();
      await screenshot('ui-quickfix-1-hover');
      assert.match(
        text,
        /^Trait #ask-before-acting\s+Reason: missing\s+Trade-offs: missing\s+Exceptions: missing\s+Examples: none\s+6 diagnostics \(0 errors, 6 warnings, 0 other\): missing-rationale, /,
        text,
      );
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'Ctrl+. on the heading offers one preferred Add missing parts, each part, and two Disable entries',
    async run({ page, screenshot }) {
      await cursorOnHeading(page);
      await page.keyboard.press('Control+.');
      const rows = page.locator('.monaco-list-row.action[role="option"]');
      await rows.filter({ hasText: 'Add a Why part' }).waitFor();
      const labels = (await rows.locator('.title').allInnerTexts()).map((t) => t.trim());
      // The preferred fix comes first and is the one Enter applies.
      assert.equal((await rows.first().locator('.title').innerText()).trim(), 'Add missing parts: Why, Trade-offs, Exceptions');
      await screenshot('ui-quickfix-3-menu');
      assert.deepEqual(
        labels.filter((l) => l.startsWith('Add')),
        ['Add missing parts: Why, Trade-offs, Exceptions', 'Add a Why part', 'Add a Trade-offs part', 'Add an Exceptions part'],
      );
      assert.deepEqual(
        labels.filter((l) => l.startsWith('Disable')),
        ['Disable missing-rationale for this line', 'Disable missing-rationale for this file'],
      );
    },
  },
  {
    name: 'Add a Why part puts the cursor in a placeholder; the warnings go 15 → 14, and 13 once the reason is typed',
    async run({ page, screenshot }) {
      await page.locator('.monaco-list-row.action[role="option"]', { hasText: 'Add a Why part' }).click();
      await page.locator('.monaco-editor .view-line', { hasText: '### Why' }).waitFor();
      // missing-rationale is gone at once (the part has text) and nothing new appears (no empty part).
      await warningsBecome(page, 14);
      await screenshot('ui-quickfix-4-placeholder');
      // The placeholder is selected: typing replaces it.
      await page.keyboard.type(REASON);
      await page.locator('.monaco-editor .view-line', { hasText: 'Acting on a wrong guess' }).waitFor();
      assert.equal(
        await page.locator('.monaco-editor .view-line', { hasText: 'Why this trait matters' }).count(),
        0,
        'the placeholder text is still there',
      );
      // The reason makes the trait long enough for vague-trait too.
      await warningsBecome(page, 13);
      await screenshot('ui-quickfix-5-typed');
    },
  },
  {
    name: 'Undo takes the part out again: the file is as it was',
    async run({ page }) {
      await page.keyboard.press('Escape');
      // The typed reason and the inserted part are a few undo steps; undo past them is harmless.
      for (let i = 0; i < 20 && (await page.locator('.monaco-editor .view-line', { hasText: '### Why' }).count()) > 0; i++) {
        await page.keyboard.press('Control+Z');
      }
      await page.locator('.monaco-editor .view-line', { hasText: '### Why' }).waitFor({ state: 'detached' });
      await warningsBecome(page, 15);
      await page.locator('.tab.active:not(.dirty)', { hasText: FILE }).waitFor();
    },
  },
];
