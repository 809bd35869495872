// A stand-in for dist/worker.js that misbehaves on request, for test/unit/analysisWorkers.test.ts:
// `hang` takes a request up (marks it in the control array) and never answers, `crash` ends the
// thread, `echo` answers with its parameters and the text it holds.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');

const control = new Int32Array(workerData.control);
/** Takes request `id` up as worker.ts does (workerProtocol's takeUp: slots RUNNING_SINCE = 3, RUNNING = 2). */
const takeUp = (id) => {
  Atomics.store(control, 3, Date.now() - workerData.epoch);
  Atomics.store(control, 2, id);
};

let text = '';
parentPort.on('message', (message) => {
  if (message.type === 'open') text = message.text;
  if (message.type !== 'request') return;
  takeUp(message.id);
  if (message.method === 'hang') for (;;);
  if (message.method === 'crash') process.exit(3);
  takeUp(0);
  parentPort.postMessage({ type: 'result', id: message.id, result: { params: message.params, text } });
});
