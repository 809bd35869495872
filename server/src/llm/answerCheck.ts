/**
 * What an answer must be before a stage may use it, and so before it can reach a training file:
 * complete (not cut off at the output token limit), well-formed text (no U+FFFD left by a bad
 * decode, no lone surrogates, no control characters but line breaks and tabs) and of a sane size.
 * A stage treats an answer that fails as a malformed one: asked for once more, then an error for
 * its scenario (rejected.jsonl with the reason), never training data.
 */

/** Limits on one answer. */
export interface AnswerLimits {
  /** Most characters (UTF-16 code units) an answer may have. */
  readonly maxChars: number;
}

/**
 * Default AnswerLimits.maxChars: 100 000 characters, about 25 000 tokens — above any response a
 * trait scenario calls for, far below a runaway answer (a 100 MB one filled a 2.5 GB run). The
 * CLI's --max-answer-chars and the editor's traitStudio.generate.maxAnswerChars change it.
 */
export const DEFAULT_MAX_ANSWER_CHARS = 100_000;

export const DEFAULT_ANSWER_LIMITS: AnswerLimits = { maxChars: DEFAULT_MAX_ANSWER_CHARS };

/** Finish reasons that say the answer stopped at the output token limit: Gemini's and OpenAI-compatible servers'. */
const CUT_OFF = new Set(['MAX_TOKENS', 'length']);

/** C0 controls but tab, line feed and carriage return; DEL; C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** A carriage return not followed by a line feed (a lone CR moves a terminal's cursor; CRLF is a line break). */
const LONE_CR = /\r(?!\n)/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `text` (an answer that ended with `finishReason`, when known) may not be used, or undefined
 * when it may. With `structured`, the string values of the JSON it holds are checked too (JSON
 * escapes such as \u0007 hide control characters from the raw text); text that is not JSON is left
 * to the stage, which reports that itself. Linear in the text's length.
 */
export function answerProblem(
  text: string,
  finishReason: string | undefined,
  limits: AnswerLimits = DEFAULT_ANSWER_LIMITS,
  structured = false,
): string | undefined {
  if (finishReason !== undefined && CUT_OFF.has(finishReason))
    return `the answer was cut off at the output token limit (finish reason ${finishReason})`;
  if (text.length > limits.maxChars)
    return `the answer is ${text.length} characters long, over the limit of ${limits.maxChars} (--max-answer-chars, traitStudio.generate.maxAnswerChars)`;
  const raw = textProblem(text);
  if (raw || !structured) return raw;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return valueProblem(value);
}

/** What is wrong with one string, if anything. */
function textProblem(text: string): string | undefined {
  const at = (pattern: RegExp) => pattern.exec(text)?.index;
  const replacement = text.indexOf('\ufffd');
  if (replacement !== -1) return `the answer holds U+FFFD (text that could not be decoded) at character ${replacement}`;
  const surrogate = at(LONE_SURROGATE);
  if (surrogate !== undefined) return `the answer holds a lone surrogate (malformed Unicode) at character ${surrogate}`;
  const control = at(CONTROL) ?? at(LONE_CR);
  if (control !== undefined)
    return `the answer holds a control character (U+${text.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0')}) at character ${control}`;
  return undefined;
}

/** The first problem among the strings (keys included) of a parsed JSON value. */
function valueProblem(value: unknown): string | undefined {
  if (typeof value === 'string') return textProblem(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = valueProblem(item);
      if (problem) return problem;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = textProblem(key) ?? valueProblem(item);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * AnswerLimits from a user's number of characters (a CLI flag, a setting): a whole number from 1
 * to 100 000 000; undefined gives the defaults. Throws RangeError otherwise.
 */
export function answerLimits(maxChars: number | undefined): AnswerLimits {
  if (maxChars === undefined) return DEFAULT_ANSWER_LIMITS;
  if (!Number.isInteger(maxChars) || maxChars < 1 || maxChars > 100_000_000)
    throw new RangeError(`the answer limit must be a whole number of characters from 1 to 100000000, not ${maxChars}`);
  return { maxChars };
}
