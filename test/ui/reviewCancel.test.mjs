// UI test: an author starts a review and cancels it from its progress notification while one
// request is still unanswered (the fake Gemini server holds it). Nothing of the half-done review
// is published: no "traits (review)" finding, the lint's own finding stays, the hover and the
// coverage lens show no review. Run again, the review completes: the answers that came before the
// cancel are in the cache, so only the held request is sent again. Screenshots in test/output/.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../scripts/vscode/codeServer.mjs';
import { focusEditor, hoverUntil, problemRows, problemsUntil, quickOpen, runCommand } from './workbench.mjs';

const FILE = 'review-cancel.traits.md';

/** Runs the review command, checks the estimate and confirms it. */
async function startReview(page, estimate) {
  await focusEditor(page);
  await runCommand(page, 'Trait Studio: Review Document with Model');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), estimate);
  await dialog.locator('.monaco-button', { hasText: 'Review' }).first().click();
}

let file;

export const tests = [
  {
    name: 'opens a document whose "Be brief" trait the lint reports as missing its reason',
    async run({ page, workspace }) {
      file = join(workspace, FILE);
      // A group introduction and a last trait of its own: no answer of the other review tests is cached for it.
      const text = readFileSync(join(REPO, 'test', 'fixtures', 'review', 'overrule.traits.md'), 'utf8');
      const marker = 'This copy is reviewed, cancelled, then reviewed again.';
      writeFileSync(file, `${text.replace('# Style\n', `# Style\n\n${marker}\n`)}\n${marker}\n`);
      await quickOpen(page, FILE);
      await page.keyboard.press('Control+Shift+M');
      await problemsUntil(page, (rows) => rows.some((r) => /never says why/.test(r)), "the lint's missing-rationale finding");
    },
  },
  {
    name: 'Cancel on the progress notification, with one request unanswered, publishes nothing of the review',
    async run({ page, fakeGemini, screenshot }) {
      const before = fakeGemini.requests.length;
      // The next request the fake receives is never answered: the review waits on it until cancelled.
      fakeGemini.script({ kind: 'hang' });
      await startReview(page, /3 traits and the trade-off map: 4 requests, ≈ \$/);
      // The progress may show as a toast or only in the notification centre: cancel it from the centre.
      await runCommand(page, 'Notifications: Show Notifications');
      const progress = page.locator('.notifications-center .notification-list-item', { hasText: 'reviewing review-cancel.traits.md' });
      // Three of the four requests are answered; the held one keeps the review running.
      await progress.filter({ hasText: '3/4' }).waitFor({ timeout: 30_000 });
      assert.equal(fakeGemini.requests.length - before, 4);
      await screenshot('ui-review-cancel-1-progress');
      await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await progress.waitFor({ state: 'detached' });
      // The command logs the cancel once it is done with the review: anything it published, it
      // published before this line.
      await runCommand(page, 'Trait Studio: Show Output');
      await page
        .locator('.output-view .view-line', { hasText: 'Review of review-cancel.traits.md: cancelled.' })
        .first()
        .waitFor({ timeout: 30_000 });
      // The server holds no review: the hover (a request answered from its state now) names none ...
      await page.keyboard.press('Control+Shift+M');
      // Back to the top of the document, where "Be brief" is.
      await focusEditor(page);
      await page.keyboard.press('Control+Home');
      const title = page.locator('.monaco-editor .view-line', { hasText: 'Be brief' }).locator('span', { hasText: 'Be brief' });
      // Wait for the server's part of the hover: the finding's part ("Traits taught with ...") can
      // show before it.
      const hover = await hoverUntil(page, title, /Reason:/);
      const text = await hover.innerText();
      assert.match(text, /Reason: missing/);
      assert.doesNotMatch(text, /review/i);
      await page.keyboard.press('Escape');
      // ... the lint's finding stands, no review finding is shown, and the lens shows the heuristics.
      const rows = await problemRows(page);
      assert.ok(
        rows.some((r) => /never says why/.test(r)),
        rows.join('\n'),
      );
      assert.ok(!rows.some((r) => /traits \(review\)|can pull against/.test(r)), `a review finding was published:\n${rows.join('\n')}`);
      assert.equal(await page.locator('.monaco-editor .codelens-decoration', { hasText: '(review)' }).count(), 0);
      await page.locator('.monaco-editor .codelens-decoration', { hasText: '✗ reason' }).first().waitFor();
      await screenshot('ui-review-cancel-2-cancelled');
    },
  },
  {
    name: 'a second run completes: the answers given before the cancel come from the cache, the held request is sent again',
    async run({ page, fakeGemini, screenshot }) {
      const before = fakeGemini.requests.length;
      await startReview(page, /4 requests \(3 answered from the cache\)/);
      const rows = await problemsUntil(
        page,
        (r) => r.some((x) => /The review found the reason here/.test(x)) && !r.some((x) => /never says why/.test(x)),
        'the review findings',
      );
      assert.ok(rows.some((r) => /traits \(review\)/.test(r)));
      assert.equal(fakeGemini.requests.length - before, 1, 'only the request left unanswered is sent again');
      await page.locator('.monaco-editor .codelens-decoration', { hasText: '✓ reason (review)' }).first().waitFor();
      await screenshot('ui-review-cancel-3-second-run');
      await runCommand(page, 'View: Close All Editors');
      rmSync(file, { force: true });
    },
  },
];
