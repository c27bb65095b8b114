import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, RemoteError } from '../../../src/remotes/errors.ts';
import { parseRetryAfter } from '../../../src/remotes/retry-after.ts';
import { classifyNetworkError, classifyResponse, type DavFailure } from '../../../src/remotes/webdav/errors.ts';

const ctx = { remote: 'nas', authHint: 'set NAS_PASSWORD or run "photosync auth set nas"', loginSent: true, now: () => Date.parse('2026-03-01T12:00:00Z') };

// Answers as servers send them (headers and the start of the body), written out by hand.
const apache = (status: number, title: string, p: string, headers: DavFailure['headers'] = {}): DavFailure => ({
  method: 'PUT',
  path: 'photos/IMG_0001.JPG',
  status,
  headers: { 'content-type': 'text/html; charset=iso-8859-1', ...headers },
  body: `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${title}</title>\n</head><body>\n<h1>${title}</h1>\n<p>${p}</p>\n</body></html>\n`,
});

describe('webdav: classifying answers', () => {
  it('401 is an auth failure whose hint says where the password comes from', () => {
    const err = classifyResponse(ctx, {
      ...apache(401, 'Unauthorized', 'This server could not verify that you are authorized to access the document requested.'),
      headers: { 'www-authenticate': 'Basic realm="NAS"' },
    });
    expect(err.failure).toBe('auth');
    expect(err.hint).toContain('NAS_PASSWORD');
    expect(err.hint).toContain('photosync auth set nas');
    expect(err.message).toBe('nas did not accept the user name and password (PUT photos/IMG_0001.JPG: HTTP 401)');
    const noLogin = classifyResponse({ ...ctx, loginSent: false }, { method: 'PROPFIND', path: '', status: 401, headers: {} });
    expect(noLogin.message).toBe('nas asks for a login, and photosync has no password for it (PROPFIND the folder of nas: HTTP 401)');
    expect(noLogin.failure).toBe('auth');
  });

  it('403 is an auth failure too', () => {
    expect(classifyResponse(ctx, apache(403, 'Forbidden', "You don't have permission to access this resource.")).failure).toBe('auth');
  });

  it('404 is not-found, 412 is already-exists', () => {
    expect(classifyResponse(ctx, { method: 'GET', path: 'a.jpg', status: 404, headers: {} })).toBeInstanceOf(NotFoundError);
    const exists = classifyResponse(ctx, apache(412, 'Precondition Failed', 'The precondition on the request for this URL evaluated to false.'));
    expect(exists).toBeInstanceOf(AlreadyExistsError);
    expect(exists.status).toBe(412);
  });

  it('409 on PUT (parent missing) is retryable; 423 Locked is retryable', () => {
    const conflict = classifyResponse(ctx, apache(409, 'Conflict', 'Cannot PUT to a resource whose parent does not exist.'));
    expect(conflict.failure).toBe('retryable');
    expect(conflict.message).toContain('parent');
    const locked = classifyResponse(ctx, {
      method: 'PUT',
      path: 'a.jpg',
      status: 423,
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><d:error xmlns:d="DAV:"><d:lock-token-submitted><d:href>/remote.php/dav/files/ann/a.jpg</d:href></d:lock-token-submitted></d:error>',
    });
    expect(locked.failure).toBe('retryable');
  });

  it('429 and 503 with Retry-After are throttled, in seconds or as an HTTP date', () => {
    const seconds = classifyResponse(ctx, { method: 'PUT', path: 'a.jpg', status: 429, headers: { 'retry-after': '17' } });
    expect(seconds.failure).toBe('throttled');
    expect(seconds.retryAfterMs).toBe(17_000);
    const date = classifyResponse(ctx, {
      ...apache(503, 'Service Unavailable', 'The server is temporarily unable to service your request.'),
      headers: { 'retry-after': 'Sun, 01 Mar 2026 12:01:30 GMT' },
    });
    expect(date.failure).toBe('throttled');
    expect(date.retryAfterMs).toBe(90_000);
    expect(date.retryable).toBe(true);
    // 503 without Retry-After: try again with the executor's own back-off.
    expect(classifyResponse(ctx, { method: 'GET', path: 'a', status: 503, headers: {} }).failure).toBe('retryable');
  });

  it('500, 502 and 504 are retryable; 507 is no-space; anything else is fatal', () => {
    for (const status of [500, 502, 504]) expect(classifyResponse(ctx, { method: 'PUT', path: 'a', status, headers: {} }).failure).toBe('retryable');
    const full = classifyResponse(ctx, apache(507, 'Insufficient Storage', 'The method could not be performed on the resource because the server is unable to store the representation needed to successfully complete the request.'));
    expect(full.failure).toBe('no-space');
    expect(full.hint).toBeDefined();
    for (const status of [400, 405, 415, 501]) expect(classifyResponse(ctx, { method: 'PUT', path: 'a', status, headers: {} }).failure).toBe('fatal');
  });

  it('names the page text of an error, not its markup', () => {
    const err = classifyResponse(ctx, apache(500, 'Internal Server Error', 'The server encountered an internal error or misconfiguration.'));
    expect(err.message).toBe('PUT photos/IMG_0001.JPG: HTTP 500 (The server encountered an internal error or misconfiguration.)');
  });
});

describe('webdav: classifying connection failures', () => {
  const sysErr = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

  it('resets, refusals and timeouts are retryable, also when undici wraps them', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) {
      expect(classifyNetworkError(ctx, sysErr(code), 'PUT a.jpg').failure, code).toBe('retryable');
    }
    const wrapped = Object.assign(new TypeError('fetch failed'), { cause: sysErr('ECONNRESET') });
    expect(classifyNetworkError(ctx, wrapped, 'GET a.jpg').failure).toBe('retryable');
  });

  it('an unknown host or an untrusted certificate makes the remote unavailable, with a hint', () => {
    const dns = classifyNetworkError(ctx, sysErr('ENOTFOUND'), 'PUT a.jpg');
    expect(dns.failure).toBe('unavailable');
    const tls = classifyNetworkError(ctx, sysErr('DEPTH_ZERO_SELF_SIGNED_CERT'), 'PUT a.jpg');
    expect(tls.failure).toBe('unavailable');
    expect(tls.hint).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('passes RemoteErrors through and calls the rest fatal', () => {
    const own = new RemoteError('nas', 'no-space', 'full');
    expect(classifyNetworkError(ctx, own, 'x')).toBe(own);
    expect(classifyNetworkError(ctx, new Error('weird'), 'x').failure).toBe('fatal');
  });
});

describe('webdav: Retry-After', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
