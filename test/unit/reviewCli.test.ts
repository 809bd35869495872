import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { reviewResponder } from '../fake-gemini/reviewAnswers';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';
import { coverageAnswer } from '../fake-gemini/reviewAnswers';
import { startFakeOpenAI } from '../fake-openai/server';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const FIXTURE = join(__dirname, '..', 'fixtures', 'review', 'review.traits.md');

describe('trait-studio review (built CLI, fake Gemini)', () => {
  let fake: FakeGemini;
  let dir: string;
  before(async () => {
    fake = await startFakeGemini();
    dir = mkdtempSync(join(tmpdir(), 'trait-studio-review-'));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setResponder(reviewResponder());
  });
  const run = (
    args: string[],
    env: Record<string, string> = { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: fake.baseUrl },
  ): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(dir, 'user-cache'), ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('prints the JSON contract and exits 0; a rerun is answered from the cache', async () => {
    const r = await run(['review', FIXTURE, '--format', 'json', '--traits', 'candour,kind']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['file', 'model', 'traits', 'usage', 'cost']);
    assert.equal(out.model, 'gemini-3.8-flash');
    assert.deepEqual(Object.keys(out.traits[0]), ['id', 'title', 'parts', 'deliberatelyAbsolute', 'surfaceForms']);
    assert.deepEqual(out.traits[0].parts.rationale, { present: true, quote: 'Users act on what Aster tells them.', verified: true });
    assert.deepEqual(out.traits[1].surfaceForms, [
      { form: 'Thanks for asking', quote: 'always open with "Thanks for asking"', verified: true },
    ]);
    assert.match(r.stderr, /reviewing review\.traits\.md with gemini-3\.8-flash: 2 requests, ≈ \$/);
    assert.equal(fake.requests.length, 2);

    const again = await run(['review', FIXTURE, '--format', 'json', '--traits', 'candour,kind']);
    assert.equal(again.code, 0);
    assert.equal(fake.requests.length, 2, 'the rerun sends nothing');
    assert.match(again.stderr, /2 requests \(2 answered from the cache\), ≈ \$0\.00/);
    assert.deepEqual(JSON.parse(again.stdout).traits, out.traits);
  });

  it('gives the trade-off pairs with --tensions', async () => {
    const r = await run(['review', FIXTURE, '--format', 'json', '--traits', 'weapons', '--tensions', '--no-cache']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.tensions.map((t: { a: string; b: string; weighed: boolean }) => [t.a, t.b, t.weighed]),
      [
        ['candour', 'kind', true],
        ['candour', 'brief', false],
      ],
    );
    assert.deepEqual(Object.keys(out.tensions[0]), ['a', 'b', 'situation', 'weighed', 'quote', 'verified', 'source']);
  });

  it('exits 1 when a trait is blocked, still reporting the others', async () => {
    const file = join(dir, 'blocked.traits.md');
    writeFileSync(file, `${readFileSync(FIXTURE, 'utf8')}\n## Blocked one {#blocked}\n\nBLOCKME Aster talks.\n`);
    const r = await run(['review', file, '--format', 'json', '--traits', 'candour,blocked', '--no-cache']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.traits[1].parts, null);
    assert.match(out.traits[1].error, /SAFETY/);
    assert.equal(out.traits[0].parts.rationale.verified, true);
    assert.match(r.stderr, /blocked: not reviewed: .*SAFETY/);
  });

  it('prints Markdown by default, unverified quotes marked', async () => {
    const r = await run(['review', FIXTURE, '--traits', 'brief,candour', '--no-cache']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Review: .*review\.traits\.md \(gemini-3\.8-flash\)/);
    assert.match(r.stdout, /## Say what you believe `#candour`\n\n- Reason: stated — "Users act on what Aster tells them\."/);
    assert.match(r.stdout, /## Keep it brief `#brief`\n\n- Reason: \*\*not stated\*\*/);
  });

  it('exits 2 for usage problems, before any request: an unknown trait, a bad format, no key', async () => {
    const unknown = await run(['review', FIXTURE, '--traits', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no trait with id "nope"; the document's trait ids: candour, kind, weapons, brief/);
    assert.equal((await run(['review', FIXTURE, '--format', 'xml'])).code, 2);
    assert.equal((await run(['review', join(dir, 'missing.traits.md')])).code, 2);
    const keyless = await run(['review', FIXTURE], {});
    assert.equal(keyless.code, 2);
    assert.match(keyless.stderr, /GEMINI_API_KEY.*review a document/);
    assert.equal(fake.requests.length, 0);
    const help = await run(['review', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: trait-studio review FILE \[--format json\|markdown\] \[--traits ID,\.\.\.\] \[--tensions\]/);
  });

  it('reviews through an OpenAI-compatible server with --openai-url, no Gemini key needed', async () => {
    const server = await startFakeOpenAI();
    try {
      server.setResponder((r) => {
        const chunk = /<trait>\n([\s\S]*?)\n<\/trait>/.exec(String(r.body.messages?.[0]?.content))?.[1] ?? '';
        return { kind: 'text', text: JSON.stringify(coverageAnswer(chunk, true)) };
      });
      const r = await run(
        ['review', FIXTURE, '--format', 'json', '--traits', 'candour', '--openai-url', server.baseUrl, '--model', 'llama3'],
        {},
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.model, 'llama3');
      assert.deepEqual(out.traits[0].parts.rationale, { present: true, quote: 'Users act on what Aster tells them.', verified: true });
      assert.equal(server.requests.length, 1);
      assert.equal(fake.requests.length, 0);
      assert.equal(server.requests[0].body.model, 'llama3');
      const noModel = await run(['review', FIXTURE, '--openai-url', server.baseUrl], {});
      assert.equal(noModel.code, 2);
      assert.match(noModel.stderr, /--openai-url needs --model NAME/);
    } finally {
      await server.close();
    }
  });
});
