// The request policy on its own: how each kind of failure is classified, the delays servers ask
// for, and the messages and limits of its retries. The providers' tests (gemini, openai) run it
// against the fake servers; these pin the cases those do not reach.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { APIError } from 'openai/error';
import {
  classify,
  RequestFailedError,
  RequestPolicy,
  retryAfterDelay,
  retryInfoDelay,
  TimeoutError,
} from '../../server/src/llm/requestPolicy';

const headers = (values: Record<string, string>) => new Headers(values);
/** An error whose `code` sits `depth` causes down (0: on the error itself). */
const nested = (code: string, depth: number): Error => {
  let error: Error & { code?: string } = Object.assign(new Error('socket'), { code });
  for (let i = 0; i < depth; i++) error = new Error(`wrapper ${i}`, { cause: error });
  return error;
};

describe('classify', () => {
  it('retries every transport error code, up to three causes down, and no deeper', () => {
    for (const code of [
      'ECONNRESET',
      'ECONNREFUSED',
      'EPIPE',
      'ETIMEDOUT',
      'EAI_AGAIN',
      'UND_ERR_SOCKET',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_CLOSED',
    ]) {
      assert.deepEqual(classify(nested(code, 0)), { retry: true, reason: `connection error (${code})` }, code);
    }
    assert.deepEqual(classify(nested('ECONNRESET', 3)), { retry: true, reason: 'connection error (ECONNRESET)' });
    assert.deepEqual(classify(nested('ECONNRESET', 4)), { retry: false, reason: 'wrapper 3' });
    assert.deepEqual(classify(nested('ENOENT', 0)), { retry: false, reason: 'socket' });
  });

  it("retries fetch's own TypeErrors for a dropped connection, and nothing else by its message", () => {
    assert.deepEqual(classify(new TypeError('fetch failed')), { retry: true, reason: 'connection error (fetch failed)' });
    assert.deepEqual(classify(new TypeError('terminated')), { retry: true, reason: 'connection error (terminated)' });
    assert.deepEqual(classify(new TypeError('other side closed the socket')), {
      retry: true,
      reason: 'connection error (other side closed the socket)',
    });
    assert.deepEqual(classify(new TypeError('x is not a function')), { retry: false, reason: 'x is not a function' });
    assert.deepEqual(classify(new Error('fetch failed')), { retry: false, reason: 'fetch failed' });
  });

  it('does not retry what is not an error object', () => {
    assert.deepEqual(classify(null), { retry: false, reason: 'null' });
    assert.deepEqual(classify(undefined), { retry: false, reason: 'undefined' });
    assert.deepEqual(classify('boom'), { retry: false, reason: 'boom' });
  });

  it('retries an error event inside an openai stream unless its code is an HTTP status that says not to', () => {
    const inStream = (code: unknown) => new APIError(undefined, { code, message: 'went wrong' }, undefined, undefined);
    assert.deepEqual(classify(inStream('429')), { retry: true, reason: 'error in the stream (429): went wrong' });
    assert.deepEqual(classify(inStream('503')), { retry: true, reason: 'error in the stream (503): went wrong' });
    assert.deepEqual(classify(inStream('400')), { retry: false, reason: 'error in the stream (400): went wrong' });
    assert.deepEqual(classify(inStream('599')), { retry: false, reason: 'error in the stream (599): went wrong' });
    // Not an HTTP status (or out of its range): a server fault, worth another try.
    assert.deepEqual(classify(inStream('600')), { retry: true, reason: 'error in the stream (600): went wrong' });
    assert.deepEqual(classify(inStream('399')), { retry: true, reason: 'error in the stream (399): went wrong' });
    assert.deepEqual(classify(inStream('server_error')), { retry: true, reason: 'error in the stream (server_error): went wrong' });
    assert.deepEqual(classify(inStream(null)), { retry: true, reason: 'error in the stream: went wrong' });
  });

  it('reads the message of an HTTP error without the status the openai SDK puts before it', () => {
    assert.deepEqual(classify({ status: 429, message: '429 Rate limit reached' }), {
      retry: true,
      retryAfterMs: undefined,
      reason: 'HTTP 429: Rate limit reached',
    });
    assert.deepEqual(classify({ status: 404, message: 'not found 404 ' }), {
      retry: false,
      retryAfterMs: undefined,
      reason: 'HTTP 404: not found 404 ',
    });
    assert.deepEqual(classify({ status: 500, message: JSON.stringify({ error: { message: 'Internal' } }) }), {
      retry: true,
      retryAfterMs: undefined,
      reason: 'HTTP 500: Internal',
    });
  });

  it('names its errors for the messages that show them', () => {
    assert.equal(new TimeoutError('late').name, 'TimeoutError');
    assert.equal(new RequestFailedError('failed', 2, null).name, 'RequestFailedError');
  });
});

describe('retryAfterDelay and retryInfoDelay', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads whole and decimal numbers only, spaces around them allowed', () => {
    assert.equal(retryAfterDelay(headers({ 'retry-after': ' 3 ' }), now), 3_000);
    assert.equal(retryAfterDelay(headers({ 'retry-after': '1.25' }), now), 1_250);
    assert.equal(retryAfterDelay(headers({ 'retry-after-ms': '1.25' }), now), 1);
    assert.equal(retryAfterDelay(headers({ 'retry-after': 'a5' }), now), undefined);
    assert.equal(retryAfterDelay(headers({ 'retry-after': '5a' }), now), undefined);
    // A retry-after-ms that is not a number gives way to retry-after.
    assert.equal(retryAfterDelay(headers({ 'retry-after-ms': 'soon', 'retry-after': '2' }), now), 2_000);
    assert.equal(retryAfterDelay(headers({}), now), undefined);
    // Any object with a fetch-style get, which (unlike fetch's Headers) may keep the spaces.
    assert.equal(retryAfterDelay({ get: (name: string) => (name === 'retry-after' ? ' 3 ' : null) }, now), 3_000);
    assert.equal(retryAfterDelay(undefined, now), undefined);
  });

  it('takes the delay of a RetryInfo detail only, in seconds with decimals', () => {
    const body = (details: unknown[]) => JSON.stringify({ error: { details } });
    const info = (retryDelay: string) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });
    assert.equal(retryInfoDelay(body([{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', retryDelay: '5s' }, info('2s')])), 2_000);
    assert.equal(retryInfoDelay(body([{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', retryDelay: '5s' }])), undefined);
    assert.equal(retryInfoDelay(body([info('1.25s')])), 1_250);
    assert.equal(retryInfoDelay(body([info('x5s')])), undefined);
    assert.equal(retryInfoDelay(body([info('5sec')])), undefined);
  });
});

describe('RequestPolicy retries', () => {
  const http = (status: number, retryDelay?: string) =>
    Object.assign(
      new Error(
        JSON.stringify({
          error: {
            message: `status ${status}`,
            details: retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }] : [],
          },
        }),
      ),
      { status },
    );

  it('says how many attempts a call took when it failed after retries, and nothing when it failed at once', async () => {
    const slept: number[] = [];
    const policy = new RequestPolicy({ sleep: async (ms) => void slept.push(ms), random: () => 0.5, baseDelayMs: 100 });
    await assert.rejects(
      policy.run('m', async () => Promise.reject(http(503))),
      (e: unknown) => e instanceof RequestFailedError && e.message === 'm: HTTP 503: status 503 (after 4 attempts)' && e.attempts === 4,
    );
    assert.deepEqual(slept, [50, 100, 200]);
    await assert.rejects(
      policy.run('m', async () => Promise.reject(http(400))),
      (e: unknown) => e instanceof RequestFailedError && e.message === 'm: HTTP 400: status 400',
    );
  });

  it('honours a RetryInfo delay up to maxRetryDelayMs, that bound included, and fails on a longer one', async () => {
    const slept: number[] = [];
    const policy = new RequestPolicy({ sleep: async (ms) => void slept.push(ms), maxRetryDelayMs: 2_000 });
    let calls = 0;
    assert.equal(await policy.run('m', async () => (++calls === 1 ? Promise.reject(http(429, '2s')) : 'ok')), 'ok');
    assert.deepEqual(slept, [2_000]);
    await assert.rejects(
      policy.run('m', async () => Promise.reject(http(429, '2.001s'))),
      (e: unknown) => e instanceof RequestFailedError && e.attempts === 1,
    );
  });

  it('abandons an attempt after timeoutMs and says so', async () => {
    const policy = new RequestPolicy({ timeoutMs: 20, maxAttempts: 1 });
    await assert.rejects(
      policy.run('m', (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))),
      (e: unknown) => e instanceof RequestFailedError && e.message === 'm: no answer within 20 ms' && e.cause instanceof TimeoutError,
    );
  });

  it('abandons an attempt after timeoutMs when the caller passes a signal of its own too', async () => {
    const policy = new RequestPolicy({ timeoutMs: 20, maxAttempts: 1 });
    const controller = new AbortController();
    await assert.rejects(
      policy.run(
        'm',
        (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        controller.signal,
      ),
      (e: unknown) => e instanceof RequestFailedError && e.message === 'm: no answer within 20 ms' && e.cause instanceof TimeoutError,
    );
  });

  it("retries a dropped connection's TypeError that p-retry does not know as a network error", async () => {
    // "socket hang up" is not among p-retry's network messages: left to p-retry, a retry would rethrow it.
    const policy = new RequestPolicy({ sleep: async () => {} });
    let calls = 0;
    assert.equal(await policy.run('m', async () => (++calls === 1 ? Promise.reject(new TypeError('socket hang up')) : 'ok')), 'ok');
    assert.equal(calls, 2);
  });

  it('stops waiting out a back-off (its own timer, no sleep given) when the call is cancelled', { timeout: 20_000 }, async () => {
    // A one-minute back-off: only the cancellation can end this test in time.
    const policy = new RequestPolicy({ baseDelayMs: 60_000, random: () => 1 });
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    const call = policy.run(
      'm',
      async () => {
        setImmediate(() => controller.abort(reason));
        throw http(503);
      },
      controller.signal,
    );
    await assert.rejects(call, (e: unknown) => e === reason);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'a listener stays on the signal');
  });

  it("leaves no listener on the caller's signal after a back-off it waited out", async () => {
    const policy = new RequestPolicy({ baseDelayMs: 5, random: () => 1 });
    const controller = new AbortController();
    let calls = 0;
    assert.equal(await policy.run('m', async () => (++calls === 1 ? Promise.reject(http(503)) : 'ok'), controller.signal), 'ok');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});
