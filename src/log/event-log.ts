/**
 * What a command records for later: structured events (`command.start`, `apply.result`, …) with
 * their facts. Commands log through this interface and never know where it goes; with
 * `--log-file` it is a rotated JSON-lines file (file-log.ts), otherwise nowhere.
 */

export type LogFields = Readonly<Record<string, unknown>>;

export interface EventLog {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** Writes out what is buffered and closes the file, so the process can exit at once. */
  close(): Promise<void>;
}

export const silentLog: EventLog = {
  info() {},
  warn() {},
  error() {},
  close: async () => {},
};

/** Keys whose values are never written, at any depth. */
const SECRET_KEY = /pass(word|phrase)?$|secret|token$|^authorization$|^cookie$|api[-_]?key|credential/i;

export const REDACTED = '[redacted]';

/**
 * Secrets never reach photosync's config, plans or state, but an error message from a library can
 * quote a URL or a header: this removes credentials from every string and secret-named key.
 */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { name: value.name, message: scrubText(value.message), ...(code ? { code } : {}) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && typeof v !== 'object' ? REDACTED : scrub(v, depth + 1);
  return out;
}

export function scrubText(text: string): string {
  return (
    text
      // https://user:password@host → https://[redacted]@host
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, `$1${REDACTED}@`)
      // Authorization: Bearer xyz, Basic xyz
      .replace(/\b([Bb]earer|[Bb]asic|Digest)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${REDACTED}`)
      // secrets in query strings and form bodies
      .replace(
        /([?&;](?:access_token|refresh_token|id_token|token|code|client_secret|password|key|sig|signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s"']+/gi,
        `$1${REDACTED}`,
      )
  );
}
