// What Inspect requires of a `.json` eval log, shared by the unit tests (test/unit/probeCli.test.ts)
// and the UI test of the viewer's Inspect export (test/ui/probeBudget.test.mjs).
import assert from 'node:assert/strict';

/**
 * What Inspect (inspect_ai at 499e6152, the commit docs/probe.md names) requires of a `.json` eval
 * log, as checked there against its sources and its published schema (inspect-openapi.json).
 */
export function assertInspectLog(name, log) {
  // log/_file.py log_file_pattern: a .json log is listed only when its name starts with a full ISO time.
  assert.match(name, /^\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}.*\.json$/);
  // The listing parses {time}_{task}_{id}: the task holds no "_".
  assert.equal(name.split('_').length, 3);
  // log/_log.py EvalLog field order; the header reader (_recorders/json.py) stops at "samples" and
  // asserts status, eval, plan, stats were seen; schema-required: version … metadata.
  assert.deepEqual(Object.keys(log), [
    'version',
    'status',
    'eval',
    'plan',
    'results',
    'stats',
    'invalidated',
    'tags',
    'metadata',
    'samples',
  ]);
  assert.equal(log.version, 2); // LOG_SCHEMA_VERSION; a higher one is refused
  assert.ok(['started', 'success', 'cancelled', 'error'].includes(log.status));
  const spec = log.eval;
  for (const key of [
    'eval_id',
    'run_id',
    'created',
    'task',
    'task_id',
    'task_version',
    'task_attribs',
    'task_args',
    'task_args_passed',
    'dataset',
    'model',
    'model_generate_config',
    'model_args',
    'config',
    'packages',
  ])
    assert.ok(key in spec, `eval.${key}`);
  assert.ok(!Number.isNaN(Date.parse(spec.created)), 'eval.created is an ISO time string');
  const plan = log.plan;
  assert.equal(plan.name, 'plan');
  for (const s of plan.steps) assert.deepEqual(Object.keys(s), ['solver', 'params', 'params_passed']);
  const stats = log.stats;
  for (const key of ['started_at', 'completed_at', 'model_usage', 'role_usage', 'connection_limit_history'])
    assert.ok(key in stats, `stats.${key}`);
  const results = log.results;
  for (const s of results.scores) for (const m of Object.values(s.metrics)) assert.equal(typeof m.value, 'number');
  for (const sample of log.samples) {
    for (const key of [
      'id',
      'epoch',
      'input',
      'target',
      'messages',
      'output',
      'metadata',
      'store',
      'events',
      'model_usage',
      'role_usage',
      'attachments',
    ])
      assert.ok(key in sample, `sample.${key}`);
    assert.equal(typeof sample.id, 'string');
    assert.ok(Number.isInteger(sample.epoch) && sample.epoch >= 1);
    const ids = new Set();
    for (const m of sample.messages) {
      assert.ok(['system', 'user', 'assistant'].includes(m.role));
      assert.equal(typeof m.content, 'string');
      assert.ok(['input', 'generate'].includes(m.source));
      ids.add(m.id);
    }
    assert.equal(ids.size, sample.messages.length, 'message ids are unique in a sample');
    const output = sample.output;
    for (const c of output.choices) {
      assert.equal(c.message.role, 'assistant');
      assert.ok(['stop', 'max_tokens', 'model_length', 'tool_calls', 'content_filter', 'unknown'].includes(c.stop_reason));
    }
    for (const score of Object.values(sample.scores ?? {})) {
      assert.ok(['number', 'string', 'boolean'].includes(typeof score.value), 'a score value is never null');
      assert.deepEqual(score.history, []);
    }
  }
}
