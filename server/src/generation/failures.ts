/**
 * Failure messages as a user reads them. Stages fail with "stage: reason" (StageError, kept as is
 * in rejected.jsonl and the preview's JSON, where scripts read it); every place a person reads one
 * — the preview panel, the run report, the CLI's Markdown — shows `describeFailure` of it instead:
 * one sentence that says which step failed and why, without error class names, schema paths or
 * JSON bodies.
 */
import { count } from '../format';

/** What each stage is called in a sentence. */
const STAGE_NAMES: Readonly<Record<string, string>> = {
  brainstorm: 'The brainstorm',
  scenario: 'Writing the scenario',
  critique: 'The critique',
  baseline: 'The baseline answer',
  sharpen: 'Sharpening the scenario',
  response: 'The response',
  autorate: 'The autorater',
  embed: 'Embedding the prompt (for near-duplicate checks)',
  'midtraining-ideas': 'Brainstorming midtraining documents',
  'midtraining-draft': 'Drafting the midtraining document',
  'midtraining-critique': 'Revising the midtraining document',
  'audit-scan': 'The audit’s scan for patterns',
  'audit-cluster': 'Merging the patterns found',
  'audit-rate': 'Rating the records',
};

/** Why a model stopped without text, by Gemini finish reason (and OpenAI's content_filter). */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  SAFETY: 'its safety filters blocked it',
  RECITATION: 'it would have recited copyrighted text',
  BLOCKLIST: 'it contained a blocked term',
  PROHIBITED_CONTENT: 'it was flagged as prohibited content',
  SPII: 'it contained sensitive personal information',
  IMAGE_SAFETY: 'its safety filters blocked it',
  OTHER: 'it stopped for an unspecified reason',
  MAX_TOKENS: 'it ran out of output tokens',
  content_filter: 'the server’s content filter blocked it',
};

/** The HTTP statuses a user can act on, in words. */
const HTTP_STATUS: Readonly<Record<number, string>> = {
  400: 'the request was refused as invalid',
  401: 'the API key was refused',
  403: 'access was denied (check the API key and its permissions)',
  404: 'the model was not found (check the model id; it may be retired)',
  408: 'the request timed out',
  429: 'the rate limit or quota was exceeded',
  500: 'the model service had an internal error',
  502: 'the model service could not be reached through its gateway',
  503: 'the model service was unavailable or overloaded',
  504: 'the model service timed out',
};

/**
 * One sentence, ending in a full stop, for a failure message "stage: reason" (a StageError's
 * message, RejectedScenario.error, ScenarioResult.error). A message it cannot take apart is
 * returned as a sentence about "This step". Never throws.
 */
export function describeFailure(message: string): string {
  const m = /^([a-z][a-z-]*): ([\s\S]*)$/.exec(message.trim());
  const stage = m && (STAGE_NAMES[m[1]] || m[1] === 'unexpected') ? m[1] : undefined;
  const reason = stage ? m![2] : message.trim();
  const subject = stage === undefined || stage === 'unexpected' ? 'This step' : STAGE_NAMES[stage];
  return `${subject} failed: ${explain(reason, stage)}.`;
}

/** The reason in words (no leading capital, no full stop). */
function explain(reason: string, stage: string | undefined): string {
  const twice = /\s*\(asked twice\)$/.test(reason);
  const core = reason.replace(/\s*\(asked twice\)$/, '').trim();
  const again = twice ? ', also when asked again' : '';

  const short = /^asked for (\d+) ideas?, got (\d+)$/.exec(core);
  if (short) return `the model gave ${short[2]} of the ${short[1]} ideas asked for${again || ', also when asked again'}`;
  const blocked = /the model gave no answer \(finish reason (\w+)\)/.exec(core);
  if (blocked) return `the model gave no answer because ${FINISH_REASONS[blocked[1]] ?? `it stopped (${blocked[1]})`}${again}`;
  if (/the model gave an empty answer/.test(core)) return `the model answered with nothing${again}`;
  if (/^the answer is not JSON/.test(core)) return `the model’s answer was not the JSON asked for${again}`;
  if (/^(\/|\(answer\))\S* /.test(core)) return `the model’s answer did not have the shape asked for (${schemaWords(core)})${again}`;
  if (/^(merges|rates|record|records) /.test(core)) return `the model’s answer did not match what was asked (${core})${again}`;
  // answerCheck.ts's reasons: an answer cut off, too long or holding malformed text.
  if (/^the answer was cut off at the output token limit/.test(core))
    return `the model’s answer was cut off at the output token limit${again}`;
  const long = /^the answer is (\d+) characters long, over the limit of (\d+)/.exec(core);
  if (long)
    return `the model’s answer was ${count(Number(long[1]), 'character')} long, over the limit of ${count(Number(long[2]), 'character')}${again}`;
  if (/^the answer holds /.test(core)) return `the model’s answer held ${core.replace(/^the answer holds /, '')}${again}`;
  const embeddings = /(\d+) embeddings for (\d+) texts/.exec(core);
  if (embeddings) return `the service returned ${embeddings[1]} embeddings for ${embeddings[2]} texts`;

  // A request that failed for good: "model: HTTP 503: message (after 4 attempts)", a timeout, a connection error.
  const request = /^(\S+): ([\s\S]*?)(?: \(after (\d+) attempts\))?$/.exec(core);
  if (request && stage !== 'unexpected') {
    const [, model, what, attempts] = request;
    const tries = attempts ? ` (tried ${attempts} times)` : '';
    const http = /^HTTP (\d{3}): ([\s\S]*)$/.exec(what);
    if (http) {
      const status = Number(http[1]);
      // Gemini answers a bad key with 400 INVALID_ARGUMENT "API key not valid": say what it is.
      const words = /\bAPI key\b/i.test(http[2])
        ? 'the API key was refused'
        : (HTTP_STATUS[status] ?? `the model service answered with an error (HTTP ${status})`);
      return `${model}: ${words}${tries} — “${oneLine(http[2])}”`;
    }
    const timeout = /^no answer within (\d+) ms$/.exec(what);
    if (timeout) return `${model} did not answer within ${Math.round(Number(timeout[1]) / 1000)} seconds${tries}`;
    const connection = /^connection error \(([^)]*)\)$/.exec(what);
    if (connection) return `could not reach the model service for ${model} (${connectionWords(connection[1])})${tries}`;
    if (/^error in the stream/.test(what))
      return `${model} broke off its answer with an error${tries} — “${oneLine(what.replace(/^error in the stream(?: \([^)]*\))?: /, ''))}”`;
  }
  return `something unexpected went wrong — “${oneLine(core)}”`;
}

/** Ajv's "/ideas/0/why must NOT have fewer than 1 characters" as "ideas item 1, why: must not be empty". */
function schemaWords(problems: string): string {
  return problems
    .split('; ')
    .slice(0, 2)
    .map((p) => {
      const [path, ...rest] = p.split(' ');
      const where =
        path === '(answer)'
          ? 'the answer'
          : path
              .slice(1)
              .replace(/\/(\d+)/g, (_s, i) => ` item ${Number(i) + 1}`)
              .replace(/\//g, ', ');
      const what = rest.join(' ').replace('must NOT have fewer than 1 characters', 'must not be empty').replace('must NOT', 'must not');
      return `${where}: ${what}`;
    })
    .join('; ');
}

function connectionWords(code: string): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    EAI_AGAIN: 'the host name could not be resolved',
    UND_ERR_SOCKET: 'the connection was closed',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
    UND_ERR_CLOSED: 'the connection was closed',
    EPIPE: 'the connection was closed',
  };
  return words[code] ?? code;
}

/** `text` on one line, at most 160 characters, without a closing full stop (the sentence has its own). */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}
