import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

const ROOT = join(__dirname, '..', '..');
const DRAFT = join(ROOT, 'examples', 'draft.traits.md');
const uri = pathToFileURL(DRAFT).href;

/** Talks JSON-RPC to `trait-studio lsp --stdio` (the built CLI) as another editor would. */
describe('trait-studio lsp --stdio', () => {
  let child: ChildProcessWithoutNullStreams;
  let connection: MessageConnection;
  let stderr = '';

  before(async () => {
    child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'lsp', '--stdio']);
    child.stderr.on('data', (d) => (stderr += d));
    connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    const init = await connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      capabilities: { textDocument: { diagnostic: {} }, workspace: { diagnostics: { refreshSupport: false } } },
    });
    assert.ok(init.capabilities.diagnosticProvider, 'pull diagnostics are offered');
    assert.ok(init.capabilities.renameProvider);
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'traits', version: 1, text: readFileSync(DRAFT, 'utf8') },
    });
  });

  after(async () => {
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    connection.dispose();
  });

  it('pulls diagnostics with rule codes linked to their docs', async () => {
    const report = await connection.sendRequest<{
      kind: string;
      items: { code: string; source: string; range: { start: { line: number } }; codeDescription: { href: string } }[];
    }>('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(report.kind, 'full');
    const rationale = report.items.filter((d) => d.code === 'missing-rationale');
    assert.deepEqual(
      rationale.map((d) => d.range.start.line),
      [6, 10],
    );
    assert.ok(report.items.every((d) => d.source === 'traits'));
    assert.match(rationale[0].codeDescription.href, /^file:.*\/docs\/rules\/missing-rationale\.md$/);
  });

  it('answers symbols, hover, completion, code actions and rename', async () => {
    const symbols = await connection.sendRequest<{ name: string; children?: { name: string }[] }[]>('textDocument/documentSymbol', {
      textDocument: { uri },
    });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children?.map((c) => c.name)]),
      [['Conversation', ['Ask before acting', 'Be good', 'Format answers']]],
    );

    const hover = await connection.sendRequest<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 6, character: 5 },
    });
    assert.match(hover.contents.value, /Reason: \*\*missing\*\*/);
    assert.match(hover.contents.value, /6 diagnostics/);

    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 12, character: 19 }, end: { line: 12, character: 19 } }, text: ' See [[Be' }],
    });
    const items = await connection.sendRequest<{ label: string; textEdit: { newText: string } }[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 12, character: 28 },
    });
    assert.deepEqual(items.map((i) => i.label).sort(), ['Ask before acting', 'Be good', 'Conversation', 'Format answers']);
    assert.equal(items.find((i) => i.label === 'Be good')?.textEdit.newText, 'Be good]]');

    const diagnostics = (
      await connection.sendRequest<{ items: { code: string; range: unknown; message: string; source: string }[] }>(
        'textDocument/diagnostic',
        { textDocument: { uri } },
      )
    ).items;
    const missing = diagnostics.find((d) => d.code === 'missing-rationale')!;
    const actions = await connection.sendRequest<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>(
      'textDocument/codeAction',
      {
        textDocument: { uri },
        range: missing.range,
        context: { diagnostics: [missing] },
      },
    );
    // This client declares no snippet edits: plain text, the placeholder included.
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Add missing parts: Why, Trade-offs, Exceptions',
        'Add a Why part',
        'Disable missing-rationale for this line',
        'Disable missing-rationale for this file',
      ],
    );
    assert.match(actions[1].edit.changes[uri][0].newText, /^\n\n### Why\n\n\S.+$/);

    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 12, character: 28 }, end: { line: 12, character: 28 } }, text: ' good]]' }],
    });
    const edit = await connection.sendRequest<{ changes: Record<string, { newText: string; range: { start: { line: number } } }[]> }>(
      'textDocument/rename',
      {
        textDocument: { uri },
        position: { line: 10, character: 5 },
        newName: 'Be specific',
      },
    );
    assert.deepEqual(
      edit.changes[uri].map((e) => [e.range.start.line, e.newText]),
      [
        [10, 'Be specific'],
        [12, 'Be specific'],
      ],
    );
    assert.equal(stderr, '');
  });
});

/**
 * The editor's settings reach the server: a client that answers `workspace/configuration` (as VS
 * Code does for the `traitStudio` section) changes the diagnostics, at start and after
 * `workspace/didChangeConfiguration`; and the Lint Workspace request lints the texts it is sent.
 */
describe('trait-studio lsp --stdio: editor settings and Lint Workspace', { timeout: 30_000 }, () => {
  let child: ChildProcessWithoutNullStreams;
  let connection: MessageConnection;
  let stderr = '';
  /** What the client answers for the `traitStudio` section. */
  let settings: unknown = null;
  const asked: unknown[] = [];
  /** Resolves on the server's next `workspace/diagnostic/refresh` (it sends one after (re)reading the settings). */
  let refreshed: Promise<void>;
  let onRefresh: () => void = () => undefined;
  // Sets `refreshed` (awaited after the notification that triggers the refresh); returns nothing, so no promise floats.
  const expectRefresh = (): void => {
    refreshed = new Promise<void>((resolve) => (onRefresh = resolve));
  };
  type Item = { code: string; severity: number; message: string };
  const pull = async () => (await connection.sendRequest<{ items: Item[] }>('textDocument/diagnostic', { textDocument: { uri } })).items;
  const rules = (items: Item[]) => [...new Set(items.map((d) => d.code))].sort();

  before(async () => {
    child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'lsp', '--stdio']);
    child.stderr.on('data', (d) => (stderr += d));
    connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      asked.push(params.items.map((i) => i.section));
      return params.items.map(() => settings);
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      onRefresh();
      return null;
    });
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      capabilities: {
        textDocument: { diagnostic: {} },
        workspace: { configuration: true, diagnostics: { refreshSupport: true }, didChangeConfiguration: {} },
      },
    });
    settings = { rules: { 'missing-rationale': 'off', 'missing-tradeoffs': 'error', TS202: 'hint' }, chunkTokenBudget: 3000 };
    expectRefresh();
    await connection.sendNotification('initialized', {});
    await refreshed;
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'traits', version: 1, text: readFileSync(DRAFT, 'utf8') },
    });
  });

  after(async () => {
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    await new Promise((resolve) => child.on('exit', resolve));
    connection.dispose();
  });

  it('reads traitStudio.rules at start: a rule turned off, severities by name and by id', async () => {
    assert.deepEqual(asked, [['traitStudio']]);
    const items = await pull();
    // The default settings report missing-rationale on two traits (see the first suite).
    assert.ok(!rules(items).includes('missing-rationale'), JSON.stringify(rules(items)));
    const tradeoffs = items.filter((d) => d.code === 'missing-tradeoffs');
    assert.equal(tradeoffs.length, 3);
    assert.ok(
      tradeoffs.every((d) => d.severity === 1),
      'missing-tradeoffs set to error',
    );
    // TS202 is surface-form-prescription.
    const surface = items.filter((d) => d.code === 'surface-form-prescription');
    assert.equal(surface.length, 2);
    assert.ok(
      surface.every((d) => d.severity === 4),
      'TS202 set to hint',
    );
    assert.ok(!rules(items).includes('chunk-too-long'));
  });

  it('reloads the settings when they change: rules back to defaults, a small chunkTokenBudget', async () => {
    // 5 tokens (20 characters): every trait of the draft is longer.
    settings = { rules: {}, chunkTokenBudget: 5 };
    expectRefresh();
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await refreshed;
    const items = await pull();
    assert.equal(items.filter((d) => d.code === 'missing-rationale').length, 2);
    assert.ok(items.filter((d) => d.code === 'missing-tradeoffs').every((d) => d.severity === 2));
    assert.equal(items.filter((d) => d.code === 'chunk-too-long').length, 3);
  });

  it('reports traitStudio.rules it cannot use as a problem, and lints with the defaults', async () => {
    settings = { rules: { 'no-such-rule': 'error' }, chunkTokenBudget: 3000 };
    expectRefresh();
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await refreshed;
    const items = await pull();
    assert.match(items[0].message, /traitStudio\.rules is ignored/);
    assert.equal(items.filter((d) => d.code === 'missing-rationale').length, 2);
  });

  it('answers traitStudio/lintTexts with every document sent, in order, with its traits and diagnostics', async () => {
    settings = { rules: { 'vague-trait': 'off' }, chunkTokenBudget: 3000 };
    expectRefresh();
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await refreshed;
    const kind =
      '# Be kind\n\nThe assistant is kind to people, because kindness builds trust, unless honesty requires a hard truth, balancing warmth against candour.\n';
    const documents = [
      { uri: 'file:///nowhere/draft.traits.md', text: readFileSync(DRAFT, 'utf8') },
      { uri: 'file:///nowhere/kind.traits.md', text: kind },
      { uri: 'file:///nowhere/empty.traits.md', text: '' },
    ];
    const result = await connection.sendRequest<{ documents: { uri: string; traits: number; diagnostics: Item[] }[] }>(
      'traitStudio/lintTexts',
      { documents },
    );
    assert.deepEqual(
      result.documents.map((d) => [d.uri, d.traits]),
      [
        [documents[0].uri, 3],
        [documents[1].uri, 1],
        [documents[2].uri, 0],
      ],
    );
    const [draft, kindResult, empty] = result.documents;
    // The draft's 15 findings (the CLI's) less the 3 vague-trait ones the settings turn off.
    assert.equal(draft.diagnostics.length, 12);
    assert.deepEqual(rules(draft.diagnostics), [
      'missing-exceptions',
      'missing-rationale',
      'missing-tradeoffs',
      'surface-form-prescription',
      'unqualified-absolute',
    ]);
    // "Be kind" states a reason, a trade-off and an exception; its one finding by default,
    // vague-trait (under 25 words, no example), is turned off.
    assert.deepEqual(kindResult.diagnostics, []);
    assert.deepEqual(empty.diagnostics, []);
    assert.equal(stderr, '');
  });
});
