// UI test: an author clicks "Review with model" on a document's first heading, confirms the cost
// estimate, and sees the review's findings in the Problems panel under source "traits (review)",
// answered by the fake Gemini server (answers derived from the text). The lint reports "Be brief"
// as missing its reason; the review quotes the reason the lint cannot see, so the lint's finding is
// withdrawn and the hover says the review found it. A second review of the unchanged document is
// answered from the cache: the estimate says so and the fake is sent nothing. Screenshots in test/output/.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../scripts/vscode/codeServer.mjs';
import { mouseTo, quickOpen, runCommand } from './workbench.mjs';

const FILE = 'review-overrule.traits.md';
const REASON = "Short answers respect the reader's time.";

/** The Problems panel's rows, as their aria-labels (severity, message, line, source). */
async function problemRows(page) {
  return page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
}

/** Polls the Problems panel until `predicate` holds for its rows. */
async function problemsUntil(page, predicate, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let rows = [];
  while (!predicate((rows = await problemRows(page)))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; rows:\n${rows.join('\n')}`);
    await page.waitForTimeout(200);
  }
  return rows;
}

/** The modal confirm dialog's message, then a click on its "Review" button. */
async function confirmReview(page) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor();
  const message = await dialog.innerText();
  return { message, confirm: () => dialog.locator('.monaco-button', { hasText: 'Review' }).first().click() };
}

let file;

export const tests = [
  {
    name: 'opens a document whose "Be brief" trait the lint reports as missing its reason',
    async run({ page, workspace }) {
      file = join(workspace, FILE);
      writeFileSync(file, readFileSync(join(REPO, 'test', 'fixtures', 'review', 'overrule.traits.md'), 'utf8'));
      await quickOpen(page, FILE);
      await page.keyboard.press('Control+Shift+M');
      await problemsUntil(page, (rows) => rows.some((r) => /never says why/.test(r)), 'the lint\'s missing-rationale finding');
    },
  },
  {
    name: 'the lens on the first heading asks to confirm the estimate, then the review shows in the Problems panel and overrules the lint',
    async run({ page, fakeGemini, screenshot }) {
      const before = fakeGemini.requests.length;
      const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Review with model' });
      await lens.first().waitFor();
      await lens.first().click();
      const { message, confirm } = await confirmReview(page);
      assert.match(message, /Review review-overrule\.traits\.md with gemini-3\.8-flash\? 2 traits: 3 requests, ≈ \$/);
      await screenshot('ui-review-1-confirm');
      await confirm();
      const rows = await problemsUntil(page, (r) => r.some((x) => /traits \(review\)/.test(x)) && !r.some((x) => /never says why/.test(x)), 'the review findings');
      assert.equal(fakeGemini.requests.length - before, 3, 'one request per trait, one for the trade-off map');
      const found = rows.find((r) => /The review found the reason here/.test(r));
      assert.ok(found && found.includes(REASON), `no review finding with the quote:\n${rows.join('\n')}`);
      await screenshot('ui-review-2-problems');
    },
  },
  {
    name: 'the hover on the trait says the review found the reason, with the quote',
    async run({ page, screenshot }) {
      await mouseTo(page, page.locator('.monaco-editor .view-line', { hasText: 'Be brief' }).locator('span', { hasText: 'Be brief' }));
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'The review found the reason' });
      await hover.first().waitFor({ timeout: 20_000 });
      assert.match(await hover.first().innerText(), /Short answers respect the reader's time\.[\s\S]*missing-rationale/);
      await screenshot('ui-review-3-hover');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'reviewing the unchanged document again is answered from the cache: no request',
    async run({ page, fakeGemini }) {
      const before = fakeGemini.requests.length;
      await page.locator('.monaco-editor .view-lines').first().click();
      await runCommand(page, 'Trait Studio: Review Document with Model');
      const { message, confirm } = await confirmReview(page);
      assert.match(message, /3 requests \(3 answered from the cache\), ≈ \$0\.00/);
      await confirm();
      // The summary may arrive as a toast or straight into the notification centre: read it from the centre.
      await runCommand(page, 'Notifications: Show Notifications');
      await page.locator('.notifications-center .notification-list-item', { hasText: 'nothing spent (all from the cache)' }).first().waitFor({ timeout: 20_000 });
      assert.equal(fakeGemini.requests.length, before);
      rmSync(file, { force: true });
    },
  },
];
