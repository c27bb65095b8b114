/** Classification of Dropbox's documented error bodies (cloud-apis.md §2.3, §2.6). */
import { DropboxResponseError } from 'dropbox';
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, RemoteError } from '../../src/remotes/errors.ts';
import { classifyDropboxError, correctOffset, endpointError, isExpiredToken, NetworkError, unionTags } from '../../src/remotes/dropbox/errors.ts';

const response = (status: number, body: unknown, headers: Record<string, string> = {}): DropboxResponseError<unknown> =>
  new DropboxResponseError(status, new Headers(headers), body);

const classify = (err: unknown): RemoteError => {
  const out = classifyDropboxError('dbx', err, 'upload a.jpg', 'a.jpg');
  expect(out).toBeInstanceOf(RemoteError);
  return out as RemoteError;
};

describe('dropbox errors', () => {
  it('reads the conflict of files/upload (flattened UploadWriteFailed) and of finish (nested WriteError) alike', () => {
    const upload = response(409, {
      error_summary: 'path/conflict/file/..',
      error: { '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } }, upload_session_id: 'pid_upload_session:abc' },
    });
    const finish = response(409, { error_summary: 'path/conflict/file/..', error: { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'file' } } } });
    for (const err of [upload, finish]) {
      expect(unionTags(endpointError(err))).toEqual(['path', 'conflict', 'file']);
      expect(classify(err)).toBeInstanceOf(AlreadyExistsError);
    }
  });

  it('maps endpoint tags to failures', () => {
    const tagged = (error: unknown): RemoteError => classify(response(409, { error_summary: 'x/..', error }));
    expect(tagged({ '.tag': 'path', path: { '.tag': 'insufficient_space' } }).failure).toBe('no-space');
    expect(tagged({ '.tag': 'path', reason: { '.tag': 'insufficient_space' }, upload_session_id: 's' }).failure).toBe('no-space');
    expect(tagged({ '.tag': 'too_many_write_operations' }).failure).toBe('throttled');
    expect(tagged({ '.tag': 'path', path: { '.tag': 'too_many_write_operations' } }).failure).toBe('throttled');
    expect(tagged({ '.tag': 'path', path: { '.tag': 'not_found' } })).toBeInstanceOf(NotFoundError);
    expect(tagged({ '.tag': 'path', path: { '.tag': 'no_write_permission' } }).failure).toBe('unavailable');
    expect(tagged({ '.tag': 'content_hash_mismatch' }).failure).toBe('retryable');
    expect(tagged({ '.tag': 'path', path: { '.tag': 'disallowed_name' } }).failure).toBe('fatal');
    // A session that is gone is the upload's business, not a missing file.
    expect(tagged({ '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_found' } })).not.toBeInstanceOf(NotFoundError);
  });

  it('finds correct_offset in append_v2 (flattened) and finish (inside lookup_failed) errors', () => {
    expect(correctOffset({ '.tag': 'incorrect_offset', correct_offset: 123 })).toBe(123);
    expect(correctOffset({ '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 456 } })).toBe(456);
    expect(correctOffset({ '.tag': 'closed' })).toBeNull();
  });

  it('takes Retry-After from the header, or from a JSON body without one', () => {
    const json = classify(
      response(429, { error_summary: 'too_many_write_operations/..', error: { reason: { '.tag': 'too_many_write_operations' }, retry_after: 1 } }, { 'retry-after': '1' }),
    );
    expect([json.failure, json.retryAfterMs]).toEqual(['throttled', 1000]);
    expect(json.message).toContain('too_many_write_operations');
    const text = classify(response(429, 'Too many requests', { 'retry-after': '300' }));
    expect([text.failure, text.retryAfterMs]).toEqual(['throttled', 300_000]);
    expect(text.message).toContain('too_many_requests');
    const bodyOnly = classify(response(429, { error_summary: 'too_many_requests/..', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 15 } }));
    expect(bodyOnly.retryAfterMs).toBe(15_000);
  });

  it('treats expired and invalid tokens as curable by one refresh, then as an auth failure naming the login', () => {
    const expired = response(401, { error_summary: 'expired_access_token/..', error: { '.tag': 'expired_access_token' } });
    const invalid = response(401, { error_summary: 'invalid_access_token/..', error: { '.tag': 'invalid_access_token' } });
    const scope = response(401, { error_summary: 'missing_scope/..', error: { '.tag': 'missing_scope', required_scope: 'files.content.write' } });
    expect([expired, invalid, scope].map(isExpiredToken)).toEqual([true, true, false]);
    for (const err of [expired, scope]) {
      const out = classify(err);
      expect(out.failure).toBe('auth');
      expect(out.hint).toContain('photosync auth login dbx');
    }
    expect(classify(scope).message).toContain('missing_scope');
  });

  it('keeps the text of a 400, and retries 5xx and network failures', () => {
    const bad = classify(response(400, 'Error in call to API function "files/list_folder": request body: path: Specify the root folder as an empty string rather than as "/".'));
    expect(bad.failure).toBe('fatal');
    expect(bad.message).toContain('Specify the root folder as an empty string');
    expect(classify(response(503, 'Service Unavailable')).failure).toBe('retryable');
    expect(classify(new NetworkError('socket hang up', { cause: null })).failure).toBe('retryable');
  });

  it('leaves errors that are not Dropbox answers alone', () => {
    const changed = new Error('IMG_1.JPG changed since it was scanned');
    expect(classifyDropboxError('dbx', changed, 'upload')).toBe(changed);
  });
});
