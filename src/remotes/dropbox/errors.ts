/**
 * Dropbox failures, classified for the executor (cloud-apis.md §2.6). The SDK throws
 * DropboxResponseError { status, headers, error } with `error` the parsed JSON body or the raw
 * text; 409 bodies are Stone unions, read here by their `.tag` chain, never by error_summary.
 */
import { DropboxResponseError } from 'dropbox';
import { loginHint } from '../../auth/tokens.ts';
import { AlreadyExistsError, NotFoundError, RemoteError } from '../errors.ts';
import { parseRetryAfter } from '../retry-after.ts';

/** The connection failed before a response arrived (refused, reset, dropped mid-body). */
export class NetworkError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

/** The endpoint error of a 409 (the `error` member of its body), or null for anything else. */
export function endpointError(err: unknown): Json | null {
  if (!(err instanceof DropboxResponseError) || err.status !== 409) return null;
  const body: unknown = err.error;
  return isObject(body) && isObject(body['error']) ? body['error'] : null;
}

/**
 * The tags of a union from the outside in: `{".tag":"path","path":{".tag":"conflict",...}}` and
 * the flattened `{".tag":"path","reason":{".tag":"conflict",...}}` of files/upload both give
 * ["path", "conflict", "file"].
 */
export function unionTags(union: unknown): string[] {
  const tags: string[] = [];
  let node = union;
  while (isObject(node) && typeof node['.tag'] === 'string') {
    const tag = node['.tag'];
    tags.push(tag);
    node = isObject(node[tag]) ? node[tag] : node['reason'];
  }
  return tags;
}

/** The `correct_offset` of an incorrect_offset error, wherever in the union it sits. */
export function correctOffset(union: unknown): number | null {
  let node = union;
  while (isObject(node) && typeof node['.tag'] === 'string') {
    if (node['.tag'] === 'incorrect_offset' && typeof node['correct_offset'] === 'number') return node['correct_offset'];
    node = node[node['.tag']];
  }
  return null;
}

/** Retry-After in ms: the header (always sent with 429) or, failing that, the JSON `retry_after` seconds. */
function retryAfterMs(err: DropboxResponseError<unknown>): number | undefined {
  const headers = err.headers as unknown as Headers | undefined;
  const fromHeader = parseRetryAfter(typeof headers?.get === 'function' ? headers.get('retry-after') : null);
  if (fromHeader !== undefined) return fromHeader;
  const seconds = isObject(err.error) && isObject(err.error['error']) ? Number(err.error['error']['retry_after']) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * A RemoteError for any failure of a Dropbox call. `path` names the file concerned (for
 * already-exists and not-found); `what` says what was being done. Errors that are not about the
 * service (the source file changed or vanished, a failed sign-in) are returned unchanged.
 */
export function classifyDropboxError(remote: string, err: unknown, what: string, path?: string): Error {
  if (err instanceof RemoteError) return err;
  if (err instanceof NetworkError) return new RemoteError(remote, 'retryable', `${what}: ${err.message}`, { cause: err });
  if (!(err instanceof DropboxResponseError)) return err instanceof Error ? err : new Error(String(err));
  const status = err.status as number;
  const body: unknown = err.error;
  const options = { status, cause: err };
  if (status === 409) {
    const tags = unionTags(endpointError(err));
    const detail = `${what}: ${tags.join('/') || 'conflict'}`;
    if (tags.includes('conflict')) return new AlreadyExistsError(remote, path ?? what, options);
    if (tags.includes('not_found') && !tags.includes('lookup_failed')) return new NotFoundError(remote, path ?? what, options);
    if (tags.includes('insufficient_space')) return new RemoteError(remote, 'no-space', `${remote} is out of space (${detail})`, { ...options, hint: 'free space in Dropbox or upgrade the plan' });
    if (tags.includes('too_many_write_operations')) return new RemoteError(remote, 'throttled', `${detail} (Dropbox's namespace lock is busy)`, options);
    if (tags.includes('no_write_permission') || tags.includes('team_folder')) return new RemoteError(remote, 'unavailable', `no permission to write to ${remote} (${detail})`, options);
    // A hash mismatch means the bytes were damaged on the way: sending them again is the fix.
    if (tags.includes('content_hash_mismatch') || tags.includes('incorrect_offset') || tags.includes('reset')) return new RemoteError(remote, 'retryable', detail, options);
    return new RemoteError(remote, 'fatal', detail, options);
  }
  if (status === 429) {
    const reason = isObject(body) ? unionTags(isObject(body['error']) ? body['error']['reason'] : null)[0] : undefined;
    return new RemoteError(remote, 'throttled', `${what}: Dropbox asks to slow down (${reason ?? 'too_many_requests'})`, { ...options, retryAfterMs: retryAfterMs(err) });
  }
  if (status === 401) {
    const tag = isObject(body) ? unionTags(body['error'])[0] : undefined;
    return new RemoteError(remote, 'auth', `${what}: Dropbox refused the sign-in of remote "${remote}" (${tag ?? 'HTTP 401'})`, { ...options, hint: loginHint(remote) });
  }
  if (status === 403) {
    return new RemoteError(remote, 'unavailable', `${what}: access denied (${JSON.stringify(body)})`, options);
  }
  if (status >= 500) return new RemoteError(remote, 'retryable', `${what}: Dropbox answered HTTP ${status}`, options);
  // 400 is a request photosync should never have sent: the plain-text body says what was wrong.
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new RemoteError(remote, 'fatal', `${what}: Dropbox rejected the request (HTTP ${status}: ${text.slice(0, 500)})`, options);
}

/** 401 answers a refresh can cure. */
export function isExpiredToken(err: unknown): boolean {
  if (!(err instanceof DropboxResponseError) || err.status !== 401) return false;
  const body: unknown = err.error;
  const tag = isObject(body) ? unionTags(body['error'])[0] : undefined;
  return tag === 'expired_access_token' || tag === 'invalid_access_token';
}
