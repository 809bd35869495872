/**
 * LspHeaderGuard: valid LSP messages pass through byte for byte however the stream is cut into
 * chunks; a message whose header has no valid Content-Length is reported and skipped, and the
 * messages after it pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { contentLength, LspHeaderGuard } from '../../server/src/lsp/headerGuard';

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Feeds `input` to a guard cut at `cuts` (sorted offsets); returns what passed and what was reported. */
function run(input: Buffer, cuts: number[]): Promise<{ output: string; invalid: string[] }> {
  const invalid: string[] = [];
  const guard = new LspHeaderGuard((reason) => invalid.push(reason));
  const chunks: Buffer[] = [];
  guard.on('data', (c: Buffer) => chunks.push(c));
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    if (cut > at) guard.write(input.subarray(at, cut));
    at = Math.max(at, cut);
  }
  guard.end();
  return new Promise((resolve) => guard.on('end', () => resolve({ output: Buffer.concat(chunks).toString('utf8'), invalid })));
}

const body = fc.oneof(
  fc.json().map((j) => `{"jsonrpc":"2.0","method":"x","params":${j}}`),
  fc.constant('{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{"text":"Content-Length: 12 ü 😀"}}'),
);
// What follows a bad header is skipped up to the next `Content-Length:`; a skipped body that holds
// that text itself would be resynchronised on wrongly (the guard cannot know where it ends).
const skippedBody = fc.json().map((j) => `{"jsonrpc":"2.0","method":"y","params":${j}}`);
const badHeader = fc.constantFrom(
  'Content-Type: application/vscode-jsonrpc\r\n\r\n',
  'Content-Length: x\r\n\r\n',
  'Content-Length: -1\r\n\r\n',
  'content length 5\r\n\r\n',
  'Content-Length: 99999999999\r\n\r\n',
);

describe('LSP header guard', () => {
  it('reads the Content-Length of a header, or says why not', () => {
    assert.equal(contentLength('Content-Length: 42'), 42);
    assert.equal(contentLength('content-length:7\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8'), 7);
    assert.match(String(contentLength('Content-Type: x')), /no Content-Length/);
    assert.match(String(contentLength('Content-Length: 4x')), /not a byte count/);
    assert.match(String(contentLength('Content-Length 4')), /not "Name: value"/);
  });

  it('passes valid messages unchanged, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(2000)), async (bodies, rawCuts) => {
        const input = Buffer.from(bodies.map(frame).join(''));
        const { output, invalid } = await run(
          input,
          rawCuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b),
        );
        assert.equal(output, input.toString('utf8'));
        assert.deepEqual(invalid, []);
      }),
      { numRuns: 200 },
    );
  });

  it('skips a message with an invalid header and passes the ones after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        badHeader,
        skippedBody,
        fc.array(body, { maxLength: 3 }),
        fc.array(fc.nat(2000)),
        async (before, bad, badBody, rest, rawCuts) => {
          const valid = [before, ...rest].map(frame);
          const input = Buffer.from(valid[0] + bad + badBody + valid.slice(1).join(''));
          const { output, invalid } = await run(
            input,
            rawCuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b),
          );
          assert.equal(output, valid.join(''));
          assert.equal(invalid.length, 1);
          assert.match(invalid[0], /message header was not valid: .*; it was skipped up to the next Content-Length header/);
        },
      ),
      { numRuns: 200 },
    );
  });
});
