import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as cacache from 'cacache';
import { answerKey, DiskAnswerCache, MemoryAnswerCache, type AnswerKeyParts } from '../../server/src/llm/cache';

const PARTS: AnswerKeyParts = {
  providerId: 'gemini',
  stage: 'response',
  sample: 0,
  request: {
    model: 'gemini-2.5-pro',
    systemInstruction: 'Embody: Aster admits mistakes.',
    messages: [{ role: 'user', text: 'You were wrong yesterday.' }],
    temperature: 0,
    maxOutputTokens: 1000,
    responseJsonSchema: { type: 'object', properties: { a: { type: 'string' } } },
  },
};
const ANSWER = { text: 'I was wrong about X.', usage: { inputTokens: 12, outputTokens: 7 } };

describe('answerKey', () => {
  it('is a SHA-256 hex digest that ignores key order and undefined members', () => {
    const key = answerKey(PARTS);
    assert.match(key, /^[0-9a-f]{64}$/);
    const { model, messages, ...rest } = PARTS.request;
    assert.equal(answerKey({ sample: 0, stage: 'response', providerId: 'gemini', request: { ...rest, messages, model } }), key);
    assert.equal(
      answerKey({ ...PARTS, request: { ...PARTS.request, responseJsonSchema: { properties: { a: { type: 'string' } }, type: 'object' } } }),
      key,
    );
    const { systemInstruction: _s, ...noSystem } = PARTS.request;
    assert.equal(
      answerKey({ ...PARTS, request: { ...noSystem, systemInstruction: undefined } }),
      answerKey({ ...PARTS, request: noSystem }),
    );
  });

  it('changes with everything that changes an answer', () => {
    const key = answerKey(PARTS);
    const r = PARTS.request;
    const variants: AnswerKeyParts[] = [
      { ...PARTS, providerId: 'vertex-ai' },
      { ...PARTS, stage: 'baseline' },
      { ...PARTS, sample: 1 },
      { ...PARTS, request: { ...r, model: 'gemini-2.5-flash' } },
      { ...PARTS, request: { ...r, systemInstruction: 'Embody: Aster admits mistakes!' } },
      { ...PARTS, request: { ...r, systemInstruction: undefined } },
      { ...PARTS, request: { ...r, messages: [{ role: 'user', text: 'You were wrong today.' }] } },
      { ...PARTS, request: { ...r, messages: [{ role: 'model', text: 'You were wrong yesterday.' }] } },
      { ...PARTS, request: { ...r, temperature: 1 } },
      { ...PARTS, request: { ...r, maxOutputTokens: 999 } },
      { ...PARTS, request: { ...r, responseJsonSchema: { type: 'object', properties: { a: { type: 'number' } } } } },
      { ...PARTS, request: { ...r, responseJsonSchema: undefined } },
    ];
    const keys = new Set([key, ...variants.map(answerKey)]);
    assert.equal(keys.size, variants.length + 1);
  });
});

describe('DiskAnswerCache (cacache)', () => {
  const root = mkdtempSync(join(tmpdir(), 'trait-studio-diskcache-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = () => {
    const problems: { operation: string; error: unknown }[] = [];
    const dir = join(root, `c${n++}`);
    return { dir, problems, cache: new DiskAnswerCache(dir, { onError: (error, operation) => problems.push({ error, operation }) }) };
  };

  it('stores, returns and replaces answers', async () => {
    const { dir, cache, problems } = fresh();
    assert.equal(await cache.get('k'), undefined);
    await cache.set('k', ANSWER);
    assert.deepEqual(await cache.get('k'), ANSWER);
    await cache.set('k', { text: 'second', usage: { inputTokens: 1, outputTokens: 2 } });
    assert.deepEqual(await cache.get('k'), { text: 'second', usage: { inputTokens: 1, outputTokens: 2 } });
    // Another instance on the same folder (the next run) sees it.
    assert.deepEqual(await new DiskAnswerCache(dir).get('k'), { text: 'second', usage: { inputTokens: 1, outputTokens: 2 } });
    assert.deepEqual(problems, [], 'a plain miss is not a problem');
  });

  it('treats altered content as a miss, reports it, and stores the next answer afresh', async () => {
    const { dir, cache, problems } = fresh();
    await cache.set('k', ANSWER);
    const [file] = filesUnder(join(dir, 'content-v2'));
    writeFileSync(file, JSON.stringify({ v: 2, text: 'a wrong answer', usage: { inputTokens: 12, outputTokens: 7 } }));
    assert.equal(await cache.get('k'), undefined);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].operation, 'read');
    assert.match(String((problems[0].error as { code?: string }).code), /EINTEGRITY|EBADSIZE/);
    await cache.set('k', ANSWER);
    assert.deepEqual(await cache.get('k'), ANSWER);
  });

  it('treats a truncated content file as a miss', async () => {
    const { dir, cache } = fresh();
    await cache.set('k', ANSWER);
    const [file] = filesUnder(join(dir, 'content-v2'));
    writeFileSync(file, readFileSync(file).subarray(0, 10));
    assert.equal(await cache.get('k'), undefined);
  });

  it('treats a damaged index as a miss', async () => {
    const { dir, cache } = fresh();
    await cache.set('k', ANSWER);
    const stored = (await cache.storageKey('k'))!;
    const [bucket] = filesUnder(join(dir, 'index-v5'));
    writeFileSync(bucket, readFileSync(bucket, 'utf8').replace(`"key":"${stored}"`, '"key":"x"'));
    assert.equal(await cache.get('k'), undefined);
  });

  it('treats an intact entry that does not hold an answer as a miss', async () => {
    const { dir, cache, problems } = fresh();
    const put = async (key: string, content: string) => cacache.put(dir, (await cache.storageKey(key))!, content);
    await put('not json', 'hello');
    await put('wrong shape', JSON.stringify({ v: 2, text: 3, usage: {} }));
    await put('other version', JSON.stringify({ v: 99, text: 'x', usage: { inputTokens: 1, outputTokens: 1 } }));
    await put('negative', JSON.stringify({ v: 2, text: 'x', usage: { inputTokens: -1, outputTokens: 1 } }));
    for (const key of ['not json', 'wrong shape', 'other version', 'negative']) assert.equal(await cache.get(key), undefined, key);
    assert.equal(problems.length, 4);
  });

  it('keeps the model version an answer came from, under the same tag as its text', async () => {
    const { dir, cache, problems } = fresh();
    const versioned = { ...ANSWER, modelVersion: 'gemini-3.1-pro-preview-2026-10' };
    await cache.set('k', versioned);
    assert.deepEqual(await cache.get('k'), versioned);
    assert.deepEqual(await new DiskAnswerCache(dir).get('k'), versioned, 'another instance (the next run) reads it too');
    // The version is authenticated: an entry whose version was changed, tag kept, is refused.
    const name = (await cache.storageKey('k'))!;
    const entry = JSON.parse((await cacache.get(dir, name)).data.toString('utf8'));
    await cacache.put(dir, name, JSON.stringify({ ...entry, modelVersion: 'some-other-model' }));
    assert.equal(await cache.get('k'), undefined);
    assert.equal(problems.length, 1);
    // An answer the API gave no version for is stored without one, and read back without one.
    await cache.set('plain', ANSWER);
    assert.deepEqual(await cache.get('plain'), ANSWER);
    assert.equal('modelVersion' in (await cache.get('plain'))!, false);
  });

  it('reports a failed write and resolves', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const problems: string[] = [];
    const cache = new DiskAnswerCache(file, { onError: (_e, operation) => problems.push(operation) });
    await cache.set('k', ANSWER);
    assert.deepEqual(problems, ['write']);
    assert.equal(await cache.get('k'), undefined);
  });
});

describe('MemoryAnswerCache', () => {
  it('copies answers in and out', async () => {
    const cache = new MemoryAnswerCache();
    const answer = { text: 'a', usage: { inputTokens: 1, outputTokens: 1 } };
    await cache.set('k', answer);
    answer.usage.inputTokens = 99;
    const got = await cache.get('k');
    assert.deepEqual(got, { text: 'a', usage: { inputTokens: 1, outputTokens: 1 } });
    assert.equal(await cache.get('other'), undefined);
    cache.entries.set('k', '{broken');
    assert.equal(await cache.get('k'), undefined);
  });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
