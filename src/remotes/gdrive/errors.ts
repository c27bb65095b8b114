/**
 * Drive's failures, classified for the executor (shared/docs/cloud-apis.md §1.6). The SDK's own
 * retries are off, so everything that may succeed later is marked retryable or throttled here and
 * the executor's backoff decides when. Errors come in two shapes: a GaxiosError from the SDK
 * (`status`, `response.headers`, `response.data`) and HttpStatusError from the resumable upload,
 * which photosync drives itself; both carry Drive's JSON error body.
 */
import { AuthError, PhotosyncError } from '../../errors.ts';
import { loginHint } from '../../auth/tokens.ts';
import { RemoteError } from '../errors.ts';
import { parseRetryAfter } from '../retry-after.ts';

/** A non-success answer on the hand-driven resumable protocol. */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly headers: Headers;
  readonly data: unknown;

  constructor(status: number, headers: Headers, data: unknown) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.headers = headers;
    this.data = data;
  }
}

export interface DriveFailure {
  readonly status: number | undefined;
  /** errors[0].reason of Drive's error body ("userRateLimitExceeded"). */
  readonly reason: string | undefined;
  readonly message: string;
  readonly retryAfterMs: number | undefined;
  /** A network error code (ECONNRESET), when no answer arrived. */
  readonly code: string | undefined;
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'TimeoutError',
]);
const THROTTLE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded']);

/** Reads status, Drive's reason and Retry-After out of whatever was thrown. */
export function describeFailure(err: unknown): DriveFailure {
  // A GaxiosError or HttpStatusError: checked by shape, as several copies of gaxios may be installed.
  const e = err as { status?: unknown; response?: { status?: unknown; headers?: unknown; data?: unknown }; headers?: unknown; data?: unknown };
  const status = typeof e?.response?.status === 'number' ? e.response.status : typeof e?.status === 'number' ? e.status : undefined;
  const headers = e?.response?.headers ?? e?.headers;
  const body = parseBody(e?.response ? e.response.data : e?.data);
  const first = Array.isArray(body?.error?.errors) ? (body.error.errors[0] as { reason?: unknown; message?: unknown } | undefined) : undefined;
  const reason = typeof first?.reason === 'string' ? first.reason : undefined;
  const apiMessage = typeof body?.error?.message === 'string' ? body.error.message : undefined;
  const retryAfter = readHeader(headers, 'retry-after');
  return {
    status,
    reason,
    message: apiMessage ?? (err instanceof Error ? err.message : String(err)),
    retryAfterMs: parseRetryAfter(retryAfter),
    code: status === undefined ? networkCode(err) : undefined,
  };
}

/**
 * The executor's view of a failure; `what` says what photosync was doing ("upload 2024/05/a.jpg").
 * Only Drive's answers and broken connections are classified: anything else (a source file that
 * changed or vanished, an abort, a bug) is returned as it is, for the caller to see what it was.
 */
export function classifyDriveError(remote: string, what: string, err: unknown): Error {
  if (err instanceof PhotosyncError) return err;
  const f = describeFailure(err);
  const detail = `${what}: ${f.status === undefined ? f.code : `HTTP ${f.status}`}${f.reason ? ` ${f.reason}` : ''}: ${f.message}`;
  const options = { status: f.status, retryAfterMs: f.retryAfterMs, cause: err };
  if (f.status === undefined) {
    if (f.code !== undefined) return new RemoteError(remote, 'retryable', detail, options);
    return err instanceof Error ? err : new Error(String(err));
  }
  if (f.status === 401) {
    return new AuthError(`Google Drive refused the sign-in of remote "${remote}" (${detail})`, { hint: loginHint(remote), cause: err });
  }
  if (f.status === 429 || (f.status === 403 && f.reason !== undefined && THROTTLE_REASONS.has(f.reason))) {
    return new RemoteError(remote, 'throttled', detail, options);
  }
  if (f.status === 403 && f.reason === 'storageQuotaExceeded') {
    return new RemoteError(remote, 'no-space', `the Google Drive of remote "${remote}" is full (${detail})`, {
      ...options,
      hint: 'free space in Google Drive (emptying its trash counts) or buy more storage',
    });
  }
  if (f.status === 404) return new RemoteError(remote, 'not-found', detail, options);
  if (f.status === 408 || f.status >= 500) return new RemoteError(remote, 'retryable', detail, options);
  return new RemoteError(remote, 'fatal', detail, options);
}

function parseBody(data: unknown): { error?: { message?: unknown; errors?: unknown } } | undefined {
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as { error?: { message?: unknown; errors?: unknown } };
    } catch {
      return undefined;
    }
  }
  return data && typeof data === 'object' ? (data as { error?: { message?: unknown; errors?: unknown } }) : undefined;
}

/** A header from a fetch Headers (global or node-fetch's, which gaxios uses: not the same class) or a plain object. */
function readHeader(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name);
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}

/** The system error code under an SDK or undici error, looking through causes. */
function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    if (e.name === 'TimeoutError') return 'TimeoutError';
  }
  const message = err instanceof Error ? err.message : '';
  // node-fetch reports a cut connection as "socket hang up" / "premature close" without a code at times.
  if (/socket hang up|premature close|other side closed/i.test(message)) return 'ECONNRESET';
  return undefined;
}
