// Document symbols: groups → traits → parts, as the outline and breadcrumbs show them.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, open } = require('./helpers');

const names = (symbols) => symbols.map((s) => s.name);

describe('document symbols', () => {
  before(activate);

  it('the Model Spec: groups with their traits as children', async () => {
    const document = await open('openai-model-spec.md', { show: false });
    const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', document.uri);
    assert.ok(Array.isArray(symbols) && symbols.length > 0, 'no document symbols');
    assert.ok(
      symbols.every((s) => Array.isArray(s.children)),
      'expected DocumentSymbols (with children)',
    );
    const chain = symbols.find((s) => s.name === 'The chain of command');
    assert.ok(chain, `no top-level "The chain of command" in: ${names(symbols).join(' | ')}`);
    const follow = chain.children.find((s) => s.name === 'Follow all applicable instructions');
    assert.ok(follow, `"The chain of command" lacks "Follow all applicable instructions": ${names(chain.children).join(' | ')}`);
    assert.ok(follow.range.contains(follow.selectionRange), 'selectionRange lies outside range');
    assert.equal(
      document
        .lineAt(follow.selectionRange.start.line)
        .text.replace(/^#+\s*/, '')
        .split(' {')[0],
      'Follow all applicable instructions',
    );
  });

  it('assistant.traits.md: a trait has its parts as children', async () => {
    const document = await open('assistant.traits.md', { show: false });
    const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', document.uri);
    const all = [];
    const walk = (list) =>
      list.forEach((s) => {
        all.push(s);
        walk(s.children ?? []);
      });
    walk(symbols ?? []);
    const trait = all.find((s) => /Say what you believe/.test(s.name));
    assert.ok(trait, `no "Say what you believe" symbol in: ${names(all).join(' | ')}`);
    const parts = names(trait.children);
    for (const part of ['Why', 'Trade-offs', 'Exceptions', 'Examples']) {
      assert.ok(
        parts.some((p) => p.includes(part)),
        `"${part}" part missing from: ${parts.join(' | ')}`,
      );
    }
  });
});
