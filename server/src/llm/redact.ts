/**
 * Keeping credentials out of everything logged, shown or written. A provider's error can echo what
 * it was sent (the API key, the URL with its userinfo or `?key=`), and the URL itself names the
 * provider in cache keys and run manifests. The provider layer redacts every error it lets out
 * (requestPolicy.ts), and the writers (run files, the CLI's stderr, the editor's log) redact again
 * as a backstop.
 *
 * Redacted: the secrets this process registered (the API keys given to providers, the credentials
 * in their base URLs), and whatever looks like a credential whoever it belongs to — a URL's
 * userinfo (`http://user:secret@host`), the value of a secret-looking parameter or field
 * (`?api_key=…`, `key=…`, `token=…`, `"password": "…"`, `x-goog-api-key: …`), a bearer token, and
 * keys of the well-known shapes (Google `AIza…`, OpenAI `sk-…`).
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not registered: they are not real keys, and would redact ordinary words. */
const MIN_SECRET_LENGTH = 8;

const secrets = new Set<string>();

/**
 * A name that says its value is a credential: key, api_key, apikey, x-api-key, token, access_token,
 * secret, client_secret, password, passwd, pwd, auth, authorization, signature, sig, credential(s),
 * session, or any name ending in one of these. (The prefix is bounded so the search stays linear.)
 */
const SECRET_NAME = String.raw`[\w.-]{0,40}?(?:api[_-]?key|apikey|key|token|secret|password|passwd|pwd|auth|authorization|signature|sig|credentials?|session)`;

/** Registers a credential this process holds, so that it is redacted wherever it appears. Short or empty values are ignored. */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return;
  secrets.add(secret);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) secrets.add(encoded);
}

/** Registers the credentials a URL carries: its password (and user name) and the values of its secret-looking parameters. */
export function registerUrlSecrets(url: string | undefined): void {
  const parsed = parseUrl(url);
  if (!parsed) return;
  registerSecret(decodeURIComponent(parsed.password));
  registerSecret(parsed.password);
  registerSecret(decodeURIComponent(parsed.username));
  for (const [name, value] of parsed.searchParams) if (isSecretName(name)) registerSecret(value);
}

const PATTERNS: readonly [RegExp, string][] = [
  // A URL's userinfo: scheme://user:password@host (or a lone token as user).
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  // Bearer tokens, in a header or in text.
  [/\b(bearer)\s+[A-Za-z0-9._~+/-]+=*/gi, `$1 ${REDACTED}`],
  // name=value (query strings, form bodies, log lines) and name: value / "name": "value" (headers, JSON).
  [new RegExp(String.raw`(\b${SECRET_NAME}=)[^\s&#"'<>,;]+`, 'gi'), `$1${REDACTED}`],
  [new RegExp(String.raw`(["']?\b${SECRET_NAME}["']?\s*:\s*["']?)(?!${escape(REDACTED)}|bearer\b)[^\s"'<>,;}]+`, 'gi'), `$1${REDACTED}`],
  // Keys of well-known shapes, wherever they are.
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, REDACTED],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
];

/**
 * `text` with every registered secret and every credential-looking value (see the module comment)
 * replaced by REDACTED. Idempotent; text without any is returned as it is.
 */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A URL fit to name a provider (cache keys, a run's manifest): without its userinfo and without its
 * secret-looking query parameters. A URL carrying neither is returned exactly as given (so ids made
 * before stay the same); one that cannot be parsed is redacted as text.
 */
export function credentialFreeUrl(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return redact(url);
  const secretParams = [...parsed.searchParams.keys()].filter(isSecretName);
  if (!parsed.username && !parsed.password && secretParams.length === 0) return url;
  parsed.username = '';
  parsed.password = '';
  for (const name of secretParams) parsed.searchParams.delete(name);
  return parsed.toString();
}

/**
 * Redacts an error's message and stack in place, and those of its causes (an SDK error wraps the
 * HTTP body or the fetch error), so whoever logs it later logs no credential. Returns the error.
 */
export function redactError<E>(error: E): E {
  for (
    let e = error as { message?: unknown; stack?: unknown; cause?: unknown } | undefined, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    try {
      if (typeof e.message === 'string') e.message = redact(e.message);
      if (typeof e.stack === 'string') e.stack = redact(e.stack);
    } catch {
      // A frozen or exotic error: its message stays, the caller's own text is still redacted.
    }
  }
  return error;
}

const SECRET_PARAMETER = new RegExp(`^${SECRET_NAME}$`, 'i');

function isSecretName(name: string): boolean {
  return SECRET_PARAMETER.test(name);
}

function parseUrl(url: string | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
