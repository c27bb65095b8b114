/** WebDAV answers and network failures, classified for the executor (RFC 4918 §11, RFC 9110 §15). */
import { AlreadyExistsError, NotFoundError, RemoteError } from '../errors.ts';
import { parseRetryAfter } from '../retry-after.ts';

export interface DavFailure {
  readonly method: string;
  /** The path under the share, as the user knows it ("" for the share itself). */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The start of the response body, for the message. */
  readonly body?: string | undefined;
}

export interface ClassifyContext {
  readonly remote: string;
  /** What to do about a 401/403: where the password comes from, and how to set it. */
  readonly authHint: string;
  /** Whether requests carry a user name and password (else a 401 means "log in", not "wrong password"). */
  readonly loginSent: boolean;
  /** For Retry-After given as an HTTP date. */
  readonly now?: () => number;
}

export function classifyResponse(ctx: ClassifyContext, f: DavFailure): RemoteError {
  const where = f.path === '' ? `the folder of ${ctx.remote}` : f.path;
  const detail = `${f.method} ${where}: HTTP ${f.status}${summary(f.body)}`;
  const options = { status: f.status };
  switch (f.status) {
    case 401: {
      // The page of a 401 only repeats that; the hint says what to do.
      const what = `${f.method} ${where}: HTTP 401`;
      const message = ctx.loginSent
        ? `${ctx.remote} did not accept the user name and password (${what})`
        : `${ctx.remote} asks for a login, and photosync has no password for it (${what})`;
      return new RemoteError(ctx.remote, 'auth', message, { ...options, hint: ctx.authHint });
    }
    case 403:
      return new RemoteError(ctx.remote, 'auth', `${ctx.remote} refused access (${detail})`, {
        ...options,
        hint: `check that the user may write to this folder on the server; ${ctx.authHint}`,
      });
    case 404:
      return new NotFoundError(ctx.remote, where, options);
    case 409:
      // A PUT or MKCOL whose parent folder is missing (deleted while we ran): create it again and retry.
      return new RemoteError(ctx.remote, f.method === 'PUT' || f.method === 'MKCOL' ? 'retryable' : 'fatal', `${detail} (a parent folder is missing)`, options);
    case 412:
      return new AlreadyExistsError(ctx.remote, where, options);
    case 423:
      return new RemoteError(ctx.remote, 'retryable', `${detail} (locked by another client)`, options);
    case 429:
    case 503: {
      const retryAfterMs = parseRetryAfter(header(f.headers, 'retry-after'), ctx.now?.() ?? Date.now());
      return new RemoteError(ctx.remote, retryAfterMs === undefined && f.status === 503 ? 'retryable' : 'throttled', detail, {
        ...options,
        retryAfterMs,
      });
    }
    case 408:
    case 500:
    case 502:
    case 504:
      return new RemoteError(ctx.remote, 'retryable', detail, options);
    case 507:
      return new RemoteError(ctx.remote, 'no-space', `${ctx.remote} is full (${detail})`, {
        ...options,
        hint: 'free space on the server, or raise the quota of this user',
      });
    default:
      return new RemoteError(ctx.remote, 'fatal', detail, options);
  }
}

/** Error codes of a connection that broke or never came up; the request may succeed if sent again. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function classifyNetworkError(ctx: ClassifyContext, err: unknown, what: string): RemoteError {
  if (err instanceof RemoteError) return err;
  const code = errorCode(err);
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}${code ? ` (${code})` : ''}`;
  if (code && TRANSIENT_CODES.has(code)) return new RemoteError(ctx.remote, 'retryable', message, { cause: err });
  if (code === 'ENOTFOUND') {
    return new RemoteError(ctx.remote, 'unavailable', message, { cause: err, hint: 'check the host name in the url of this remote' });
  }
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) {
    return new RemoteError(ctx.remote, 'unavailable', message, {
      cause: err,
      hint: 'the server certificate is not trusted; for a self-signed NAS certificate, point NODE_EXTRA_CA_CERTS at it',
    });
  }
  return new RemoteError(ctx.remote, 'fatal', message, { cause: err });
}

function header(headers: DavFailure['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The code of an error or of the errors it wraps (undici puts the socket's error in `cause`). */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return undefined;
}

/** A short, single-line excerpt of an error page: its title or first text. */
function summary(body: string | undefined): string {
  if (!body) return '';
  const title = /<p>([^<]*)<\/p>/i.exec(body)?.[1] ?? /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = (title ?? body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 160);
  return text === '' ? '' : ` (${text})`;
}
