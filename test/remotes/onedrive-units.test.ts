/** The OneDrive remote's pure parts: error classification, name mapping, ranges, delta bookkeeping. */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.ts';
import { SourceChangedError } from '../../src/errors.ts';
import { AlreadyExistsError, NotFoundError, RemoteError } from '../../src/remotes/errors.ts';
import type { DriveItem } from '../../src/remotes/onedrive/api.ts';
import { applyDelta, decodeCursor, EMPTY_CURSOR } from '../../src/remotes/onedrive/delta.ts';
import { classifyGraphError, failureOfResponse } from '../../src/remotes/onedrive/errors.ts';
import { parseRetryAfter as retryAfterMs } from '../../src/remotes/retry-after.ts';
import { driveAddress, fromDriveName, toDriveName } from '../../src/remotes/onedrive/names.ts';
import { firstStart } from '../../src/remotes/onedrive/upload.ts';

/** A GraphError as the client builds it from a JSON error body (cloud-apis.md §3.6). */
function graphError(status: number, code: string, headers: Record<string, string> = {}): GraphError {
  const err = new GraphError(status, `message for ${code}`);
  err.code = code;
  err.headers = new Headers(headers);
  err.body = JSON.stringify({ code, message: `message for ${code}`, innerError: { date: '2024-05-01T00:00:00', 'request-id': 'r' } });
  return err;
}

const classify = (err: unknown) => classifyGraphError('od', err, '2024/IMG_1.JPG');

describe('onedrive errors', () => {
  it('classifies the documented error bodies', () => {
    expect(classify(graphError(409, 'nameAlreadyExists'))).toBeInstanceOf(AlreadyExistsError);
    expect(classify(graphError(404, 'itemNotFound'))).toBeInstanceOf(NotFoundError);
    expect(classify(graphError(401, 'InvalidAuthenticationToken'))).toMatchObject({ failure: 'auth', hint: expect.stringContaining('photosync auth login od') });
    expect(classify(graphError(403, 'accessDenied'))).toMatchObject({ failure: 'unavailable' });
    expect(classify(graphError(429, 'activityLimitReached', { 'retry-after': '5' }))).toMatchObject({ failure: 'throttled', retryAfterMs: 5000 });
    expect(classify(graphError(503, 'serviceNotAvailable', { 'retry-after': '10' }))).toMatchObject({ failure: 'throttled', retryAfterMs: 10_000 });
    expect(classify(graphError(503, 'serviceNotAvailable'))).toMatchObject({ failure: 'retryable' });
    expect(classify(graphError(507, 'quotaLimitReached'))).toMatchObject({ failure: 'no-space' });
    expect(classify(graphError(416, 'invalidRange'))).toMatchObject({ failure: 'retryable' });
    expect(classify(graphError(500, 'generalException'))).toMatchObject({ failure: 'retryable' });
    expect(classify(graphError(504, 'gatewayTimeout'))).toMatchObject({ failure: 'retryable' });
    expect(classify(graphError(400, 'invalidRequest'))).toMatchObject({ failure: 'fatal', status: 400 });
    expect(classify(graphError(410, 'resyncRequired'))).toMatchObject({ failure: 'fatal', status: 410 });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs('Wed, 01 May 2024 00:00:30 GMT', Date.parse('2024-05-01T00:00:00Z'))).toBe(30_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('retries network failures, and lets photosync errors and bugs through unchanged', () => {
    expect(classify(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }))).toMatchObject({ failure: 'retryable' });
    const auth = new AuthError('expired', { hint: 'login' });
    const wrapped = new GraphClientError('expired');
    wrapped.customError = auth;
    expect(classify(wrapped)).toBe(auth);
    const changed = new SourceChangedError('a.jpg', 'its content hash differs');
    expect(classify(changed)).toBe(changed);
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    expect(classify(bug)).toBe(bug);
    expect(classify(bug)).not.toBeInstanceOf(RemoteError);
  });

  it('reads upload-URL failures from their JSON body, or their text', async () => {
    const json = new Response(JSON.stringify({ error: { code: 'nameAlreadyExists', message: 'The specified item name already exists.' } }), { status: 409 });
    expect(await failureOfResponse(json)).toEqual({ status: 409, code: 'nameAlreadyExists', message: 'The specified item name already exists.', retryAfter: null });
    const text = new Response('Service Unavailable', { status: 503, headers: { 'retry-after': '3' } });
    expect(await failureOfResponse(text)).toEqual({ status: 503, code: null, message: 'Service Unavailable', retryAfter: '3' });
  });
});

describe('onedrive names', () => {
  it('stores characters OneDrive refuses as full-width look-alikes, and reads them back', () => {
    expect(toDriveName('what?.jpg')).toBe('what？.jpg');
    expect(toDriveName('it\'s "quoted" <1|2>*:.jpg')).toBe('it\'s ＂quoted＂ ＜1｜2＞＊：.jpg');
    expect(fromDriveName('what？.jpg')).toBe('what?.jpg');
    // A name that really holds a full-width character keeps it.
    expect(toDriveName('wide？.jpg')).toBe('wide\u201b？.jpg');
    expect(fromDriveName('wide\u201b？.jpg')).toBe('wide？.jpg');
  });

  it('round-trips every name and never sends a refused character', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '?', '？', '"', '＂', '\u201b', '|', 'é', '#', '%', ' ', '*', '\\') }), (name) => {
        expect(fromDriveName(toDriveName(name))).toBe(name);
        expect(toDriveName(name)).not.toMatch(/["*:<>?\\|]/);
      }),
    );
  });

  it('percent-encodes every segment of an address, so # and ? cannot cut the path', () => {
    expect(driveAddress('')).toBe('/me/drive/root');
    expect(driveAddress('/Photos/a#b%c d.jpg')).toBe('/me/drive/root:/Photos/a%23b%25c%20d.jpg:');
  });
});

describe('onedrive upload ranges', () => {
  it('continues at the first expected range', () => {
    expect(firstStart(['327680-'], 1_000_000)).toBe(327_680);
    expect(firstStart(['12-55', '77-'], 100)).toBe(12);
    expect(firstStart([], 100)).toBeNull();
    expect(firstStart(undefined, 100)).toBeNull();
    expect(firstStart(['100-'], 100)).toBeNull();
  });
});

describe('onedrive delta bookkeeping', () => {
  const entryOf = (item: DriveItem, path: string) => ({ path, size: item.size ?? 0, hashes: {} });
  const file = (id: string, parent: string, name: string): DriveItem => ({ id, name, size: 1, file: {}, parentReference: { id: parent } });
  const folder = (id: string, parent: string, name: string): DriveItem => ({ id, name, folder: {}, parentReference: { id: parent } });
  const known = { F1: { p: 'a', f: 1 as const }, F2: { p: 'b', f: 1 as const }, X: { p: 'a/x.jpg' } };
  const none = async () => null;

  it('moves a file: its old path removed, its new one listed', async () => {
    const applied = await applyDelta(known, [file('X', 'F2', 'x.jpg')], 'ROOT', none, entryOf);
    expect(applied).toMatchObject({ entries: [{ path: 'b/x.jpg' }], removed: ['a/x.jpg'] });
  });

  it('relists when a folder is renamed (its whole subtree moves)', async () => {
    expect(await applyDelta(known, [folder('F1', 'ROOT', 'renamed')], 'ROOT', none, entryOf)).toBe('relist');
  });

  it('looks up unknown parents once, and ignores what lies outside the root', async () => {
    const lookups: string[] = [];
    const fetchItem = async (id: string): Promise<DriveItem | null> => {
      lookups.push(id);
      if (id === 'NEW') return folder('NEW', 'F1', 'new');
      if (id === 'OUT') return folder('OUT', 'DRIVEROOT', 'Elsewhere');
      if (id === 'DRIVEROOT') return { id, name: 'root', folder: {} };
      return null;
    };
    const items = [file('N1', 'NEW', '1.jpg'), file('N2', 'NEW', '2.jpg'), file('O1', 'OUT', 'o.jpg'), file('O2', 'OUT', 'p.jpg')];
    const applied = await applyDelta(known, items, 'ROOT', fetchItem, entryOf);
    expect(applied).toMatchObject({ entries: [{ path: 'a/new/1.jpg' }, { path: 'a/new/2.jpg' }], removed: [] });
    expect(lookups).toEqual(['NEW', 'OUT', 'DRIVEROOT']);
  });

  it('names deleted files, and every file under a deleted folder, by what it knew', async () => {
    const applied = await applyDelta(known, [{ id: 'F1', deleted: {} }], 'ROOT', none, entryOf);
    expect(applied).toMatchObject({ entries: [], removed: ['a/x.jpg'], known: { F2: { p: 'b' } } });
  });

  it('reads back only its own cursors', () => {
    expect(decodeCursor(EMPTY_CURSOR)).toEqual({ v: 1, link: '', root: '', known: {} });
    expect(decodeCursor('od1.not-deflate')).toBeNull();
    expect(decodeCursor('https://graph.microsoft.com/v1.0/me/drive/root/delta?token=x')).toBeNull();
  });
});
