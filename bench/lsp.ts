/**
 * Benchmark: edit → new diagnostics over LSP on the OpenAI Model Spec. Starts `trait-studio lsp
 * --stdio` (the built CLI), opens the Model Spec, then makes EDITS single-character edits in trait
 * prose, each followed by a pull-diagnostics request, timing from sending the edit to receiving the
 * diagnostics. Prints p50 and p95 (goal p95 <= 30 ms), the server's resident memory after opening
 * the document, and, as the peer measured in the same run, markdownlint linting the same text
 * in-process.
 *
 * Then the large and adversarial documents of issue 11: the Model Spec repeated to 10 MB and 1,000
 * traits with unknown references (bench/adversarial.ts). For each: a keystroke → diagnostics, and
 * a hover on another (small) document sent while those diagnostics are being computed, timed from
 * sending to answer (a server that lints on its request thread makes the hover wait for the lint).
 * Each wait is stopped after CAP seconds and then reported as "> CAP s". Not a test: nothing here
 * fails.
 *
 * Run: npm run bench
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lint as markdownlint } from 'markdownlint/sync';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { repeatedText, unknownReferences } from './adversarial';

const EDITS = 100;
const file = process.argv[2] ?? join(__dirname, '..', '..', 'test', 'fixtures', 'corpus', 'openai-model-spec.md');
const text = readFileSync(file, 'utf8');
const uri = pathToFileURL(file).href;

function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function main() {
  const child = spawn(process.execPath, [join(__dirname, '..', 'cli.js'), 'lsp', '--stdio']);
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {} } } });
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'traits', version: 1, text } });
  const first = (await connection.sendRequest<{ items: unknown[] }>('textDocument/diagnostic', { textDocument: { uri } })).items.length;
  const memory = residentMb(child.pid!);

  // Edit lines of prose (not headings, not code) spread over the document.
  const lines = text.split('\n');
  const prose = lines.map((l, i) => [l, i] as const).filter(([l]) => /^[A-Z][a-z]/.test(l)).map(([, i]) => i);
  const samples: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const line = prose[Math.floor((i * prose.length) / EDITS)];
    const start = process.hrtime.bigint();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: i % 2 ? 'x' : 'y' }],
    });
    await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();

  const peer: number[] = [];
  for (let i = 0; i < 12; i++) {
    const start = process.hrtime.bigint();
    markdownlint({ strings: { doc: text }, config: { default: true } });
    peer.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const p50 = percentile(samples, 0.5);
  const p95 = percentile(samples, 0.95);
  const peerMedian = percentile(peer.slice(2), 0.5);
  console.log(`LSP edit -> diagnostics on ${file} (${first} diagnostics), ${EDITS} edits:`);
  console.log(`  p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (goal p95 <= 30 ms)`);
  console.log(`  server resident memory after opening it: ${memory.toFixed(0)} MB`);
  console.log(`  peer: markdownlint lints the same text in ${peerMedian.toFixed(1)} ms (median); edit->diagnostics p50 is ${(peerMedian / p50).toFixed(1)}x faster`);

  await adversarial('the Model Spec repeated to 10 MB', repeatedText(text, 10_000_000));
  await adversarial('1,000 traits with unknown [[references]]', unknownReferences(1000));
}

const CAP = Number(process.env.LSP_BENCH_CAP ?? 120);

/** Milliseconds until `promise` settles, or undefined after CAP seconds. */
async function timed(promise: Promise<unknown>): Promise<number | undefined> {
  const start = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  const capped = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CAP * 1000)));
  const done = await Promise.race([promise.then(() => true, () => true), capped]);
  clearTimeout(timer);
  return done ? Number(process.hrtime.bigint() - start) / 1e6 : undefined;
}

const show = (ms: number | undefined) => (ms === undefined ? `> ${CAP} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Opens `big` and a small document; times a keystroke → diagnostics on `big`, and a hover on the small one meanwhile. */
async function adversarial(label: string, big: string): Promise<void> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'cli.js'), 'lsp', '--stdio']);
  const connection: MessageConnection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  try {
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {} } } });
    await connection.sendNotification('initialized', {});
    const small = 'file:///bench/small.traits.md';
    const large = 'file:///bench/large.traits.md';
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'traits', version: 1, text: '# Be honest\n\nSay what you believe.\n' } });
    await connection.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 3 } });
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: large, languageId: 'traits', version: 1, text: big } });
    const first = await timed(connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: large } }));
    const keystrokes: (number | undefined)[] = [];
    const hovers: (number | undefined)[] = [];
    for (let i = 0; i < 2 && first !== undefined; i++) {
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: large, version: i + 2 },
        contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'x' }],
      });
      const diagnostics = timed(connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: large } }));
      hovers.push(await timed(connection.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 3 } })));
      keystrokes.push(await diagnostics);
      if (keystrokes[i] === undefined) break;
    }
    console.log(`LSP, ${label} (${(big.length / 1e6).toFixed(2)} MB): first diagnostics ${show(first)}; keystroke -> diagnostics ${keystrokes.map(show).join(', ') || 'not reached'}; hover on another document meanwhile ${hovers.map(show).join(', ') || 'not reached'}`);
  } finally {
    connection.dispose();
    child.kill('SIGKILL');
  }
}

void main();
