// Where the audit writes beside a dataset, and that it keeps every record's features however many
// records stream by (its per-record columns grow past their first 1 024 slots).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditFilePaths, offlineAudit, type AuditRecord } from '../../server/src/audit';

describe('audit report files', () => {
  it('are named after the dataset without its .jsonl (in any case), other extensions kept', () => {
    const dir = join('runs', 'x');
    assert.deepEqual(auditFilePaths(join(dir, 'records.jsonl')), {
      json: join(dir, 'records.audit.json'),
      markdown: join(dir, 'records.audit.md'),
    });
    assert.deepEqual(auditFilePaths(join(dir, 'Data.JSONL')).json, join(dir, 'Data.audit.json'));
    assert.deepEqual(auditFilePaths(join(dir, 'data.json')).json, join(dir, 'data.json.audit.json'));
    assert.deepEqual(auditFilePaths(join(dir, 'data.jsonl.bak')).json, join(dir, 'data.jsonl.bak.audit.json'));
    assert.deepEqual(auditFilePaths('records.jsonl').json, 'records.audit.json');
  });
});

describe('an audit of thousands of records', () => {
  it('classes the records past the first thousand as it does the first ones', () => {
    const records: AuditRecord[] = Array.from({ length: 2500 }, (_, i) => ({
      id: `r${i}`,
      line: i + 1,
      traitId: i % 2 ? 'a' : 'b',
      prompt: 'q',
      response: i % 3 === 0 ? '- one\n- two\n- three' : i % 3 === 1 ? '- one\n- two' : 'Plain text.',
    }));
    const list = offlineAudit(records).find((p) => p.id === 'list-structure')!;
    assert.deepEqual(
      list.records,
      records.filter((_, i) => i % 3 === 0).map((r) => r.id),
    );
    assert.deepEqual(
      list.broadRecords,
      records.filter((_, i) => i % 3 !== 2).map((r) => r.id),
    );
    assert.deepEqual(Object.fromEntries(Object.entries(list.perTrait).map(([t, p]) => [t, p.records])), { a: 1250, b: 1250 });
  });
});
