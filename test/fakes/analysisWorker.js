// A stand-in for dist/worker.js that misbehaves on request, for test/unit/analysisWorkers.test.ts:
// `hang` takes a request up and never answers, `crash` ends the thread, `echo` answers with its
// parameters and the text it holds.
'use strict';
const { parentPort } = require('node:worker_threads');

let text = '';
parentPort.on('message', (message) => {
  if (message.type === 'open') text = message.text;
  if (message.type !== 'request') return;
  parentPort.postMessage({ type: 'started', id: message.id });
  if (message.method === 'hang') for (;;);
  if (message.method === 'crash') process.exit(3);
  parentPort.postMessage({ type: 'result', id: message.id, result: { params: message.params, text } });
});
