// Reading a dataset at its edges: line endings that fall on the reader's 1 MiB chunk boundary, turns
// and parts of odd shapes, ids and traits that are not usable, answers that are only whitespace, and
// paths that are not files. A record lost or merged here is missing from every count of the audit.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readDataset, readRecordsById } from '../../server/src/audit';
import { rawLines } from '../../server/src/audit/read';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function file(content: string | Buffer, name = 'data.jsonl'): string {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-read-edges-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const CHUNK = 1 << 20;
const lines = (path: string) => [...rawLines(path)].map((l) => [l.line, l.bytes.toString('latin1'), l.ending]);

describe('rawLines on the chunk boundary', () => {
  it('tells a CRLF split across two chunks from a lone CR there', () => {
    const first = 'a'.repeat(CHUNK - 1);
    assert.deepEqual(lines(file(`${first}\r\nnext\n`)), [
      [1, first, '\r\n'],
      [2, 'next', '\n'],
    ]);
    assert.deepEqual(lines(file(`${first}\rnext`)), [
      [1, first, '\r'],
      [2, 'next', ''],
    ]);
    // The CR is the file's last byte.
    assert.deepEqual(lines(file(`${first}\r`)), [[1, first, '\r']]);
  });

  it('reads a line that starts right after a chunk ends, and LF, CR and CRLF mixed within a chunk', () => {
    const first = 'b'.repeat(CHUNK - 1);
    assert.deepEqual(lines(file(`${first}\nc\rd\r\ne\n\nf`)), [
      [1, first, '\n'],
      [2, 'c', '\r'],
      [3, 'd', '\r\n'],
      [4, 'e', '\n'],
      [5, '', '\n'],
      [6, 'f', ''],
    ]);
    assert.deepEqual(lines(file('x\r\r\ny\r')), [
      [1, 'x', '\r'],
      [2, '', '\r\n'],
      [3, 'y', '\r'],
    ]);
    assert.deepEqual(lines(file('')), []);
  });
});

describe('readDataset on odd lines', () => {
  const read = (...objects: unknown[]) => readDataset(file(objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n')));

  it('reads text parts given as strings or objects, passes over other parts and turns that are not objects', () => {
    const { records, badLines } = read(
      {
        messages: [
          'not a turn',
          { role: 'user', content: ['plain ', { type: 'image_url' }, { text: 'text' }, 7] },
          { role: 'assistant', content: [{ text: 'A' }, ' B'] },
        ],
      },
      { contents: [null, { role: 'user', parts: 'x' }, { role: 'model', parts: [{ text: 'M' }, { inline: 1 }, 'skip'] }] },
      { messages: [{ role: 'assistant', content: 'No question before.' }] },
      { messages: [{ content: 'no role' }, { role: 'assistant', content: { text: 'not a list' } }] },
    );
    assert.deepEqual(
      records.map((r) => [r.prompt, r.response]),
      [
        ['plain text', 'A B'],
        ['', 'M'],
        ['', 'No question before.'],
      ],
    );
    assert.deepEqual(badLines, [{ line: 4, reason: 'no assistant turn with text in "messages"' }]);
  });

  it('skips answers that are only whitespace, in every shape, saying which shape it looked for', () => {
    const { records, badLines } = read(
      { messages: [{ role: 'assistant', content: '  \n' }] },
      { contents: [{ role: 'model', parts: [{ text: ' ' }] }] },
      { response: ' \t' },
      { response: 5, prompt: 'q' },
      'null',
      '"text"',
      { id: 'ok', response: 'Fine.', prompt: 3 },
    );
    assert.deepEqual(
      badLines.map((b) => b.reason),
      [
        'no assistant turn with text in "messages"',
        'no model turn with text in "contents"',
        'no assistant turn: expected "messages" (OpenAI), "contents" (Gemini) or "response" (records.jsonl)',
        'no assistant turn: expected "messages" (OpenAI), "contents" (Gemini) or "response" (records.jsonl)',
        'not a JSON object',
        'not a JSON object',
      ],
    );
    assert.deepEqual(records, [{ id: 'ok', line: 7, traitId: null, prompt: '', response: 'Fine.' }]);
  });

  it('takes a string or finite number as an id or trait, anything else as none', () => {
    const { records } = read(
      { id: '', traitId: '', metadata: { trait: 'meta' }, response: 'a' },
      { id: 1.5, traitId: 0, response: 'b' },
      { id: null, traitId: null, metadata: null, trait: 'plain', response: 'c' },
      { id: true, traitId: ['x'], metadata: 'str', response: 'd' },
      '{"id": 1e400, "traitId": {"a": 1}, "response": "e"}',
    );
    assert.deepEqual(
      records.map((r) => [r.id, r.traitId]),
      [
        ['0', 'meta'],
        ['1.5', '0'],
        ['2', 'plain'],
        ['3', null],
        ['4', null],
      ],
    );
  });

  it('gives a repeated id a name no other record has, even one the file chose itself', () => {
    const { records } = read(
      { id: 'a#2', response: 'explicit, before the rename that would take it' },
      { id: 'a', response: 'first' },
      { id: 'a', response: 'a#2 is taken: a#2.2' },
      { id: 'a', response: 'a#3' },
      { id: 'a#3', response: 'explicit, after a rename took it: a#3#4' },
      { response: 'no id: its line, 5' },
      { id: '5', response: 'taken: 5#6' },
    );
    const ids = records.map((r) => r.id);
    assert.deepEqual(ids, ['a#2', 'a', 'a#2.2', 'a#3', 'a#3#4', '5', '5#6']);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('reads a line holding only a byte-order mark or spaces as blank, and a bad line with its JSON error', () => {
    const { records, badLines } = read('\uFEFF', '   ', { response: 'x' }, '{"a":');
    assert.deepEqual(
      records.map((r) => r.line),
      [3],
    );
    assert.equal(badLines.length, 1);
    assert.equal(badLines[0].line, 4);
    assert.match(badLines[0].reason, /^not JSON \(.+\)$/);
  });

  it('says a folder is not a dataset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trait-studio-read-edges-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'sub.jsonl'));
    assert.throws(() => readDataset(join(dir, 'sub.jsonl')), /sub\.jsonl: not a regular file \(.+\); a dataset must be a file/);
  });

  it('reads back only the records asked for, none when none is asked', () => {
    const path = file(Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `r${i}`, response: `R${i}` })).join('\n'));
    assert.equal(readRecordsById(path, new Set()).size, 0);
    const got = readRecordsById(path, new Set(['r4', 'r1', 'missing']));
    assert.deepEqual([...got.keys()].sort(), ['r1', 'r4']);
    assert.equal(got.get('r4')?.response, 'R4');
  });
});
