/**
 * Graph failures, classified for the executor (cloud-apis.md §3.6). Two sources feed this: the
 * Graph client's GraphError (API calls) and plain fetch responses (the upload URL, which must not
 * go through the client). Both are reduced to a GraphFailure first.
 */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import { PhotosyncError, SourceChangedError } from '../../errors.ts';
import { loginHint } from '../../auth/tokens.ts';
import { AlreadyExistsError, NotFoundError, RemoteError } from '../errors.ts';
import { parseRetryAfter } from '../retry-after.ts';

export interface GraphFailure {
  /** HTTP status, or -1 when no response arrived (network, TLS, aborted). */
  readonly status: number;
  /** The Graph error code ("nameAlreadyExists"), when the body had one. */
  readonly code: string | null;
  readonly message: string;
  readonly retryAfter: string | null;
}

export function failureOfGraphError(err: GraphError): GraphFailure {
  return {
    status: err.statusCode,
    code: err.code ?? null,
    message: err.message,
    // The client keeps headers only when the error body was JSON; a text body loses Retry-After.
    retryAfter: err.headers?.get('retry-after') ?? null,
  };
}

export async function failureOfResponse(response: Response): Promise<GraphFailure> {
  const text = await response.text().catch(() => '');
  let code: string | null = null;
  let message = text.slice(0, 300) || response.statusText;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string') code = parsed.error.code;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, code, message, retryAfter: response.headers.get('retry-after') };
}

/** A 401 that a token refresh can cure. */
export function isExpiredToken(err: unknown): boolean {
  return err instanceof GraphError && err.statusCode === 401;
}

/**
 * What the executor should make of a failure. `path` names the file or folder for messages
 * (AlreadyExistsError and NotFoundError say which one).
 */
export function classifyFailure(remote: string, f: GraphFailure, path: string, cause?: unknown): RemoteError {
  const detail = `${path}: ${f.status === -1 ? '' : `HTTP ${f.status} `}${f.code ? `${f.code}: ` : ''}${f.message}`;
  const options = { status: f.status === -1 ? undefined : f.status, cause };
  if (f.status === 409 && f.code === 'nameAlreadyExists') return new AlreadyExistsError(remote, path, options);
  if (f.status === 404) return new NotFoundError(remote, path, options);
  if (f.status === 401) {
    return new RemoteError(remote, 'auth', `${remote} refused the sign-in even after a token refresh (${detail})`, { ...options, hint: loginHint(remote) });
  }
  if (f.status === 403 && f.code === 'accessDenied') {
    return new RemoteError(remote, 'unavailable', `${remote} denies access (${detail})`, { ...options, hint: 'check the app permissions of this remote and the folder it writes to' });
  }
  const wait = parseRetryAfter(f.retryAfter);
  if (f.status === 429 || (f.status === 503 && wait !== undefined)) {
    return new RemoteError(remote, 'throttled', `${remote} asks to slow down (${detail})`, { ...options, retryAfterMs: wait });
  }
  if (f.status === 507 || f.code === 'quotaLimitReached') {
    return new RemoteError(remote, 'no-space', `${remote} is out of storage (${detail})`, { ...options, hint: 'free space in OneDrive or buy more' });
  }
  if (f.status === -1 || f.status === 408 || f.status === 416 || f.status >= 500) return new RemoteError(remote, 'retryable', detail, options);
  return new RemoteError(remote, 'fatal', detail, options);
}

/**
 * Any error out of a Graph call, classified. Photosync's own errors (a changed source, an
 * expired sign-in from the token source) pass through unchanged; so does an abort.
 */
export function classifyGraphError(remote: string, err: unknown, path: string, signal?: AbortSignal): Error {
  if (err instanceof PhotosyncError || err instanceof SourceChangedError) return err;
  if (err instanceof GraphClientError && err.customError instanceof Error) return classifyGraphError(remote, err.customError, path, signal);
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error('aborted', { cause: err });
  if (err instanceof GraphError) return classifyFailure(remote, failureOfGraphError(err), path, err);
  if (isNetworkError(err)) {
    const message = `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`;
    return classifyFailure(remote, { status: -1, code: null, message, retryAfter: null }, path, err);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** fetch's own failures (connection refused or reset, TLS): worth another attempt, unlike a bug. */
function isNetworkError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (err instanceof TypeError && err.message === 'fetch failed') return true;
  const code = (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(E[A-Z]+|UND_ERR_\w+)$/.test(code);
}
