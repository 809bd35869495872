// Activation: opening a trait document starts Trait Studio and its language server.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { EXTENSION_ID, activate, open, withTimeout } = require('./helpers');

describe('activation', () => {
  it('activates on a .traits.md document and its language server becomes ready', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    const document = await open('draft.traits.md');
    assert.equal(document.languageId, 'traits');
    // onLanguage:traits starts it; wait for that rather than for time to pass.
    if (!extension.isActive) {
      await withTimeout(
        new Promise((resolve) => {
          const check = () => (extension.isActive ? resolve() : setTimeout(check, 20));
          check();
        }),
        20_000,
        'onLanguage:traits to activate the extension',
      );
    }
    const { api } = await activate();
    assert.equal(extension.isActive, true);
    await api.ready;
  });

  it('associates the Model Spec with the traits language through files.associations', async () => {
    const document = await open('openai-model-spec.md', { show: false });
    assert.equal(document.languageId, 'traits');
  });

  const extensionManifest = () => vscode.extensions.getExtension('trait-studio.trait-studio').packageJSON;

  it('registers the Trait Studio commands', async () => {
    await activate();
    const commands = await vscode.commands.getCommands(true);
    // Every command the manifest contributes has a handler.
    const contributed = extensionManifest().contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 7, `only ${contributed.length} commands in package.json`);
    for (const command of contributed) {
      assert.ok(commands.includes(command), `command ${command} is not registered`);
    }
  });
});
