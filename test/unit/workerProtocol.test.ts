/**
 * The worker protocol's small pieces that worker.ts and the main thread share: how long the worker
 * has been on its request (an Int32 slot of the control array, which wraps ~24.8 days after the
 * worker started), and posting an answer that cannot be structured-cloned.
 */
import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, it, type TestContext } from 'node:test';
import { newControl, postAnswer, runningRequest, takeUp, type FromWorker } from '../../server/src/lsp/workerProtocol';

const INT32_MAX = 2 ** 31 - 1;

/** Sets `Date.now()` to `epoch + ms` for the rest of the test. */
function clockAt(t: TestContext, epoch: number, ms: number): void {
  t.mock.method(Date, 'now', () => epoch + ms);
}

describe('the request the worker is on', () => {
  const epoch = 1_764_500_000_000;

  it('is timed from when it was taken up, just after the worker started', (t) => {
    const control = new Int32Array(newControl());
    clockAt(t, epoch, 1_000);
    takeUp(control, 7, epoch);
    clockAt(t, epoch, 3_500);
    assert.deepEqual(runningRequest(control, epoch), { id: 7, forMs: 2_500 });
  });

  it('is timed right across the point where ms since the epoch leave Int32 (~24.8 days)', (t) => {
    const control = new Int32Array(newControl());
    // Taken up 300 ms before the slot wraps, read 200 ms after it.
    clockAt(t, epoch, INT32_MAX - 300);
    takeUp(control, 9, epoch);
    clockAt(t, epoch, INT32_MAX + 200);
    assert.deepEqual(runningRequest(control, epoch), { id: 9, forMs: 500 });
  });

  it('is timed right when taken up and read after the wrap, and after a second one (~49.7 days)', (t) => {
    for (const takenAt of [2 ** 31 + 10_000, 2 ** 32 - 100, 5 * 2 ** 32 + 123]) {
      const control = new Int32Array(newControl());
      clockAt(t, epoch, takenAt);
      takeUp(control, 4, epoch);
      clockAt(t, epoch, takenAt + 61_000);
      assert.deepEqual(runningRequest(control, epoch), { id: 4, forMs: 61_000 }, `taken up ${takenAt} ms after the epoch`);
    }
  });
});

describe('posting an answer', () => {
  /** A real message channel: what is posted on its first port arrives at `received`. */
  function channel(t: TestContext): { post: (message: FromWorker) => void; received: () => Promise<FromWorker> } {
    const { port1, port2 } = new MessageChannel();
    t.after(() => {
      port1.close();
      port2.close();
    });
    const next = (port: MessagePort) => new Promise<FromWorker>((resolve) => port.once('message', resolve));
    return { post: (message) => port1.postMessage(message), received: () => next(port2) };
  }

  it('posts an answer that can be cloned as it is', async (t) => {
    const { post, received } = channel(t);
    const answer: FromWorker = { type: 'result', id: 3, result: { items: [1, 2] } };
    const arriving = received();
    assert.equal(postAnswer(post, answer), true);
    assert.deepEqual(await arriving, answer);
  });

  it('answers `failed` for the request when its answer cannot be cloned (DataCloneError)', async (t) => {
    const { post, received } = channel(t);
    const arriving = received();
    assert.equal(postAnswer(post, { type: 'result', id: 5, result: { compute: () => 1 } }), false);
    const failed = await arriving;
    assert.equal(failed.type, 'failed');
    assert.equal(failed.id, 5);
    assert.match(failed.type === 'failed' ? failed.message : '', /^its answer could not be posted: DataCloneError: /);
  });
});
