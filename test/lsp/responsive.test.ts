/**
 * The language server stays responsive whatever it is given (issue 11): each document is analysed in
 * its own worker, so a hover on one document answers while another lints; a lint stops when it is
 * cancelled, when a newer version arrives, or when its time budget is spent, and a document beyond
 * the size limit is not analysed — each said in a diagnostic that names the setting. And a message
 * header without a valid Content-Length is answered with an error and skipped, not left to block
 * every later message. Over stdio, against the built CLI (`npm run build` first).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { repeatedText } from '../../bench/adversarial';
import { MODEL_SPEC } from '../unit/fixtures';

const ROOT = join(__dirname, '..', '..');
const SMALL = 'file:///responsive/small.traits.md';
const SMALL_TEXT = '# Be honest\n\nSay what you believe, and why.\n';
/** Large enough that parsing and linting it take seconds, under the default size limit (20 MB). */
const HUGE_TEXT = repeatedText(readFileSync(MODEL_SPEC, 'utf8'), 12_000_000);

interface Diagnostic {
  code?: string;
  message: string;
}

/** Every server started here, killed after the tests however they ended (a failed test skips its close()). */
const started: ChildProcessWithoutNullStreams[] = [];
after(() => started.forEach((child) => child.kill('SIGKILL')));

/** A client for `trait-studio lsp --stdio` whose `traitStudio` settings are `settings`. */
class Client {
  readonly child: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  /** Log messages (window/logMessage) and the client's own error log, in order. */
  readonly logs: string[] = [];
  readonly errors: string[] = [];
  stderr = '';
  private version = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private configured!: Promise<void>;
  /** How many times the server has asked for the settings. */
  private configurations = 0;

  constructor(public settings: Record<string, unknown>) {
    this.child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'lsp', '--stdio']);
    started.push(this.child);
    this.child.stderr.on('data', (d) => (this.stderr += d));
    const note = (list: string[]) => (m: string) => {
      list.push(m);
      for (const wake of this.waiters.splice(0)) wake();
    };
    const logger = { error: note(this.errors), warn: () => undefined, info: () => undefined, log: () => undefined };
    this.connection = createMessageConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
      logger,
    );
    this.configured = new Promise((resolve) =>
      this.connection.onRequest('workspace/configuration', () => {
        this.configurations++;
        for (const wake of this.waiters.splice(0)) wake();
        resolve();
        return [this.settings];
      }),
    );
    this.connection.onNotification('window/logMessage', (p: { message: string }) => note(this.logs)(p.message));
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { diagnostic: {} }, workspace: { configuration: true } },
    });
    await this.connection.sendNotification('initialized', {});
    // The server asks for the settings after `initialized`; a request sent after the answer is
    // handled after the server has read it.
    await this.configured;
    await this.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///none' }, position: { line: 0, character: 0 } });
  }

  /** Gives the server new settings (it asks for them again on didChangeConfiguration). */
  async configure(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    const asked = this.configurations;
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await this.waitFor(() => this.configurations > asked);
    // A request sent after the answer is handled after the server has read it.
    await this.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///none' }, position: { line: 0, character: 0 } });
  }

  /** Resolves once a log (or error log) line satisfies `test`. */
  async waitFor(test: () => boolean): Promise<void> {
    while (!test()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  open(uri: string, text: string): Promise<void> {
    this.version.set(uri, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'traits', version: 1, text } });
  }

  /** Inserts `text` at the start of line 2. */
  edit(uri: string, text: string): Promise<void> {
    const version = (this.version.get(uri) ?? 1) + 1;
    this.version.set(uri, version);
    return this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text }],
    });
  }

  diagnostics(uri: string, token?: CancellationTokenSource): Promise<Diagnostic[]> {
    const params = { textDocument: { uri } };
    const request = token
      ? this.connection.sendRequest<{ items: Diagnostic[] }>('textDocument/diagnostic', params, token.token)
      : this.connection.sendRequest<{ items: Diagnostic[] }>('textDocument/diagnostic', params);
    return request.then((r) => r.items);
  }

  hover(uri: string): Promise<{ contents: { value: string } } | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 4 } });
  }

  async close(): Promise<void> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    await new Promise((resolve) => this.child.on('exit', resolve));
    this.connection.dispose();
  }
}

/** The order in which promises settle, by label. */
function settleOrder(promises: Record<string, Promise<unknown>>): Promise<string[]> {
  const order: string[] = [];
  return Promise.all(
    Object.entries(promises).map(([label, p]) =>
      p.then(
        () => order.push(label),
        () => order.push(label),
      ),
    ),
  ).then(() => order);
}

describe('a responsive language server (lsp --stdio)', () => {
  let client: Client;

  before(async () => {
    client = new Client({ lint: { timeBudgetSeconds: 120 } });
    await client.initialize();
    await client.open(SMALL, SMALL_TEXT);
    assert.match((await client.hover(SMALL))?.contents.value ?? '', /Trait/);
  });

  after(async () => {
    await client.close();
    assert.equal(client.stderr, '');
  });

  it('answers a hover on another document while a huge one lints', async () => {
    const huge = 'file:///responsive/huge.traits.md';
    await client.open(huge, HUGE_TEXT);
    const lint = client.diagnostics(huge);
    const order = await settleOrder({ lint, hover: client.hover(SMALL) });
    assert.deepEqual(order, ['hover', 'lint']);
    assert.ok((await lint).length > 1000, 'the huge document was linted in the end');
  });

  it('stops a lint the editor cancels, and one a newer version makes stale', async () => {
    const uri = 'file:///responsive/cancel.traits.md';
    await client.open(uri, HUGE_TEXT);
    const source = new CancellationTokenSource();
    const cancelled = client.diagnostics(uri, source);
    // Once another request is answered, the server has handed the lint to the document's worker.
    await client.hover(SMALL);
    source.cancel();
    await assert.rejects(cancelled, (e: unknown) => e instanceof ResponseError && e.code === -32800);
    // The worker notes that it stopped (rather than linting to the end).
    await client.waitFor(() => client.logs.some((l) => l.includes(`Analysis of ${uri} stopped: the request was cancelled.`)));

    const stale = client.diagnostics(uri);
    await client.edit(uri, 'x');
    await assert.rejects(
      stale,
      (e: unknown) =>
        e instanceof ResponseError && e.code === -32802 && (e.data as { retriggerRequest?: boolean })?.retriggerRequest === true,
    );
    assert.ok(client.logs.some((l) => l.includes(`Lint of ${uri} stopped: a newer version arrived.`)));
  });
});

describe('limits, said in diagnostics (lsp --stdio)', () => {
  it('does not analyse a document over traitStudio.lint.maxDocumentSizeMB, and says so', async () => {
    const client = new Client({ lint: { maxDocumentSizeMB: 0.0001 } });
    await client.initialize();
    const uri = 'file:///limits/large.traits.md';
    await client.open(uri, `${SMALL_TEXT}${'More words here. '.repeat(20)}`);
    const [diagnostic, ...rest] = await client.diagnostics(uri);
    assert.deepEqual(rest, []);
    assert.equal(diagnostic.code, 'document-too-large');
    assert.match(diagnostic.message, /over the 0\.0001 MB limit of the setting traitStudio\.lint\.maxDocumentSizeMB/);
    assert.equal(await client.hover(uri), null);
    await client.close();
  });

  it('stops a lint over traitStudio.lint.timeBudgetSeconds, says so, and does not retry it at that size', async () => {
    const client = new Client({ lint: { timeBudgetSeconds: 0.05 } });
    await client.initialize();
    const uri = 'file:///limits/slow.traits.md';
    await client.open(uri, HUGE_TEXT);
    const [diagnostic, ...rest] = await client.diagnostics(uri);
    assert.deepEqual(rest, []);
    assert.equal(diagnostic.code, 'lint-time-budget');
    assert.match(diagnostic.message, /Lint stopped after 0\.05 s, the limit of the setting traitStudio\.lint\.timeBudgetSeconds/);
    await client.edit(uri, 'x');
    assert.deepEqual(await client.diagnostics(uri), [diagnostic]);
    assert.equal(client.logs.filter((l) => l.startsWith(`Lint of ${uri} stopped`)).length, 1, 'linted once, not again at the same size');
    // Another document is linted as usual (under a budget no cold worker on a busy machine exceeds:
    // a small text's first lint compiles every rule, which can take longer than 0.05 s).
    await client.configure({ lint: { timeBudgetSeconds: 60 } });
    await client.open(SMALL, SMALL_TEXT);
    assert.ok((await client.diagnostics(SMALL)).some((d) => d.code === 'missing-tradeoffs'));
    await client.close();
  });
});

describe('message headers (lsp --stdio)', () => {
  for (const [name, header] of [
    ['without Content-Length', 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n'],
    ['with a Content-Length that is not a number', 'Content-Length: twelve\r\n\r\n'],
    ['with a line that is not "Name: value"', 'Content-Length 12\r\n\r\n'],
  ] as const) {
    it(`answers a message ${name} with an error, skips it, and reads the messages after it`, async () => {
      const client = new Client({});
      await client.initialize();
      await client.open(SMALL, SMALL_TEXT);
      client.child.stdin.write(`${header}{"jsonrpc":"2.0","id":999,"method":"shutdown"}`);
      const hover = await client.hover(SMALL);
      assert.match(hover?.contents.value ?? '', /Trait/);
      await client.waitFor(() => client.errors.some((e) => e.includes('Received response message without id')));
      assert.match(client.errors.join('\n'), /-32700[^]*a message header was not valid/);
      assert.match(client.stderr, /trait-studio lsp: a message header was not valid/);
      client.stderr = '';
      await client.close();
    });
  }
});
