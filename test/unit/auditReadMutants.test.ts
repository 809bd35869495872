// Reading a dataset where a record could be misread: lines longer than the reader's 1 MiB chunk
// (ended by CRLF, or by the end of the file), the prompt an answer is paired with when a
// conversation holds system turns and later turns, which trait field wins, a byte-order mark before
// a record, and a file that is not there. A record misread here is misread in every count.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readDataset, readRecordsById } from '../../server/src/audit';
import { rawLines } from '../../server/src/audit/read';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function file(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-read-mutants-'));
  dirs.push(dir);
  const path = join(dir, 'data.jsonl');
  writeFileSync(path, content);
  return path;
}
const jsonl = (...objects: unknown[]) => file(objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n'));

describe('lines longer than a read chunk', () => {
  it('joins a line spread over three chunks, ended by CRLF, and a last line over two chunks with no ending', () => {
    const long = 'x'.repeat(2.5 * (1 << 20));
    const last = 'y'.repeat((1 << 20) + 10);
    const lines = [...rawLines(file(`${long}\r\nshort\n${last}`))];
    assert.deepEqual(
      lines.map((l) => [l.line, l.bytes.length, l.ending]),
      [
        [1, long.length, '\r\n'],
        [2, 5, '\n'],
        [3, last.length, ''],
      ],
    );
    assert.equal(lines[0].bytes.toString('latin1'), long);
    assert.equal(lines[2].bytes.toString('latin1'), last);
  });
});

describe('records read from conversations', () => {
  it('pairs the answer with the user turn before it, past system turns and ignoring turns after it', () => {
    const { records } = readDataset(
      jsonl(
        {
          messages: [
            { role: 'user', content: 'first' },
            { role: 'system', content: 'be brief' },
            { role: 'assistant', content: 'answer' },
            { role: 'user', content: 'later question' },
            { role: 'assistant', content: '' },
          ],
        },
        {
          contents: [
            { role: 'user', parts: [{ text: 'q1' }] },
            { role: 'model', parts: [{ text: 'a1' }] },
            { role: 'user', parts: [{ text: 'q2' }] },
            { role: 'model', parts: [{ text: 'a2' }] },
          ],
        },
      ),
    );
    assert.deepEqual(
      records.map((r) => [r.prompt, r.response]),
      [
        ['first', 'answer'],
        ['q2', 'a2'],
      ],
    );
  });

  it('passes over null parts, parts whose text is not a string, and turns that are not objects', () => {
    const { records, badLines } = readDataset(
      jsonl(
        {
          messages: [
            { role: 'user', content: [null, { text: 5 }, 'q'] },
            { role: 'assistant', content: [null, { text: 1 }, 'a'] },
          ],
        },
        {
          contents: [
            { role: 'user', parts: [null, { text: 5 }, { text: 'g' }] },
            { role: 'model', parts: [null, { text: true }, { text: 'm' }] },
          ],
        },
        { messages: ['assistant', { role: 'user', content: 'u' }, 7, { role: 'assistant', content: 'x' }] },
      ),
    );
    assert.deepEqual(badLines, []);
    assert.deepEqual(
      records.map((r) => [r.prompt, r.response]),
      [
        ['q', 'a'],
        ['g', 'm'],
        ['u', 'x'],
      ],
    );
  });

  it('pairs an answer with no user turn before it with no prompt, not the system prompt', () => {
    const { records } = readDataset(
      jsonl({
        messages: [
          { role: 'system', content: 'secret' },
          { role: 'assistant', content: 'a' },
        ],
      }),
    );
    assert.deepEqual(
      records.map((r) => [r.prompt, r.response]),
      [['', 'a']],
    );
  });

  it('counts a renamed id up from .2 while the name is taken', () => {
    const path = jsonl(
      { id: 'a', response: '1' },
      { id: 'a#3', response: '2' },
      { id: 'a#3.2', response: '3' },
      { id: 'a', response: '4' },
    );
    assert.deepEqual(
      readDataset(path).records.map((r) => r.id),
      ['a', 'a#3', 'a#3.2', 'a#3.3'],
    );
  });

  it('takes the trait from traitId, then metadata.trait, then trait', () => {
    const { records } = readDataset(
      jsonl(
        { traitId: 'top', metadata: { trait: 'meta' }, trait: 'plain', response: 'a' },
        { metadata: { trait: 'meta' }, trait: 'plain', response: 'b' },
        { trait: 7, response: 'c' },
      ),
    );
    assert.deepEqual(
      records.map((r) => r.traitId),
      ['top', 'meta', '7'],
    );
  });

  it('reads a record after a byte-order mark, on the first line and on later ones', () => {
    const { records, badLines } = readDataset(file('\uFEFF{"response":"one"}\n\uFEFF{"id":"b","response":"two"}\n'));
    assert.deepEqual(badLines, []);
    assert.deepEqual(
      records.map((r) => [r.id, r.line, r.response]),
      [
        ['0', 1, 'one'],
        ['b', 2, 'two'],
      ],
    );
  });

  it('finds a renamed duplicate by its new id, as the audit reported it', () => {
    const path = jsonl({ id: 'd', response: 'first' }, { id: 'd', response: 'second' }, { response: 'third' });
    const got = readRecordsById(path, new Set(['d#1', '2']));
    assert.equal(got.get('d#1')?.response, 'second');
    assert.equal(got.get('2')?.response, 'third');
    assert.equal(got.size, 2);
  });

  it('says which file it cannot read and why', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'trait-studio-read-mutants-')), 'missing.jsonl');
    dirs.push(join(missing, '..'));
    assert.throws(
      () => readDataset(missing),
      (error: Error) => error.name === 'DatasetError' && error.message === `${missing}: cannot read (ENOENT)`,
    );
  });
});
