// UI test: an author with no Gemini API key previews a trait. The panel says what is missing and
// offers Set API Key (no "$0.0000", no made-up results); clicking it asks for the key in a password
// box, and once it is given the preview runs, answered by the fake Gemini server. Steps run in order
// on one page; screenshots in test/output/.
import assert from 'node:assert/strict';
import { quickOpen, webviewFrame } from './workbench.mjs';

const FILE = 'assistant.traits.md';

/** A code-server of its own, with GEMINI_API_KEY blank: the others get the key from the environment. */
export const codeServer = { env: { GEMINI_API_KEY: '' } };

/** The frame of the preview webview, once its page shows a "Preview:" heading. */
const previewFrame = (page, timeoutMs = 20_000) => webviewFrame(page, 'Preview:', 'preview webview', timeoutMs);

export const tests = [
  {
    name: 'without a key the panel offers Set API Key, spends nothing and shows no cost',
    async run({ page, fakeGemini, screenshot }) {
      await quickOpen(page, FILE);
      const before = fakeGemini.requests.length;
      await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Preview' }).first().click();
      const frame = await previewFrame(page);
      await frame.locator('header .meta', { hasText: 'Needs a Gemini API key' }).waitFor();
      const header = await frame.locator('header').innerText();
      assert.doesNotMatch(header, /\$/, 'a cost in the keyless header');
      assert.match(header, /Set API Key/);
      assert.equal(await frame.locator('header button', { hasText: /^Set API Key$/ }).count(), 1);
      assert.equal(await frame.locator('header button', { hasText: /^Get a Key$/ }).count(), 1);
      assert.equal(await frame.locator('article.scenario').count(), 0);
      assert.equal(fakeGemini.requests.length, before);
      await screenshot('ui-keyless-1-panel');
    },
  },
  {
    name: 'Set API Key asks for the key, keeps it, and the preview runs',
    async run({ page, fakeGemini, screenshot }) {
      const frame = await previewFrame(page);
      await frame.locator('header button', { hasText: /^Set API Key$/ }).click();
      const input = page.locator('.quick-input-widget input[type="password"]');
      await input.waitFor();
      await input.fill('keyless-ui-key');
      await page.keyboard.press('Enter');
      await frame.locator('.rating', { hasText: '7/10 · keep' }).nth(2).waitFor();
      await frame.locator('header .meta', { hasText: /^Done/ }).waitFor();
      assert.ok(
        fakeGemini.requests.some((r) => r.apiKey === 'keyless-ui-key'),
        'the stored key was not used',
      );
      assert.match(await frame.locator('header .meta').innerText(), /≈ \$0\.\d+$/);
      await screenshot('ui-keyless-2-after-key');
    },
  },
];
