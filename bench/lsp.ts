/**
 * Benchmark: edit → new diagnostics over LSP on the OpenAI Model Spec. Starts `trait-studio lsp
 * --stdio` (the built CLI), opens the Model Spec, then makes EDITS single-character edits in trait
 * prose, each followed by a pull-diagnostics request, timing from sending the edit to receiving the
 * diagnostics. Prints p50 and p95 (goal p95 <= 30 ms), the server's resident memory after opening
 * the document, and, as the peer measured in the same run, markdownlint linting the same text
 * in-process. Not a test: nothing here fails.
 *
 * Run: npm run bench
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lint as markdownlint } from 'markdownlint/sync';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

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
}

void main();
