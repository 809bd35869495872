/**
 * Benchmark: edit → new diagnostics over LSP, on the OpenAI Model Spec (264 KB) and the Claude
 * constitution (145 KB), both in test/fixtures/corpus. For each document: starts `trait-studio lsp
 * --stdio` (the built CLI), opens the document, makes WARMUP untimed edits, then EDITS
 * single-character edits in trait prose spread over the document, each followed by a pull-diagnostics
 * request, timing from sending the edit to receiving the diagnostics; then LINE_EDITS edits that insert a line break (which shifts
 * every line below: the worst case for reusing the previous parse). Prints p50 and p95 of wall-clock
 * time (goal: p95 <= 15 ms for the single-character edits) and the server's CPU time per edit (from
 * /proc: less sensitive than wall-clock time to other processes on a busy machine), the server's
 * resident memory after opening the document, and, as the peer measured in the same run,
 * markdownlint linting the same text in-process. With LSP_BENCH_BASELINE, a second (older) build is
 * timed on the same edits in turn with this one, and both are printed.
 *
 * Then the large and adversarial documents of issue 11: the Model Spec repeated to 10 MB and 1,000
 * traits with unknown references (bench/adversarial.ts). For each: a keystroke → diagnostics, and
 * a hover on another (small) document sent while those diagnostics are being computed, timed from
 * sending to answer (a server that lints on its request thread makes the hover wait for the lint).
 * Each wait is stopped after CAP seconds and then reported as "> CAP s". Not a test: nothing here
 * fails.
 *
 * Run: npm run bench [-- FILE ...]; `LSP_BENCH_EDITS_ONLY=1` leaves out the large and adversarial documents.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lint as markdownlint } from 'markdownlint/sync';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { repeatedText, unknownReferences } from './adversarial';

const EDITS = 100;
/**
 * `LSP_BENCH_BASELINE=/path/to/dist/cli.js`: a build of another commit, timed on the same edits in
 * turn with this one (old and new in the same run, under the same load). Unset: this build alone.
 */
const BASELINE = process.env.LSP_BENCH_BASELINE;
/** `LSP_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`: Node options for the timed servers (profiling them). */
const NODE_ARGS = process.env.LSP_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const WARMUP = 20;
const LINE_EDITS = 30;
const corpus = join(__dirname, '..', '..', 'test', 'fixtures', 'corpus');
const files =
  process.argv.length > 2 ? process.argv.slice(2) : [join(corpus, 'openai-model-spec.md'), join(corpus, 'claude-constitution.md')];

function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A language server started for the benchmark, with the document open in it. */
interface Server {
  readonly label: string;
  readonly pid: number;
  readonly connection: MessageConnection;
  version: number;
}

/** Starts `cli` (a built dist/cli.js) as a language server and opens `text` in it; resolves with its first diagnostics' count. */
async function startServer(label: string, cli: string, uri: string, text: string): Promise<{ server: Server; first: number }> {
  const child = spawn(process.execPath, [...NODE_ARGS, cli, 'lsp', '--stdio']);
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {} } } });
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'traits', version: 1, text } });
  const first = (await connection.sendRequest<{ items: unknown[] }>('textDocument/diagnostic', { textDocument: { uri } })).items.length;
  return { server: { label, pid: child.pid!, connection, version: 1 }, first };
}

async function stopServer({ connection }: Server): Promise<void> {
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
}

/** Wall-clock samples (ms) and CPU time per edit (ms) of one server over a run of edits. */
interface Timings {
  readonly samples: number[];
  readonly cpuPerEdit: number;
}

async function bench(file: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).href;
  const started = [await startServer('this build', join(__dirname, '..', 'cli.js'), uri, text)];
  if (BASELINE) started.push(await startServer('baseline', BASELINE, uri, text));
  const servers = started.map((s) => s.server);
  const memory = servers.map((s) => residentMb(s.pid));

  // Edit lines of prose (not headings, not code) spread over the document.
  const lines = text.split('\n');
  const prose = lines
    .map((l, i) => [l, i] as const)
    .filter(([l]) => /^[A-Z][a-z]/.test(l))
    .map(([, i]) => i);
  // Each edit goes to every server in turn, so that a busy neighbour slows them alike.
  const run = async (count: number, change: (i: number) => { line: number; text: string }): Promise<Timings[]> => {
    const samples = servers.map((): number[] => []);
    const cpuBefore = servers.map((s) => cpuMs(s.pid));
    for (let i = 0; i < count; i++) {
      const { line, text: inserted } = change(i);
      for (const [k, server] of servers.entries()) {
        const start = process.hrtime.bigint();
        await server.connection.sendNotification('textDocument/didChange', {
          textDocument: { uri, version: ++server.version },
          contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: inserted }],
        });
        await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
        samples[k].push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    return servers.map((s, k) => ({ samples: samples[k], cpuPerEdit: (cpuMs(s.pid) - cpuBefore[k]) / count }));
  };
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const loadBefore = load();
  // Warm-up, not timed: an editor session types many keystrokes, and the first few after opening
  // the document run while the server's code is still being compiled.
  await run(WARMUP, (i) => ({ line: prose[Math.floor(((i + 0.5) * prose.length) / WARMUP)], text: 'w' }));
  const chars = await run(EDITS, (i) => ({ line: prose[Math.floor((i * prose.length) / EDITS)], text: i % 2 ? 'x' : 'y' }));
  // Each inserted line break shifts the lines below it; the edit lines move with them.
  const breaks = await run(LINE_EDITS, (i) => ({ line: prose[Math.floor((i * prose.length) / LINE_EDITS)] + i, text: '\n' }));
  const loadAfter = load();
  for (const server of servers) await stopServer(server);

  const peer: number[] = [];
  for (let i = 0; i < 12; i++) {
    const start = process.hrtime.bigint();
    markdownlint({ strings: { doc: text }, config: { default: true } });
    peer.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const peerMedian = percentile(peer.slice(2), 0.5);
  const show = ({ samples, cpuPerEdit }: Timings) =>
    `p50 ${percentile(samples, 0.5).toFixed(1)} ms, p95 ${percentile(samples, 0.95).toFixed(1)} ms; server CPU ${cpuPerEdit.toFixed(1)} ms per edit`;
  console.log(
    `LSP edit -> diagnostics on ${file} (${(text.length / 1024).toFixed(0)} KB, ${started[0].first} diagnostics; load average ${loadBefore} before, ${loadAfter} after):`,
  );
  servers.forEach((server, k) => {
    const who = servers.length > 1 ? `${server.label}: ` : '';
    if (k && started[k].first !== started[0].first) console.log(`  ${who}${started[k].first} diagnostics at open`);
    console.log(`  ${who}${EDITS} single-character edits: ${show(chars[k])} (goal p95 <= 15 ms)`);
    console.log(`  ${who}${LINE_EDITS} line-break edits (shift every line below): ${show(breaks[k])}`);
    console.log(`  ${who}server resident memory after opening it: ${memory[k].toFixed(0)} MB`);
  });
  console.log(
    `  peer: markdownlint lints the same text in ${peerMedian.toFixed(1)} ms (median); edit->diagnostics p50 is ${(peerMedian / percentile(chars[0].samples, 0.5)).toFixed(1)}x faster`,
  );
}

const CAP = Number(process.env.LSP_BENCH_CAP ?? 120);

/** Milliseconds until `promise` settles, or undefined after CAP seconds. */
async function timed(promise: Promise<unknown>): Promise<number | undefined> {
  const start = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  const capped = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CAP * 1000)));
  const done = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    capped,
  ]);
  clearTimeout(timer);
  return done ? Number(process.hrtime.bigint() - start) / 1e6 : undefined;
}

const show = (ms: number | undefined) =>
  ms === undefined ? `> ${CAP} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;

/** Opens `big` and a small document; times a keystroke → diagnostics on `big`, and a hover on the small one meanwhile. */
async function adversarial(label: string, big: string): Promise<void> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'cli.js'), 'lsp', '--stdio']);
  const connection: MessageConnection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  connection.listen();
  try {
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { diagnostic: {} } },
    });
    await connection.sendNotification('initialized', {});
    const small = 'file:///bench/small.traits.md';
    const large = 'file:///bench/large.traits.md';
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: small, languageId: 'traits', version: 1, text: '# Be honest\n\nSay what you believe.\n' },
    });
    await connection.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 3 } });
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: large, languageId: 'traits', version: 1, text: big },
    });
    const first = await timed(connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: large } }));
    const keystrokes: (number | undefined)[] = [];
    const hovers: (number | undefined)[] = [];
    for (let i = 0; i < 2 && first !== undefined; i++) {
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: large, version: i + 2 },
        contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'x' }],
      });
      const diagnostics = timed(connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: large } }));
      hovers.push(
        await timed(connection.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 3 } })),
      );
      keystrokes.push(await diagnostics);
      if (keystrokes[i] === undefined) break;
    }
    console.log(
      `LSP, ${label} (${(big.length / 1e6).toFixed(2)} MB): first diagnostics ${show(first)}; keystroke -> diagnostics ${keystrokes.map(show).join(', ') || 'not reached'}; hover on another document meanwhile ${hovers.map(show).join(', ') || 'not reached'}`,
    );
  } finally {
    connection.dispose();
    child.kill('SIGKILL');
  }
}

async function main() {
  console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  for (const file of files) await bench(file);
  if (process.env.LSP_BENCH_EDITS_ONLY) return;
  await adversarial(
    'the Model Spec repeated to 10 MB',
    repeatedText(readFileSync(join(corpus, 'openai-model-spec.md'), 'utf8'), 10_000_000),
  );
  await adversarial('1,000 traits with unknown [[references]]', unknownReferences(1000));
}

void main();
