// UI test: an author clicks the "Preview" lens above a trait and reads the scenarios in the panel
// beside the editor, answered by the fake Gemini server that test/vscode/run.mjs started (its
// answers carry <img onerror> and <script> markup). The markup must show as text and run nothing;
// a button in the page must reach the extension; after a reload the panel comes back with its
// content. Steps run in order on one page; screenshots in test/output/.
// frame.evaluate() runs its function in the webview's page, where `document` is defined.
/* global document */
import assert from 'node:assert/strict';
import { quickOpen, reloadWindow, until, webviewFrame } from './workbench.mjs';

const FILE = 'assistant.traits.md';
const TRAIT = 'Say what you believe';

/** The frame of the preview webview (nested iframes), once its page shows a "Preview:" heading. */
const previewFrame = (page, timeoutMs = 20_000) => webviewFrame(page, 'Preview:', 'preview webview', timeoutMs);

/** Waits until the frame shows 3 rated scenarios and a finished status. */
async function waitForThreeRated(frame) {
  await frame.locator('.rating', { hasText: '7/10 · keep' }).nth(2).waitFor();
  await frame.locator('header .meta', { hasText: /^Done/ }).waitFor();
}

export const tests = [
  {
    name: 'opens an example trait document',
    async run({ page }) {
      await quickOpen(page, FILE);
    },
  },
  {
    name: 'the Preview lens above a trait opens the panel, filled from the fake server',
    async run({ page, fakeGemini, screenshot }) {
      const before = fakeGemini.requests.length;
      // The lens sits above the heading; it renders once the language server answers.
      const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Preview' });
      await lens.first().waitFor();
      // The candour trait is the first one with a lens in this file.
      await lens.first().click();
      // The fake stands in for Gemini's implicit caching while this preview runs: the header shows the share.
      fakeGemini.setImplicitCaching({ minPrefixChars: 100 });
      const frame = await previewFrame(page);
      await frame.locator('#root h1', { hasText: `Preview: ${TRAIT}` }).waitFor();
      await waitForThreeRated(frame);
      fakeGemini.setImplicitCaching(undefined);
      assert.equal(fakeGemini.requests.length - before, 1 + 3 * 6);
      assert.ok(
        fakeGemini.requests.slice(before).every((r) => r.apiKey === 'ui-test-key'),
        'the GEMINI_API_KEY fallback was not used',
      );
      await screenshot('ui-preview-1-panel');
    },
  },
  {
    name: 'the baseline and the response sit side by side, rendered as Markdown, nothing remote loaded',
    async run({ page, screenshot }) {
      const frame = await previewFrame(page);
      const pair = frame.locator('article.scenario').first().locator('.side-by-side');
      const [baseline, response] = [pair.locator('.baseline'), pair.locator('.response')];
      const [b, r] = [await baseline.boundingBox(), await response.boundingBox()];
      assert.ok(b && r && Math.abs(b.y - r.y) < 2 && b.x + b.width <= r.x, `not side by side: ${JSON.stringify([b, r])}`);
      // Markdown: emphasis, a list, code; a link and an image shown as text, neither loaded nor followed.
      for (const block of [baseline, response]) {
        assert.equal(await block.locator('.markdown strong', { hasText: 'Why:' }).count(), 1);
        assert.equal(await block.locator('.markdown li').count(), 2);
        assert.equal(await block.locator('.markdown code', { hasText: 'the docs' }).count(), 1);
        assert.equal(await block.locator('.markdown .url', { hasText: '(https://example.com/source)' }).count(), 1);
        assert.equal(await block.locator('.markdown .image', { hasText: '[image: a chart]' }).count(), 1);
      }
      assert.equal(await frame.locator('#root a, #root img, #root script, #root [style], #root [onerror]').count(), 0);
      // The header: what was spent, the models, and which versions answered.
      const meta = await frame.locator('header .meta').innerText();
      const [, share] = /^Done · 3 scenarios · [\d,]+ tokens in \((\d+) % cached\) · [\d,]+ out · ≈ \$0\.\d+$/.exec(meta) ?? [];
      assert.ok(Number(share) > 0, `no cached share in "${meta}"`);
      assert.match(await frame.locator('header .versions').innerText(), /^Answered by: gemini-[\w.-]+ → gemini-[\w.-]+-fake-001 · /);
      await frame.locator('article.scenario').first().locator('.side-by-side').scrollIntoViewIfNeeded();
      await screenshot('ui-preview-1b-markdown');
    },
  },
  {
    name: 'model text with <img onerror> and <script> shows as text and runs nothing',
    async run({ page }) {
      const frame = await previewFrame(page);
      const response = frame.locator('.response .body').first();
      assert.match(
        await response.innerText(),
        /^Response 1: plainly, no\. <img src=x onerror="document\.body\.dataset\.pwned='img'"><script>/,
      );
      assert.equal(await frame.locator('#root img').count(), 0);
      assert.equal(await frame.locator('#root script').count(), 0);
      assert.equal(await frame.evaluate(() => document.body.dataset.pwned ?? null), null);
      // The page's own policy: nothing loads from anywhere but the extension, no network.
      const csp = await frame.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'));
      assert.match(csp, /^default-src 'none'; /);
      assert.doesNotMatch(csp, /connect-src|unsafe-inline|unsafe-eval/);
    },
  },
  {
    name: 'Regenerate on one scenario asks the models again for that scenario only',
    async run({ page, fakeGemini, screenshot }) {
      const frame = await previewFrame(page);
      const before = fakeGemini.requests.length;
      const regenerate = frame
        .locator('article.scenario')
        .nth(1)
        .locator('button', { hasText: /^Regenerate$/ });
      await regenerate.click();
      await until(() => fakeGemini.requests.length - before >= 6, 'the six stage requests of the regenerated scenario');
      await regenerate.and(frame.locator('button:enabled')).waitFor();
      await waitForThreeRated(frame);
      assert.equal(fakeGemini.requests.length - before, 6);
      await screenshot('ui-preview-2-regenerated');
    },
  },
  {
    name: 'after a window reload the panel comes back with its content, without asking again',
    async run({ page, fakeGemini, screenshot }) {
      const before = fakeGemini.requests.length;
      await reloadWindow(page);
      const frame = await previewFrame(page, 30_000);
      await frame.locator('#root h1', { hasText: `Preview: ${TRAIT}` }).waitFor();
      await waitForThreeRated(frame);
      assert.equal(fakeGemini.requests.length, before);
      await screenshot('ui-preview-3-restored');
    },
  },
];
