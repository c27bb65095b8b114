/**
 * The S3 error classifier, on error shapes recorded from @aws-sdk/client-s3 3.1169 against a
 * loopback server (name, status, headers as the SDK delivered them). s3rver accepts any SigV4
 * signature, so SignatureDoesNotMatch and ExpiredToken can only be tested this way.
 */
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, IntegrityError, NotFoundError, RemoteError } from '../../src/remotes/errors.ts';
import { classifyS3Error, classifyS3Failure, type SdkErrorShape } from '../../src/remotes/s3/errors.ts';

function serviceError(name: string, status: number, headers: Record<string, string> = {}): Error & SdkErrorShape {
  return Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status }, $response: { headers } });
}

function networkError(name: string, code: string, message: string): Error {
  return Object.assign(new Error(message), { name, code });
}

describe('s3 error classification', () => {
  it.each([
    ['AccessDenied', 403, 'auth'],
    ['InvalidAccessKeyId', 403, 'auth'],
    ['SignatureDoesNotMatch', 403, 'auth'],
    ['ExpiredToken', 400, 'auth'],
    ['RequestTimeTooSkewed', 403, 'auth'],
    ['Unknown', 403, 'auth'], // HEAD: no body, only the status
    ['NoSuchBucket', 404, 'unavailable'],
    ['NoSuchKey', 404, 'not-found'],
    ['NotFound', 404, 'not-found'], // HEAD
    ['PreconditionFailed', 412, 'already-exists'],
    ['ConditionalRequestConflict', 409, 'retryable'],
    ['InternalError', 500, 'retryable'],
    ['InternalError', 503, 'retryable'], // Complete's 200 with <Error>, as the SDK rewrites it
    ['ServiceUnavailable', 503, 'retryable'],
    ['Unknown', 503, 'retryable'],
    ['RequestTimeout', 400, 'retryable'],
    ['SlowDown', 503, 'throttled'],
    ['TooManyRequests', 429, 'throttled'],
    ['EntityTooSmall', 400, 'fatal'],
    ['InvalidPart', 400, 'fatal'],
    ['InvalidObjectState', 403, 'fatal'],
    ['MethodNotAllowed', 405, 'fatal'],
  ] as const)('%s (HTTP %i) is %s', (name, status, failure) => {
    expect(classifyS3Failure(serviceError(name, status)).failure).toBe(failure);
  });

  it.each([
    ['TimeoutError', 'ECONNRESET', 'socket hang up'],
    ['Error', 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'],
    ['Error', 'ETIMEDOUT', 'connect ETIMEDOUT'],
    ['Error', 'ECONNABORTED', 'aborted'],
    ['Error', 'ERR_STREAM_PREMATURE_CLOSE', 'Premature close'],
  ])('network failure %s %s is retryable', (name, code, message) => {
    const error = classifyS3Error('cloud', networkError(name, code, message), 'upload a.jpg');
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).failure).toBe('retryable');
  });

  it('honours Retry-After (seconds or a date) and x-amz-retry-after (milliseconds)', () => {
    expect(classifyS3Failure(serviceError('SlowDown', 503, { 'retry-after': '7' })).retryAfterMs).toBe(7000);
    expect(classifyS3Failure(serviceError('SlowDown', 503, { 'x-amz-retry-after': '1500' })).retryAfterMs).toBe(1500);
    const later = new Date(Date.now() + 60_000).toUTCString();
    const fromDate = classifyS3Failure(serviceError('SlowDown', 503, { 'retry-after': later })).retryAfterMs ?? 0;
    expect(fromDate).toBeGreaterThan(55_000);
    expect(fromDate).toBeLessThanOrEqual(60_000);
    expect(classifyS3Failure(serviceError('SlowDown', 503)).retryAfterMs).toBeUndefined();
  });

  it('builds the typed errors the executor acts on', () => {
    expect(classifyS3Error('cloud', serviceError('PreconditionFailed', 412), 'upload a.jpg', 'a.jpg')).toBeInstanceOf(AlreadyExistsError);
    expect(classifyS3Error('cloud', serviceError('NoSuchKey', 404), 'read a.jpg', 'a.jpg')).toBeInstanceOf(NotFoundError);
    expect(classifyS3Error('cloud', serviceError('BadDigest', 400), 'upload a.jpg', 'a.jpg')).toBeInstanceOf(IntegrityError);
    const auth = classifyS3Error('cloud', serviceError('ExpiredToken', 400), 'list') as RemoteError;
    expect(auth.failure).toBe('auth');
    expect(auth.hint).toMatch(/AWS_PROFILE/);
    const throttled = classifyS3Error('cloud', serviceError('SlowDown', 503, { 'retry-after': '2' }), 'upload a.jpg') as RemoteError;
    expect([throttled.failure, throttled.retryAfterMs, throttled.retryable]).toEqual(['throttled', 2000, true]);
  });

  it('lets errors that are not the remote’s pass through untouched', () => {
    const changed = Object.assign(new Error('a.jpg changed since it was scanned'), { name: 'SourceChangedError' });
    expect(classifyS3Error('cloud', changed, 'upload a.jpg')).toBe(changed);
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(classifyS3Error('cloud', enoent, 'upload a.jpg')).toBe(enoent);
  });
});
