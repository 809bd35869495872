/**
 * The HTTP plumbing the fake model servers (test/fake-gemini, test/fake-openai) share: listening on
 * a free local port, reading a request's body, answering JSON, and closing even while a scripted
 * "hang" holds a response open.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeHttpServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** Responses a scripted hang keeps open: `close` destroys them. */
  readonly hung: Set<ServerResponse>;
  /** Stops listening, dropping open connections and hung responses. */
  close(): Promise<void>;
}

/** Starts `handle` on 127.0.0.1 and a free port; each request's body arrives read (UTF-8). */
export async function listen(handle: (req: IncomingMessage, res: ServerResponse, body: string) => unknown): Promise<FakeHttpServer> {
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  const server = createServer(async (req, res) => handle(req, res, await readBody(req)));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hung,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers `body` as JSON with `status` (and any extra headers). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The whole body of a request as text; what arrived before a dropped connection, if it drops. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', () => resolve(data));
  });
}
