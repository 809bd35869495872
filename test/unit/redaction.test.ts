// Credentials never leave through error text or provider ids: a fake server that echoes the API key
// in its error body (Gemini's x-goog-api-key, an OpenAI-compatible server's Authorization header)
// must not get it into rejected.jsonl, the manifest, stderr, the preview JSON, the audit's stderr or
// the editor's log; a base URL's userinfo and secret-looking query values are kept out of the
// provider ids a run records.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { redactingLog } from '../../client/src/redactingLog';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { OpenAICompatibleProvider } from '../../server/src/llm/openai';
import { credentialFreeUrl, redact, registerSecret, REDACTED } from '../../server/src/llm/redact';
import { RequestFailedError, RequestPolicy } from '../../server/src/llm/requestPolicy';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/server';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'assistant.traits.md');
/** A key of no well-known shape: only its registration can redact it. */
const KEY = 'test-secret-key-0123456789';

const ANSWERS: Record<string, string> = {
  brainstorm: JSON.stringify({ ideas: [{ what: 'a flawed plan', how: 'names the flaw', why: 'users act on it' }] }),
  scenario: JSON.stringify({ message: 'Is my plan good?' }),
  critique: JSON.stringify({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' }),
  baseline: 'Sure, sounds great!',
  sharpen: JSON.stringify({ sharpened: false, reason: 'already specific', message: 'Is my plan good?' }),
  autorate: JSON.stringify({ score: 8, verdict: 'keep', reasons: 'candid and kind' }),
};

/** Good answers, but the stages named in `failing` get a 400 whose body echoes the key the request carried. */
const echoing =
  (failing: readonly string[]) =>
  (r: LoggedRequest): Reply => {
    const stage = stageOf(r);
    if (failing.includes(stage))
      return { kind: 'status', status: 400, message: `API key not valid: ${r.apiKey} (header x-goog-api-key: ${r.apiKey})` };
    return { kind: 'text', text: ANSWERS[stage] ?? 'It has one flaw: the key is public.' };
  };

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-redact-'));
  dirs.push(dir);
  return dir;
};

function run(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(cwd, 'user-cache'), ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every file under `dir`, read as text, with its name. */
function filesUnder(dir: string): { name: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: join(e.parentPath, e.name), text: readFileSync(join(e.parentPath, e.name), 'latin1') }));
}

describe('redact', () => {
  it('removes URL credentials, secret-looking parameters and fields, bearer tokens and well-known key shapes', () => {
    const cases: [string, string][] = [
      ['GET http://user:hunter22@example.com/v1 failed', `GET http://${REDACTED}@example.com/v1 failed`],
      ['https://h/v1?api_key=abc123&model=x', `https://h/v1?api_key=${REDACTED}&model=x`],
      ['POST /x?key=AAA&alt=sse', `POST /x?key=${REDACTED}&alt=sse`],
      ['token=zzz; other', `token=${REDACTED}; other`],
      ['{"api_key": "abc123", "model": "m"}', `{"api_key": "${REDACTED}", "model": "m"}`],
      ['x-goog-api-key: sekrit', `x-goog-api-key: ${REDACTED}`],
      ['Authorization: Bearer abc.def-ghi', `Authorization: Bearer ${REDACTED}`],
      ['key AIza' + 'x'.repeat(35) + ' used', `key ${REDACTED} used`],
      ['sk-proj-abcdefghijklmnopqrstu leaked', `${REDACTED} leaked`],
      ['nothing secret here: 42 records, model gemini-2.5-flash', 'nothing secret here: 42 records, model gemini-2.5-flash'],
    ];
    for (const [input, expected] of cases) assert.equal(redact(input), expected, input);
    assert.equal(redact(redact(cases[0][0])), cases[0][1], 'idempotent');
  });

  it('removes a registered secret anywhere, and ignores ones too short to be keys', () => {
    registerSecret('registered-secret-xyz');
    registerSecret('short');
    assert.equal(redact('echo: registered-secret-xyz!'), `echo: ${REDACTED}!`);
    assert.equal(redact('a short word'), 'a short word');
  });

  it('keeps a provider id free of credentials, and leaves a URL without any exactly as given', () => {
    assert.equal(credentialFreeUrl('http://user:secret@127.0.0.1:8000/v1?api_key=abc&x=1'), 'http://127.0.0.1:8000/v1?x=1');
    assert.equal(credentialFreeUrl('http://localhost:11434/v1'), 'http://localhost:11434/v1');
    assert.equal(credentialFreeUrl('http://h/v1?token=t&key=k'), 'http://h/v1');
  });

  it('redactingLog redacts every message written to the editor log, and forwards the rest', () => {
    registerSecret(KEY);
    const written: string[] = [];
    const channel = {
      name: 'Trait Studio',
      info: (m: string) => void written.push(m),
      error: (m: string | Error) => void written.push(String(m)),
      show: () => 'shown',
    };
    const log = redactingLog(channel);
    log.info(`preview failed: API key not valid: ${KEY}`);
    log.error(new Error(`HTTP 400: http://u:p4ssword@host/?key=${KEY}`));
    assert.equal(log.name, 'Trait Studio');
    assert.equal(log.show(), 'shown');
    assert.ok(
      written.every((m) => !m.includes(KEY) && !m.includes('p4ssword')),
      written.join('\n'),
    );
    assert.equal(written.length, 2);
  });
});

describe('provider errors that echo the key (real SDKs, fakes)', () => {
  let gemini: FakeGemini;
  let openai: FakeOpenAI;
  before(async () => {
    gemini = await startFakeGemini();
    openai = await startFakeOpenAI();
  });
  after(async () => {
    await gemini.close();
    await openai.close();
  });
  const policy = () => new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 });

  it('Gemini: the RequestFailedError and its cause carry no key', async () => {
    gemini.script({ kind: 'status', status: 400, message: `API key ${KEY} not valid` });
    const provider = new GeminiProvider({ apiKey: KEY, baseUrl: gemini.baseUrl, policy: policy() });
    const error = await provider.generate({ model: 'm', messages: [{ role: 'user', text: 'hi' }] }).catch((e: unknown) => e);
    assert.ok(error instanceof RequestFailedError);
    assert.equal(gemini.requests.at(-1)?.apiKey, KEY, 'the fake saw the key');
    assert.match(error.message, /HTTP 400: API key \[redacted\] not valid/);
    assert.ok(!String((error.cause as Error).message).includes(KEY));
    assert.ok(!String(error.stack).includes(KEY));
  });

  it('OpenAI-compatible: the Authorization header echoed in the body is redacted', async () => {
    openai.setResponder((r) => ({
      kind: 'status',
      status: 401,
      message: `Incorrect API key provided: ${String(r.headers.authorization)}`,
    }));
    const provider = new OpenAICompatibleProvider({ baseUrl: openai.baseUrl, apiKey: KEY, policy: policy() });
    const error = await provider.generate({ model: 'm', messages: [{ role: 'user', text: 'hi' }] }).catch((e: unknown) => e);
    assert.ok(error instanceof RequestFailedError);
    assert.match(error.message, /HTTP 401/);
    assert.ok(!error.message.includes(KEY), error.message);
  });
});

describe('the CLI writes and prints no key (built CLI, fake Gemini echoing the key)', () => {
  let fake: FakeGemini;
  let openai: FakeOpenAI;
  before(async () => {
    fake = await startFakeGemini();
    openai = await startFakeOpenAI();
  });
  after(async () => {
    await fake.close();
    await openai.close();
  });

  it('generate: rejected.jsonl, manifest.json, every other run file and stderr', async () => {
    fake.setResponder(echoing(['response']));
    const cwd = tempDir();
    const r = await run(
      ['generate', EXAMPLE, '--out', 'run', '--traits', 'candour', '--per-trait', '1', '--no-cache'],
      { GEMINI_API_KEY: KEY, GOOGLE_GEMINI_BASE_URL: fake.baseUrl },
      cwd,
    );
    assert.equal(r.code, 1, r.stderr);
    const rejected = readFileSync(join(cwd, 'run', 'rejected.jsonl'), 'utf8');
    assert.match(rejected, /API key not valid: \[redacted\]/, 'the error is recorded, redacted');
    for (const file of filesUnder(join(cwd, 'run'))) assert.ok(!file.text.includes(KEY), `${file.name} holds the key`);
    assert.ok(!r.stderr.includes(KEY), r.stderr);
    assert.ok(!r.stdout.includes(KEY));
  });

  it('generate: URL credentials and secret query values are not stored as provider ids, nor in error text', async () => {
    fake.setResponder(echoing([]));
    const cwd = tempDir();
    const origin = new URL(fake.baseUrl);
    const r = await run(
      [
        'generate',
        EXAMPLE,
        '--out',
        'run',
        '--traits',
        'candour',
        '--per-trait',
        '1',
        '--no-cache',
        '--baseline-url',
        `${openai.baseUrl}?api_key=query-secret-123`,
        '--baseline-model',
        'local',
      ],
      { GEMINI_API_KEY: KEY, GOOGLE_GEMINI_BASE_URL: `http://gemini-user:url-password-456@${origin.host}` },
      cwd,
    );
    const manifest = JSON.parse(readFileSync(join(cwd, 'run', 'manifest.json'), 'utf8'));
    assert.equal(manifest.settings.providerId, `gemini@http://${origin.host}/`);
    assert.equal(manifest.settings.baselineProviderId, `openai-compatible@${openai.baseUrl}`);
    for (const file of filesUnder(join(cwd, 'run'))) {
      for (const secret of ['url-password-456', 'query-secret-123', KEY])
        assert.ok(!file.text.includes(secret), `${file.name} holds ${secret}`);
    }
    for (const secret of ['url-password-456', 'query-secret-123', KEY]) assert.ok(!r.stderr.includes(secret), r.stderr);
  });

  it('preview --format json: the scenario errors and stderr', async () => {
    fake.setResponder(echoing(['critique']));
    const r = await run(
      ['preview', EXAMPLE, '--trait', 'candour', '--n', '1', '--format', 'json', '--no-cache'],
      { GEMINI_API_KEY: KEY, GOOGLE_GEMINI_BASE_URL: fake.baseUrl },
      tempDir(),
    );
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(out.scenarios[0].error, /critique: .*API key not valid: \[redacted\]/);
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
  });

  it("audit: the model pass's failure on stderr", async () => {
    fake.setResponder(echoing(['audit-scan', 'audit-cluster', 'audit-rate']));
    const cwd = tempDir();
    const lines = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `q${i}` },
          { role: 'assistant', content: `Answer ${i}. Does that help?` },
        ],
      }),
    );
    writeFileSync(join(cwd, 'data.jsonl'), `${lines.join('\n')}\n`);
    const r = await run(['audit', 'data.jsonl', '--no-cache'], { GEMINI_API_KEY: KEY, GOOGLE_GEMINI_BASE_URL: fake.baseUrl }, cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /model pass failed\. .*\[redacted\]/);
    assert.ok(!r.stderr.includes(KEY), r.stderr);
    for (const file of filesUnder(cwd)) assert.ok(!file.text.includes(KEY), `${file.name} holds the key`);
  });
});
