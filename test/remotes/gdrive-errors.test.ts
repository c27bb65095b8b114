/**
 * Drive's documented error answers (shared/docs/cloud-apis.md §1.6), classified. The errors are
 * the real SDK's: googleapis calls a nock-intercepted www.googleapis.com, so what is classified
 * has exactly the shape gaxios throws (node-fetch Headers, parsed JSON body).
 */
import nock from 'nock';
import { drive } from 'googleapis/build/src/apis/drive/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.ts';
import { RemoteError } from '../../src/remotes/errors.ts';
import { classifyDriveError, HttpStatusError } from '../../src/remotes/gdrive/errors.ts';
import { parseRetryAfter } from '../../src/remotes/retry-after.ts';

const API = 'https://www.googleapis.com';

function body(code: number, reason: string, message: string, domain = 'global'): object {
  return { error: { code, message, errors: [{ domain, reason, message }] } };
}

/** What googleapis throws when Drive answers files.list like this. */
async function sdkError(status: number, reply: object | string, headers: Record<string, string> = {}): Promise<unknown> {
  nock(API).get('/drive/v3/files').query(true).reply(status, reply, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  return drive({ version: 'v3' })
    .files.list({ q: 'trashed = false' }, { rootUrl: `${API}/`, retry: false })
    .then(() => {
      throw new Error('expected the call to fail');
    }, (err: unknown) => err);
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('gdrive error classification', () => {
  it('turns 401 into an AuthError that names the login command', async () => {
    const err = await sdkError(401, {
      error: {
        code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED',
        errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
      },
    });
    const classified = classifyDriveError('gd', 'list', err);
    expect(classified).toBeInstanceOf(AuthError);
    expect(classified).toMatchObject({ hint: expect.stringContaining('photosync auth login gd') });
  });

  it.each([
    ['403 userRateLimitExceeded', 403, body(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits')],
    ['403 rateLimitExceeded', 403, body(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits')],
    ['429 rateLimitExceeded', 429, body(429, 'rateLimitExceeded', 'Too many requests', 'usageLimits')],
  ])('marks %s as throttled', async (_label, status, reply) => {
    const classified = classifyDriveError('gd', 'list', await sdkError(status, reply));
    expect(classified).toBeInstanceOf(RemoteError);
    expect(classified).toMatchObject({ failure: 'throttled', status, retryAfterMs: undefined });
    expect((classified as RemoteError).retryable).toBe(true);
  });

  it('carries Retry-After, in seconds or as a date', async () => {
    const seconds = await sdkError(429, body(429, 'rateLimitExceeded', 'Too many requests'), { 'retry-after': '30' });
    expect(classifyDriveError('gd', 'list', seconds)).toMatchObject({ failure: 'throttled', retryAfterMs: 30_000 });
    const date = await sdkError(403, body(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded'), {
      'retry-after': new Date(Date.now() + 60_000).toUTCString(),
    });
    expect((classifyDriveError('gd', 'list', date) as RemoteError).retryAfterMs).toBeGreaterThan(55_000);
    expect(parseRetryAfter('not a date')).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
  });

  it('reports a full Drive as no-space, with what to do', async () => {
    const err = await sdkError(403, body(403, 'storageQuotaExceeded', "The user's Drive storage quota has been exceeded.", 'usageLimits'));
    expect(classifyDriveError('gd', 'upload a.jpg', err)).toMatchObject({
      failure: 'no-space',
      message: expect.stringContaining('is full'),
      hint: expect.stringContaining('trash'),
    });
  });

  it.each([500, 502, 503, 504])('retries %s backendError', async (status) => {
    expect(classifyDriveError('gd', 'list', await sdkError(status, body(status, 'backendError', 'Backend Error')))).toMatchObject({
      failure: 'retryable',
      status,
    });
  });

  it('classifies the rest: 404 not-found, 400 and other 403s fatal', async () => {
    expect(classifyDriveError('gd', 'get', await sdkError(404, body(404, 'notFound', 'File not found: x.')))).toMatchObject({ failure: 'not-found' });
    expect(classifyDriveError('gd', 'list', await sdkError(400, body(400, 'invalid', 'Invalid Value')))).toMatchObject({ failure: 'fatal' });
    const denied = await sdkError(403, body(403, 'insufficientFilePermissions', 'The user does not have sufficient permissions for this file.'));
    expect(classifyDriveError('gd', 'list', denied)).toMatchObject({ failure: 'fatal', message: expect.stringContaining('insufficientFilePermissions') });
  });

  it('retries a connection that broke, and passes errors that are not Drive’s through untouched', () => {
    // The shapes node-fetch (under gaxios) and undici give a cut connection; the emulator suite
    // cuts real connections too.
    const nodeFetch = Object.assign(new Error('request to https://www.googleapis.com/drive/v3/files failed, reason: socket hang up'), { code: 'ECONNRESET' });
    const undici = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    for (const err of [nodeFetch, undici, new Error('fetch failed', { cause: undici })]) {
      expect(classifyDriveError('gd', 'list', err)).toMatchObject({ failure: 'retryable', status: undefined });
    }
    const changed = new Error('a.jpg changed since it was scanned');
    expect(classifyDriveError('gd', 'upload', changed)).toBe(changed);
  });

  it('reads the resumable protocol’s own answers the same way', () => {
    const headers = new Headers({ 'retry-after': '5' });
    const throttled = new HttpStatusError(429, headers, body(429, 'rateLimitExceeded', 'Too many requests'));
    expect(classifyDriveError('gd', 'upload', throttled)).toMatchObject({ failure: 'throttled', retryAfterMs: 5000 });
    expect(classifyDriveError('gd', 'upload', new HttpStatusError(503, new Headers(), 'Service Unavailable'))).toMatchObject({ failure: 'retryable' });
  });
});
