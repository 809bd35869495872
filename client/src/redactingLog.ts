import { redact } from '../../server/src/llm/redact';

/** The methods of a (log) output channel that take the text to write first. */
const WRITERS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

/**
 * `channel` with every message redacted (server/src/llm/redact.ts) before it is written: the
 * Trait Studio output is the editor's log, and a provider error echoing a key must not land there.
 * Everything else (show, dispose, logLevel, events) is the channel's own. An Error passed as a
 * message (LogOutputChannel.error accepts one) is redacted in place.
 */
export function redactingLog<T extends object>(channel: T): T {
  return new Proxy(channel, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (typeof property !== 'string' || !WRITERS.has(property)) return value.bind(target);
      return (message: unknown, ...args: unknown[]) =>
        value.call(
          target,
          typeof message === 'string' ? redact(message) : message instanceof Error ? redactErrorOf(message) : message,
          ...args.map((a) => (typeof a === 'string' ? redact(a) : a)),
        );
    },
  });
}

function redactErrorOf(error: Error): Error {
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  return error;
}
