// UI test: the same workspace opened untrusted (Restricted Mode). Linting still works; Preview
// Scenarios is off: no "Preview" lens, and the command, run anyway, explains why and calls no model;
// so are Generate Dataset and Review Document with Model (no "Review with model" lens), and Probe
// Trait and Check Knowledge (no "Probe" lens).
import assert from 'node:assert/strict';
import { focusEditor, quickOpen, runCommand } from './workbench.mjs';

/** This file gets its own code-server, with workspace trust on and the folder left untrusted. */
export const codeServer = {
  workspaceTrust: true,
  settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' },
};

export const tests = [
  {
    name: 'the workspace opens in Restricted Mode and linting still works',
    async run({ page }) {
      await quickOpen(page, 'draft.traits.md');
      await page.locator('.monaco-editor .squiggly-warning').first().waitFor();
      // The coverage lens is there (the language server runs) ...
      await page.locator('.monaco-editor .codelens-decoration', { hasText: 'reason' }).first().waitFor();
    },
  },
  {
    name: 'no Preview lens, and Preview Scenarios explains why it is off without calling a model',
    async run({ page, fakeGemini, screenshot }) {
      // ... but not the Preview lens.
      assert.equal(await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Preview' }).count(), 0);
      const before = fakeGemini.requests.length;
      await runCommand(page, 'Trait Studio: Preview Scenarios');
      // The warning may arrive as a toast or straight into the notification centre (code-server
      // shows no toasts in some window states): read it from the centre, where it always is.
      await runCommand(page, 'Notifications: Show Notifications');
      const item = page.locator('.notifications-center .notification-list-item', {
        hasText: 'Preview Scenarios is off in Restricted Mode',
      });
      await item.waitFor();
      assert.match(await item.innerText(), /sends the trait's text to a model provider/);
      await item.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().waitFor();
      await screenshot('ui-restricted');
      assert.equal(fakeGemini.requests.length, before);
    },
  },
  {
    name: 'Generate Dataset is off too, and says why',
    async run({ page, fakeGemini }) {
      const before = fakeGemini.requests.length;
      await page.keyboard.press('Escape');
      await runCommand(page, 'Trait Studio: Generate Dataset…');
      await runCommand(page, 'Notifications: Show Notifications');
      await page
        .locator('.notifications-center .notification-list-item', { hasText: 'Generate Dataset is off in Restricted Mode' })
        .waitFor();
      assert.equal(fakeGemini.requests.length, before);
    },
  },
  {
    name: 'Review Document with Model is off too: no lens on the first heading, and the command says why',
    async run({ page, fakeGemini }) {
      const before = fakeGemini.requests.length;
      assert.equal(await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Review with model' }).count(), 0);
      await page.keyboard.press('Escape');
      await focusEditor(page);
      await runCommand(page, 'Trait Studio: Review Document with Model');
      await runCommand(page, 'Notifications: Show Notifications');
      await page
        .locator('.notifications-center .notification-list-item', { hasText: 'Review Document with Model is off in Restricted Mode' })
        .waitFor();
      assert.equal(fakeGemini.requests.length, before);
    },
  },
  {
    name: 'Probe Trait and Check Knowledge are off too: no Probe lens, and the commands say why',
    async run({ page, fakeGemini }) {
      const before = fakeGemini.requests.length;
      assert.equal(await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Probe' }).count(), 0);
      for (const [title, said] of [
        ['Trait Studio: Probe Trait', 'Probe Trait is off in Restricted Mode'],
        ['Trait Studio: Check Knowledge', 'Check Knowledge is off in Restricted Mode'],
      ]) {
        await page.keyboard.press('Escape');
        await focusEditor(page);
        await runCommand(page, title);
        await runCommand(page, 'Notifications: Show Notifications');
        await page.locator('.notifications-center .notification-list-item', { hasText: said }).waitFor();
      }
      assert.equal(fakeGemini.requests.length, before);
    },
  },
];
