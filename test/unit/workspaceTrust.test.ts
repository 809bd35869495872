// The CLI does not trust the folder it runs in: prompt templates are read from .traits/prompts only
// when asked (--workspace-templates) and never through a link out of the folder; answers are
// cached in the user's cache folder, and an entry the user's own key did not authenticate — a
// repository's planted .traits/cache, a cache folder handed over with its key — is never served.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as cacache from 'cacache';
import { answerCacheDir } from '../../server/src/cli/modelSetup';
import { CACHE_KEY_FILE, DiskAnswerCache } from '../../server/src/llm/cache';
import { loadTemplate, TemplateError } from '../../server/src/llm/templates';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'assistant.traits.md');
const ANSWER = { text: 'An honest answer.', usage: { inputTokens: 3, outputTokens: 4 } };

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-trust-'));
  dirs.push(dir);
  return dir;
};

/** Good answers for every stage; the response says `response`. */
const answers =
  (response: string) =>
  (r: LoggedRequest): Reply => {
    const text: Record<string, string> = {
      brainstorm: JSON.stringify({
        ideas: [
          { what: 'a flawed plan', how: 'names the flaw', why: 'trust' },
          { what: 'praise sought', how: 'stays candid', why: 'trust' },
        ],
      }),
      scenario: JSON.stringify({ message: 'Is my plan good?' }),
      critique: JSON.stringify({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' }),
      baseline: 'Sure, sounds great!',
      sharpen: JSON.stringify({ sharpened: false, reason: 'already specific', message: 'Is my plan good?' }),
      response,
      autorate: JSON.stringify({ score: 8, verdict: 'keep', reasons: 'candid' }),
    };
    return { kind: 'text', text: text[stageOf(r)] };
  };

describe("the answer cache is the user's, and its entries cannot be planted", () => {
  it('lives in the user cache folder, never under the working folder', () => {
    assert.equal(answerCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, 'linux'), '/x/cache/trait-studio/answers');
    assert.equal(answerCacheDir({ HOME: '/home/u' }, 'linux'), '/home/u/.cache/trait-studio/answers');
    assert.equal(answerCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }, 'linux'), '/home/u/.cache/trait-studio/answers');
    assert.equal(answerCacheDir({ HOME: '/Users/u' }, 'darwin'), '/Users/u/Library/Caches/trait-studio/answers');
    assert.equal(answerCacheDir({ TRAIT_STUDIO_CACHE_DIR: '/elsewhere', HOME: '/home/u' }, 'linux'), '/elsewhere');
  });

  it('makes its key file 0600 and serves only entries it authenticated', async () => {
    const dir = join(tempDir(), 'answers');
    const problems: string[] = [];
    const cache = new DiskAnswerCache(dir, { onError: (e) => problems.push(String(e)) });
    await cache.set('k', ANSWER);
    assert.deepEqual(await cache.get('k'), ANSWER);
    if (process.platform !== 'win32') assert.equal((await import('node:fs')).statSync(join(dir, CACHE_KEY_FILE)).mode & 0o777, 0o600);
    // Planted under the plain key (as the old layout stored them): never looked up.
    await cacache.put(dir, 'planted', JSON.stringify({ v: 2, text: 'ATTACKER TEXT', usage: { inputTokens: 0, outputTokens: 0 } }));
    assert.equal(await cache.get('planted'), undefined);
    // Planted under the right storage name but without the key's tag: refused and reported.
    await cacache.put(
      dir,
      (await cache.storageKey('k'))!,
      JSON.stringify({ v: 2, text: 'ATTACKER TEXT', usage: { inputTokens: 1, outputTokens: 1 }, mac: '0'.repeat(64) }),
    );
    assert.equal(await cache.get('k'), undefined);
    assert.equal(problems.length, 1);
  });

  it('is off, and says so, when its key file can be read by others or is a link', async () => {
    const shared = join(tempDir(), 'answers');
    await new DiskAnswerCache(shared).set('k', ANSWER);
    chmodSync(join(shared, CACHE_KEY_FILE), 0o644);
    const problems: string[] = [];
    const cache = new DiskAnswerCache(shared, { onError: (e) => problems.push(String(e)) });
    assert.equal(await cache.get('k'), undefined);
    assert.match(problems[0], /not this user's own .*mode 644/);

    const linked = join(tempDir(), 'answers');
    mkdirSync(linked);
    symlinkSync(join(shared, CACHE_KEY_FILE), join(linked, CACHE_KEY_FILE));
    const viaLink: string[] = [];
    await new DiskAnswerCache(linked, { onError: (e) => viaLink.push(String(e)) }).set('k', ANSWER);
    assert.match(viaLink[0], /symbolic link/);
  });
});

describe('the CLI in an untrusted folder (built CLI, fake Gemini)', () => {
  let fake: FakeGemini;
  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());

  const run = (args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          cwd,
          env: {
            PATH: process.env.PATH ?? '',
            XDG_CACHE_HOME: join(cwd, '..', 'user-cache'),
            GEMINI_API_KEY: 'k',
            GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
            ...env,
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const preview = ['preview', EXAMPLE, '--trait', 'candour', '--n', '2', '--format', 'json'];

  it('does not serve answers from a .traits/cache the repository planted', async () => {
    const repo = join(tempDir(), 'repo');
    mkdirSync(repo);
    // The repository's author fills .traits/cache with their answers on their machine (with this
    // very code), and commits it: git checks files out 0644.
    fake.setResponder(answers('ATTACKER TEXT'));
    const planted = await run(preview, repo, { TRAIT_STUDIO_CACHE_DIR: join(repo, '.traits', 'cache') });
    assert.equal(planted.code, 0, planted.stderr);
    chmodSync(join(repo, '.traits', 'cache', CACHE_KEY_FILE), 0o644);

    fake.setResponder(answers('An honest answer.'));
    fake.requests.length = 0;
    const r = await run(preview, repo);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('ATTACKER TEXT'));
    assert.equal(JSON.parse(r.stdout).usage.cachedAnswers, 0);
    assert.ok(fake.requests.length >= 13, `${fake.requests.length} requests`);

    // Even pointed at the planted folder, the cache does not trust a key file others can read.
    fake.requests.length = 0;
    const pointed = await run(preview, repo, { TRAIT_STUDIO_CACHE_DIR: join(repo, '.traits', 'cache') });
    assert.equal(pointed.code, 0, pointed.stderr);
    assert.ok(!pointed.stdout.includes('ATTACKER TEXT'));
    assert.match(pointed.stderr, /warning: answer cache .*not this user's own/);
    assert.ok(fake.requests.length >= 13);
  });

  it('reads .traits/prompts only with --workspace-templates, and never through a link out of the folder', async () => {
    const root = tempDir();
    const repo = join(root, 'repo');
    mkdirSync(join(repo, '.traits', 'prompts'), { recursive: true });
    const critique = readFileSync(join(__dirname, '..', '..', 'server', 'src', 'llm', 'prompts', 'critique.md'), 'utf8');
    writeFileSync(join(repo, '.traits', 'prompts', 'critique.md'), `${critique}\nWORKSPACE MARKER\n`);
    fake.setResponder(answers('An honest answer.'));
    const sent = () => fake.requests.map((q) => JSON.stringify(q.body)).join('\n');

    fake.requests.length = 0;
    const plain = await run([...preview, '--no-cache'], repo);
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(!sent().includes('WORKSPACE MARKER'), 'a workspace template was used without being asked for');
    assert.match(plain.stderr, /\.traits\/prompts here is not used; pass --workspace-templates/);

    fake.requests.length = 0;
    const asked = await run([...preview, '--no-cache', '--workspace-templates'], repo);
    assert.equal(asked.code, 0, asked.stderr);
    assert.ok(sent().includes('WORKSPACE MARKER'));

    // A template that is a link to a file outside the folder is refused, and nothing is sent.
    const secret = join(root, 'id_rsa');
    writeFileSync(secret, 'PRIVATE KEY MATERIAL');
    symlinkSync(secret, join(repo, '.traits', 'prompts', 'brainstorm.md'));
    fake.requests.length = 0;
    const linked = await run([...preview, '--no-cache', '--workspace-templates'], repo);
    assert.equal(linked.code, 2);
    assert.match(linked.stderr, /brainstorm\.md leads outside the workspace/);
    assert.equal(fake.requests.length, 0);
    assert.ok(!sent().includes('PRIVATE KEY MATERIAL'));
    // Without the flag the link is not even looked at.
    const unasked = await run([...preview, '--no-cache'], repo);
    assert.equal(unasked.code, 0, unasked.stderr);
    assert.ok(!sent().includes('PRIVATE KEY MATERIAL'));
  });

  it('loadTemplate follows a link that stays inside the workspace, and refuses a folder of templates that leads out', () => {
    const root = tempDir();
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'shared'), { recursive: true });
    mkdirSync(join(repo, '.traits', 'prompts'), { recursive: true });
    writeFileSync(join(repo, 'shared', 'response.md'), 'Inside {{trait}}');
    symlinkSync(join(repo, 'shared', 'response.md'), join(repo, '.traits', 'prompts', 'response.md'));
    assert.equal(loadTemplate('response', repo).text, 'Inside {{trait}}');
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'critique.md'), 'secret');
    rmSync(join(repo, '.traits', 'prompts'), { recursive: true });
    symlinkSync(outside, join(repo, '.traits', 'prompts'));
    assert.throws(() => loadTemplate('critique', repo), TemplateError);
    assert.ok(!existsSync(join(repo, '.traits', 'prompts', 'response.md')));
    assert.match(loadTemplate('response', repo).path, /llm[\\/]prompts[\\/]response\.md$|dist[\\/]prompts[\\/]response\.md$/);
  });
});
