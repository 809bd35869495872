// UI test: an author generates a small dataset from the palette — every prompt answered as a user
// would (all traits, 3 per trait, the proposed folder, both formats, a workspace baseline file mixed
// in at 0.5 baseline records per synthetic one), the estimate confirmed in
// its modal — then opens the run's report from the notification and looks at the charts and table.
// Answers come from the fake Gemini server test/vscode/run.mjs started.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectLegend, quickOpen, runCommand, webviewFrame } from './workbench.mjs';

const FILE = 'assistant.traits.md';

/**
 * A code-server of its own: a run caches its answers under the same keys a preview uses, so on the
 * shared server it would leave test/ui/preview.test.mjs nothing to ask the fake.
 */
export const codeServer = {};

export const tests = [
  {
    name: 'Generate Dataset… asks for traits, count, folder, formats, how to run and a baseline mix, then shows the estimate',
    async run({ page, fakeGemini, screenshot, workspace }) {
      const example = (i) =>
        JSON.stringify({
          messages: [
            { role: 'user', content: `Baseline question ${i}?` },
            { role: 'assistant', content: `Answer ${i}.` },
          ],
        });
      writeFileSync(join(workspace, 'baseline.jsonl'), [0, 1, 2].map((i) => `${example(i)}\n`).join(''));
      await quickOpen(page, FILE);
      const before = fakeGemini.requests.length;
      await runCommand(page, 'Trait Studio: Generate Dataset…');
      const input = page.locator('.quick-input-widget input');
      // Traits: both ticked by default.
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Say what you believe' }).waitFor();
      await page.keyboard.press('Enter');
      // Scenarios per trait.
      await page.locator('.quick-input-widget', { hasText: 'Scenarios per trait' }).waitFor();
      await input.fill('3');
      await page.keyboard.press('Enter');
      // Output folder: the proposed runs/<timestamp>.
      await page.locator('.quick-input-widget', { hasText: 'output folder' }).waitFor();
      assert.match(await input.inputValue(), /^runs\/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$/);
      await page.keyboard.press('Enter');
      // Formats: both ticked by default.
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'sft.gemini.jsonl' }).waitFor();
      await page.keyboard.press('Enter');
      // How to run: Standard first, Batch offered beside it; choose Flex.
      const flex = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Flex (≈ 50 % cheaper' });
      await flex.waitFor();
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Batch (≈ 50 % cheaper, finishes within 24 h)' }).waitFor();
      assert.match(await page.locator('.quick-input-widget .monaco-list-row').first().innerText(), /^Standard/);
      await screenshot('ui-generate-0-mode');
      await flex.click();
      // Baseline mixing: the workspace's JSONL file, then the ratio.
      await page.locator('.quick-input-widget', { hasText: 'mix in baseline SFT data?' }).waitFor();
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'No baseline mixing' }).waitFor();
      await screenshot('ui-generate-0-mix');
      await input.fill('baseline.jsonl');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'baseline.jsonl' }).waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget', { hasText: 'baseline records per synthetic record (3 valid in the file)' }).waitFor();
      await input.fill('0.5');
      await page.keyboard.press('Enter');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.filter({ hasText: 'Generate 6 scenarios for 2 traits?' }).waitFor();
      assert.match(
        await dialog.innerText(),
        /About [\d,]+ requests, [\d,]+ input and [\d,]+ output tokens, ≈ \$\d+\.\d\d at Flex prices; answers take minutes/,
      );
      assert.match(
        await dialog.innerText(),
        /Then mixed with baseline\.jsonl at 0\.5 baseline records per synthetic record \(3 valid in the file\)/,
      );
      assert.equal(fakeGemini.requests.length, before, 'a model was called before the estimate was confirmed');
      await screenshot('ui-generate-1-estimate');
      await dialog.locator('.monaco-button', { hasText: /^Generate$/ }).click();
    },
  },
  {
    name: 'the run ends with a summary; Open Report shows the charts and the records',
    async run({ page, fakeGemini, screenshot }) {
      const toast = page
        .locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item', { hasText: /Run completed/ })
        .first();
      try {
        await toast.waitFor({ timeout: 30_000 });
      } catch {
        // Some window states route notifications straight to the centre.
        await runCommand(page, 'Notifications: Show Notifications');
        await toast.waitFor();
      }
      const summary = await toast.innerText();
      const [, accepted, rejected] = /(\d+) accepted, (\d+) rejected, 0 failed/.exec(summary) ?? [];
      assert.ok(accepted !== undefined, `unexpected summary: ${summary}`);
      assert.equal(Number(accepted) + Number(rejected), 6);
      const generation = fakeGemini.requests.filter((r) => r.action !== 'batchEmbedContents').slice(-10);
      assert.deepEqual([...new Set(generation.map((r) => r.serviceTier))], ['flex'], 'the run did not ask for the Flex tier');
      assert.match(summary, new RegExp(`Mixed with ${Math.round(Number(accepted) * 0.5)} baseline records?\\.`));
      await toast.locator('.monaco-button', { hasText: 'Open Report' }).click();
      const frame = await webviewFrame(page, 'Run ', 'run report', 20_000);
      await frame.locator('.histogram').nth(1).waitFor();
      assert.equal(await frame.locator('.histogram').count(), 2);
      assert.equal(await frame.locator('tbody tr').count(), 6);
      assert.equal(await frame.locator('tbody tr.accepted').count(), Number(accepted));
      // Filtering on a verdict narrows the table.
      await frame.locator('select[aria-label="Verdict"]').selectOption('rejected');
      await frame.locator('h2', { hasText: `Records (${rejected} of 6)` }).waitFor();
      assert.match(
        await frame.locator('header').innerText(),
        /tokens in \((\d+|< 1) % cached\) · [\d,]+ out · ≈ \$[\d.,]+ at the Flex tier/,
      );
      await screenshot('ui-generate-2-report');
    },
  },
  {
    name: 'the Runs view shows the run at the cost its report shows',
    async run({ page, screenshot }) {
      const frame = await webviewFrame(page, 'Run ', 'run report', 20_000);
      const [reportCost] = /≈ (\$[\d.,]+)/.exec(await frame.locator('header').innerText())?.slice(1) ?? [];
      assert.ok(reportCost, 'the report shows no cost');
      assert.notEqual(reportCost, '$0.00', 'a run that spent tokens shows $0.00');
      const pane = page.locator('.pane-header', { hasText: 'Trait Studio Runs' });
      if ((await pane.getAttribute('aria-expanded')) !== 'true') await pane.click();
      const row = page.locator('.pane-body .monaco-list-row', { hasText: /^runs\// }).first();
      await row.waitFor();
      const description = await row.locator('.label-description').innerText();
      assert.match(description, /^completed · \d\/6 accepted · \$[\d.,]+$/);
      assert.equal(description.split(' · ').pop(), reportCost, `the Runs view says "${description}", the report ${reportCost}`);
      await screenshot('ui-generate-2b-runs-view');
    },
  },
  {
    name: "Audit Dataset on the run's records.jsonl shows prevalence bars against the threshold",
    async run({ page, screenshot }) {
      // From the report's own button: Quick Open's file index may not list a folder the run just made.
      const report = await webviewFrame(page, 'Run ', 'run report', 20_000);
      await report.locator('button', { hasText: /^records\.jsonl$/ }).click();
      await page.locator('.tab.active[aria-label*="records.jsonl"]').waitFor();
      await runCommand(page, 'Trait Studio: Audit Dataset');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Offline detectors' }).first().waitFor();
      await page.keyboard.press('Enter');
      const frame = await webviewFrame(page, 'Audit:', 'audit report', 20_000);
      await frame.locator('article.pattern').nth(4).waitFor();
      assert.ok((await frame.locator('article.pattern .threshold').count()) >= 5, 'no threshold lines');
      await expectLegend(frame, [
        ['broad', 'broad'],
        ['strict', 'strict'],
        ['threshold', 'threshold'],
      ]);
      assert.match(
        await frame.locator('header .meta').innerText(),
        /^\d+ records? · \d+ patterns? · \d+ flagged at 25\.0%( · \d+ above 25\.0% on too few records to flag \(under 3 matches\))? · offline detectors only$/,
      );
      // The fake's answers carry <img onerror>/<script>: examples show them as text.
      await frame.locator('article.pattern details').first().click();
      assert.equal(await frame.locator('#root img, #root script').count(), 0);
      await screenshot('ui-generate-3-audit');
    },
  },
];
