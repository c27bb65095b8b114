/**
 * S3 failures, classified for the executor. S3 names its errors in the XML body (`Code`), which
 * the SDK turns into `err.name`; HEAD answers have no body, so there only the status is left.
 * Names win over statuses: a 403 is usually credentials but InvalidObjectState (an archived
 * object) is not, and a 503 is usually transient but SlowDown asks us to slow down.
 */
import { AlreadyExistsError, IntegrityError, NotFoundError, RemoteError, type RemoteFailure } from '../errors.ts';
import { parseRetryAfter } from '../retry-after.ts';

/** The parts of an SDK error (S3ServiceException, or a Node network error) this module reads. */
export interface SdkErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
}

const AUTH = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidToken',
  'RequestTimeTooSkewed',
  'CredentialsProviderError',
]);
const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
]);
const RETRYABLE = new Set([
  'ConditionalRequestConflict',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'OperationAborted',
  'TimeoutError',
]);
const UNAVAILABLE = new Set(['NoSuchBucket', 'PermanentRedirect', 'AuthorizationHeaderMalformed']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
/** The bytes S3 received are not the bytes we described. */
const INTEGRITY = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch']);

export interface Classification {
  readonly failure: RemoteFailure;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
}

export function classifyS3Failure(err: SdkErrorShape): Classification {
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  const failure = failureOf(name, status, err);
  return { failure, status, retryAfterMs: failure === 'throttled' ? retryAfterMs(err) : undefined };
}

function failureOf(name: string, status: number | undefined, err: SdkErrorShape): RemoteFailure {
  if (AUTH.has(name)) return 'auth';
  if (THROTTLED.has(name) || status === 429) return 'throttled';
  if (RETRYABLE.has(name)) return 'retryable';
  if (UNAVAILABLE.has(name)) return 'unavailable';
  if (name === 'NoSuchKey' || name === 'NotFound') return 'not-found';
  if (name === 'PreconditionFailed' || status === 412) return 'already-exists';
  if (NETWORK_CODES.has(err.code ?? '') || /socket hang up/i.test(err.message ?? '')) return 'retryable';
  if (status === undefined) return 'fatal';
  // Bodiless answers (HEAD) and codes not named above: the status is all there is.
  if (name === 'Unknown' || name === '' || name === 'Error') {
    if (status === 403) return 'auth';
    if (status === 404) return 'not-found';
  }
  if (status === 500 || status === 502 || status === 503 || status === 504) return 'retryable';
  return 'fatal';
}

/** Retry-After is seconds or an HTTP date; S3's x-amz-retry-after is milliseconds. */
function retryAfterMs(err: SdkErrorShape): number | undefined {
  const headers = err.$response?.headers ?? {};
  const amz = headers['x-amz-retry-after'];
  if (amz !== undefined && /^\d+$/.test(amz.trim())) return Number(amz);
  return parseRetryAfter(headers['retry-after']);
}

const HINTS: Partial<Record<RemoteFailure, string>> = {
  auth: 'check the AWS credentials photosync finds (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the profile in the config, ~/.aws) and that they may list, read and write the bucket',
  unavailable: 'check the bucket name, its region and the endpoint in the config',
};

/**
 * Turns whatever an S3 call threw into a RemoteError. Errors that are not the remote's (the
 * source changed under the upload, the caller aborted) pass through untouched, so the executor
 * still recognises them.
 */
export function classifyS3Error(remote: string, err: unknown, what: string, path?: string): Error {
  if (err instanceof RemoteError) return err;
  if (!(err instanceof Error)) return new RemoteError(remote, 'fatal', `${what}: ${String(err)}`);
  const shape = err as SdkErrorShape;
  if (!isSdkError(shape)) return err;
  const { failure, status, retryAfterMs: wait } = classifyS3Failure(shape);
  const options = { status, retryAfterMs: wait, cause: err, hint: HINTS[failure] };
  if (failure === 'already-exists' && path !== undefined) return new AlreadyExistsError(remote, path, options);
  if (failure === 'not-found' && path !== undefined) return new NotFoundError(remote, path, options);
  const detail = `${what}: ${shape.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${shape.message ?? ''}`;
  if (INTEGRITY.has(shape.name ?? '')) return new IntegrityError(remote, `${detail}; S3 received other bytes than photosync sent`, options);
  if (shape.name === 'InvalidObjectState') {
    return new RemoteError(remote, 'fatal', detail, { ...options, hint: 'the object is archived (Glacier/Deep Archive): restore it before reading it back' });
  }
  return new RemoteError(remote, failure, detail, options);
}

/** Service exceptions carry $metadata; network failures carry a Node error code. */
function isSdkError(err: SdkErrorShape): boolean {
  return err.$metadata !== undefined || NETWORK_CODES.has(err.code ?? '') || err.name === 'TimeoutError' || err.name === 'CredentialsProviderError';
}
