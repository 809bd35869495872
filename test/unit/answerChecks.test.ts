// An answer cut off at the output token limit (Gemini MAX_TOKENS, OpenAI-compatible "length"),
// holding U+FFFD or control characters, or over the size limit is asked for once more and then an
// error for its item — in a run, a line in rejected.jsonl with the reason — never training data.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { answerProblem, DEFAULT_MAX_ANSWER_CHARS } from '../../server/src/llm/answerCheck';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import { traitChunk } from '../../server/src/generation/chunk';
import { previewScenarios } from '../../server/src/generation/preview';
import { runDataset } from '../../server/src/generation/run';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { OpenAICompatibleProvider } from '../../server/src/llm/openai';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/server';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'assistant.traits.md');
const DOC = parseTraitDocument('# Honesty\n\n## Admit mistakes\n\nAster says plainly when it was wrong, because trust depends on it.\n');
const CHUNK = traitChunk(DOC, DOC.traits[0]);
const GOOD_RESPONSE = 'You are right: I was wrong about X. Here is the correct answer.';

const GOOD: Record<string, (r: LoggedRequest) => Reply> = {
  brainstorm: () => ({
    kind: 'text',
    text: JSON.stringify({ ideas: [1, 2].map((n) => ({ what: `situation ${n}`, how: 'admits it', why: 'trust' })) }),
  }),
  scenario: (r) => ({
    kind: 'text',
    text: JSON.stringify({ message: `user message for ${/situation \d/.exec(JSON.stringify(r.body))?.[0]}` }),
  }),
  critique: () => ({ kind: 'text', text: JSON.stringify({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' }) }),
  baseline: () => ({ kind: 'text', text: 'Great question! There are many perspectives.' }),
  sharpen: () => ({
    kind: 'text',
    text: JSON.stringify({ sharpened: false, reason: 'specific', message: 'You told me X yesterday. Why?' }),
  }),
  response: () => ({ kind: 'text', text: GOOD_RESPONSE }),
  autorate: () => ({ kind: 'text', text: JSON.stringify({ score: 9, verdict: 'keep', reasons: 'plain' }) }),
};

describe('answerProblem', () => {
  it('accepts ordinary text, line breaks (LF and CRLF), tabs, emoji and non-Latin scripts', () => {
    assert.equal(answerProblem('Line one.\n\tIndented; 🙂 日本語\r\nEnd.', 'STOP'), undefined);
    assert.equal(answerProblem('x'.repeat(DEFAULT_MAX_ANSWER_CHARS), undefined), undefined);
  });

  it('refuses a cut-off answer, U+FFFD, lone surrogates, control characters and an oversized answer', () => {
    assert.match(answerProblem('It was cut mid-wo', 'MAX_TOKENS')!, /cut off at the output token limit \(finish reason MAX_TOKENS\)/);
    assert.match(answerProblem('It was cut mid-wo', 'length')!, /finish reason length/);
    assert.match(answerProblem('caf\ufffd', 'STOP')!, /U\+FFFD .* at character 3/);
    assert.match(answerProblem('bad \ud800 half', 'STOP')!, /lone surrogate/);
    assert.match(answerProblem('red \x1b[31m text', 'STOP')!, /control character \(U\+001B\) at character 4/);
    assert.match(answerProblem('bell\x07', 'STOP')!, /U\+0007/);
    assert.match(answerProblem('lone\rreturn', 'STOP')!, /U\+000D/);
    assert.match(answerProblem('c1 \u009b', 'STOP')!, /U\+009B/);
    assert.match(answerProblem('x'.repeat(11), 'STOP', { maxChars: 10 })!, /11 characters long, over the limit of 10/);
  });

  it('looks inside a structured answer, where JSON escapes hide control characters', () => {
    const escaped = JSON.stringify({ message: 'hello\u0007 there' });
    assert.equal(answerProblem(escaped, 'STOP'), undefined, 'the raw text is clean');
    assert.match(answerProblem(escaped, 'STOP', undefined, true)!, /U\+0007/);
    assert.match(answerProblem(JSON.stringify({ ideas: [{ what: 'a\ufffd' }] }), 'STOP', undefined, true)!, /U\+FFFD/);
    assert.equal(answerProblem('not json', 'STOP', undefined, true), undefined, 'left to the stage');
  });
});

describe('the stages refuse such answers (real SDKs, fakes)', () => {
  let fake: FakeGemini;
  let openai: FakeOpenAI;
  const policy = () => new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 });
  const provider = () => new GeminiProvider({ apiKey: 'k', baseUrl: fake.baseUrl, policy: policy() });
  const templates = loadTemplates(TEMPLATE_STAGES);
  before(async () => {
    fake = await startFakeGemini();
    openai = await startFakeOpenAI();
  });
  after(async () => {
    await fake.close();
    await openai.close();
  });
  beforeEach(() => fake.setResponder((r) => GOOD[stageOf(r)](r)));

  /** The preview with the response stage answering `reply` every time. */
  const previewWith = async (reply: Reply, more: Parameters<typeof previewScenarios>[1] extends infer O ? Partial<O> : never = {}) => {
    fake.setResponder((r) => (stageOf(r) === 'response' ? reply : GOOD[stageOf(r)](r)));
    return previewScenarios(CHUNK, { provider: provider(), templates, count: 2, ...more });
  };

  for (const [what, reply, pattern] of [
    [
      'cut off at MAX_TOKENS',
      { kind: 'text', text: 'You are right: I was wro', finishReason: 'MAX_TOKENS' },
      /cut off at the output token limit/,
    ],
    ['holding U+FFFD', { kind: 'text', text: 'You are right: I was wr\ufffdng.' }, /U\+FFFD/],
    ['holding an escape sequence', { kind: 'text', text: 'You are right.\x1b]0;owned\x07' }, /control character/],
  ] as const) {
    it(`a response ${what} fails its scenario after a second ask, with no record`, async () => {
      fake.requests.length = 0;
      const results = await previewWith(reply as Reply);
      for (const r of results) {
        assert.match(r.error ?? '', new RegExp(`^response: .*${pattern.source}.*\\(asked twice\\)$`));
        assert.equal(r.response, null);
        assert.equal(r.record, null);
      }
      assert.equal(fake.requests.filter((q) => stageOf(q) === 'response').length, 4);
    });
  }

  // Every other stage's answer here is under 300 characters.
  const LONG_RESPONSE = `${GOOD_RESPONSE} ${'More detail. '.repeat(40)}`.trim();

  it('a response over the configured limit fails; within it, it passes', async () => {
    const long = { kind: 'text', text: LONG_RESPONSE } as const;
    const over = await previewWith(long, { answerLimits: { maxChars: 400 } });
    assert.ok(
      over.every((r) => /^response: the answer is \d+ characters long, over the limit of 400/.test(r.error ?? '')),
      over.map((r) => r.error).join('\n'),
    );
    const within = await previewWith(long, { answerLimits: { maxChars: LONG_RESPONSE.length } });
    assert.ok(within.every((r) => r.error === null && r.response === LONG_RESPONSE));
  });

  it('a control character escaped inside a structured answer (the user message) fails the stage', async () => {
    fake.setResponder((r) =>
      stageOf(r) === 'sharpen'
        ? { kind: 'text', text: JSON.stringify({ sharpened: true, reason: 'x', message: 'Why?\u001b[2J' }) }
        : GOOD[stageOf(r)](r),
    );
    const results = await previewScenarios(CHUNK, { provider: provider(), templates, count: 1 });
    assert.match(results[0].error ?? '', /^sharpen: .*U\+001B/);
    assert.equal(results[0].record, null);
  });

  it('a cached answer over a lower limit is not served', async () => {
    const cache = new MemoryAnswerCache();
    const first = await previewWith({ kind: 'text', text: LONG_RESPONSE }, { cache });
    assert.ok(first.every((r) => r.error === null));
    fake.requests.length = 0;
    const again = await previewWith({ kind: 'text', text: 'Short.' }, { cache, answerLimits: { maxChars: 400 } });
    assert.ok(
      again.every((r) => r.response === 'Short.'),
      again.map((r) => r.error ?? r.response).join('\n'),
    );
    assert.equal(fake.requests.filter((q) => stageOf(q) === 'response').length, 2);
  });

  it('an OpenAI-compatible baseline cut off at finish_reason "length" fails its scenario', async () => {
    openai.setResponder(() => ({ kind: 'text', text: 'Sure, here is a long answ', finishReason: 'length' }));
    const results = await previewScenarios(CHUNK, {
      provider: provider(),
      baselineProvider: new OpenAICompatibleProvider({ baseUrl: openai.baseUrl, policy: policy() }),
      models: { baseline: 'local' },
      templates,
      count: 1,
    });
    assert.match(results[0].error ?? '', /^baseline: .*finish reason length/);
  });

  it('in a run, such an item goes to rejected.jsonl with the reason, and no SFT file gets it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trait-studio-answers-'));
    try {
      fake.setResponder((r) =>
        stageOf(r) === 'response' ? { kind: 'text', text: 'Cut mid-wo', finishReason: 'MAX_TOKENS' } : GOOD[stageOf(r)](r),
      );
      const manifest = await runDataset({
        documentPath: '/docs/a.traits.md',
        documentText: '# Honesty\n\n## Admit mistakes\n\nAster says plainly when it was wrong, because trust depends on it.\n',
        outDir: dir,
        perTrait: 2,
        formats: ['openai', 'gemini'],
        midtraining: 0,
        concurrency: 2,
        provider: provider(),
        providerId: 'gemini',
        templates,
      });
      assert.equal(manifest.counts.failed, 2);
      assert.equal(manifest.counts.accepted, 0);
      const rejected = readFileSync(join(dir, 'rejected.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        rejected.map((r) => r.reason),
        ['error', 'error'],
      );
      assert.ok(
        rejected.every(
          (r) =>
            /^response: the answer was cut off at the output token limit \(finish reason MAX_TOKENS\)/.test(r.error) && r.response === null,
        ),
      );
      for (const file of ['sft.openai.jsonl', 'sft.gemini.jsonl', 'records.jsonl'])
        assert.ok(!existsSync(join(dir, file)) || readFileSync(join(dir, file), 'utf8') === '', file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('generate --max-answer-chars sets the limit (built CLI); a bad value is a usage error', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'trait-studio-answers-cli-'));
    try {
      const run = (args: string[]) =>
        new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            [CLI, ...args],
            {
              cwd,
              env: {
                PATH: process.env.PATH ?? '',
                XDG_CACHE_HOME: join(cwd, 'cache'),
                GEMINI_API_KEY: 'k',
                GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
              },
            },
            (error, _stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
          ),
        );
      fake.setResponder((r) => GOOD[stageOf(r)](r));
      const r = await run([
        'generate',
        EXAMPLE,
        '--out',
        'run',
        '--traits',
        'candour',
        '--per-trait',
        '1',
        '--no-cache',
        '--max-answer-chars',
        '20',
      ]);
      assert.equal(r.code, 1, r.stderr);
      const [line] = readFileSync(join(cwd, 'run', 'rejected.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      // The brainstorm's answer is the first over 20 characters.
      assert.match(line.error, /^brainstorm: the answer is \d+ characters long, over the limit of 20/);
      const bad = await run(['generate', EXAMPLE, '--out', 'run2', '--max-answer-chars', 'lots']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--max-answer-chars must be a whole number/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
