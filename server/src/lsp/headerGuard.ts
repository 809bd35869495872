import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n');
const NAME = 'content-length:';
/** A header block longer than this without its blank line is not a header. */
const MAX_HEADER_BYTES = 8192;
/** The largest body accepted: about what one JavaScript string can hold. */
const MAX_BODY_BYTES = 512 * 1024 * 1024;

/**
 * The Content-Length of an LSP header block (lines `Name: value` joined by CRLF, without the blank
 * line), or a reason it has none that can be trusted.
 */
export function contentLength(header: string): number | string {
  let length: number | string = 'it has no Content-Length';
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) return `its line ${JSON.stringify(line.slice(0, 80))} is not "Name: value"`;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    length =
      /^\d{1,10}$/.test(value) && Number(value) <= MAX_BODY_BYTES
        ? Number(value)
        : `its Content-Length ${JSON.stringify(value.slice(0, 40))} is not a byte count up to ${MAX_BODY_BYTES}`;
  }
  return length;
}

/**
 * Sits between an LSP client's byte stream (stdio) and the JSON-RPC reader. Messages with a valid
 * header (`Content-Length: N` then N bytes of body) pass through unchanged. A header without a valid
 * Content-Length used to leave the reader stuck, ignoring every later message; here it is dropped
 * with what follows up to the next `Content-Length:`, where reading resumes, and `onInvalid` is
 * told why (the server answers the client with a parse error).
 */
export class LspHeaderGuard extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Body bytes of the current message still to pass through. */
  private bodyLeft = 0;
  /** After an invalid header: looking for the next `Content-Length:`. */
  private resyncing = false;

  constructor(private readonly onInvalid: (reason: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.drain();
    done();
  }

  private drain(): void {
    for (;;) {
      if (this.bodyLeft > 0) {
        if (!this.pending.length) return;
        const n = Math.min(this.bodyLeft, this.pending.length);
        this.push(this.pending.subarray(0, n));
        this.pending = this.pending.subarray(n);
        this.bodyLeft -= n;
        continue;
      }
      if (this.resyncing) {
        const at = this.pending.toString('latin1').toLowerCase().indexOf(NAME);
        if (at < 0) {
          // Keep what could be the start of the name, split across chunks.
          this.pending = this.pending.subarray(Math.max(0, this.pending.length - (NAME.length - 1)));
          return;
        }
        this.pending = this.pending.subarray(at);
        this.resyncing = false;
      }
      const end = this.pending.indexOf(HEADER_END);
      if (end < 0) {
        if (this.pending.length <= MAX_HEADER_BYTES) return;
        this.pending = this.pending.subarray(this.pending.length - (NAME.length - 1));
        this.invalid(`a message header ran past ${MAX_HEADER_BYTES} bytes without its blank line`);
        continue;
      }
      const header = this.pending.subarray(0, end).toString('ascii');
      const length = contentLength(header);
      if (typeof length === 'string') {
        this.pending = this.pending.subarray(end + HEADER_END.length);
        this.invalid(`a message header was not valid: ${length}`);
        continue;
      }
      this.push(this.pending.subarray(0, end + HEADER_END.length));
      this.pending = this.pending.subarray(end + HEADER_END.length);
      this.bodyLeft = length;
    }
  }

  private invalid(reason: string): void {
    this.resyncing = true;
    this.onInvalid(`${reason}; it was skipped up to the next Content-Length header`);
  }
}
