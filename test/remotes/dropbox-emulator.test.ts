/**
 * The emulator itself: it must refuse what Dropbox refuses, or tests of the remote prove little.
 * Raw HTTP here, no SDK, so each violation is sent exactly as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropboxEmulator } from '../helpers/emulators/dropbox.ts';
import { contentHash } from '../helpers/emulators/dropbox-store.ts';

let emu: DropboxEmulator;
let token: string;

beforeAll(async () => {
  emu = await DropboxEmulator.start();
  token = emu.grant().accessToken;
});
afterAll(async () => {
  await emu.close();
});

async function rpc(route: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${emu.url}/api/2/${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}

async function content(route: string, arg: string | object, data: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${emu.url}/content/2/${route}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      'dropbox-api-arg': typeof arg === 'string' ? arg : JSON.stringify(arg),
      ...headers,
    },
    body: data,
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}

const commit = (path: string): object => ({ path, mode: 'add', autorename: false, strict_conflict: false });

describe('dropbox emulator', { tags: ['slow'] }, () => {
  it('checks the bearer token', async () => {
    expect((await rpc('files/list_folder', { path: '' }, { authorization: 'Bearer nope' })).body).toEqual({
      error_summary: 'invalid_access_token/..',
      error: { '.tag': 'invalid_access_token' },
    });
    const missing = await fetch(`${emu.url}/api/2/files/list_folder`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"path":""}' });
    expect(missing.status).toBe(400);
  });

  it('wants the root as "" and refuses unknown fields', async () => {
    const root = await rpc('files/list_folder', { path: '/' });
    expect(root.status).toBe(400);
    expect(root.body).toMatch(/Specify the root folder as an empty string rather than as "\/"/);
    expect((await rpc('files/list_folder', { path: '', recursiv: true })).body).toMatch(/unknown field "recursiv"/);
  });

  it('wants octet-stream and an ASCII-only Dropbox-API-Arg on content routes', async () => {
    const type = await content('files/upload', commit('/t/a.jpg'), Buffer.from('a'), { 'content-type': 'application/json' });
    expect([type.status, type.body]).toEqual([400, expect.stringMatching(/Bad HTTP "Content-Type" header: "application\/json"/)]);
    const raw = Buffer.from(JSON.stringify(commit('/t/\u00fc.jpg')), 'utf8').toString('latin1');
    expect((await content('files/upload', raw, Buffer.from('a'))).status).toBe(400);
    const escaped = JSON.stringify(commit('/t/\u00fc.jpg')).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect((await content('files/upload', escaped, Buffer.from('a'))).status).toBe(200);
    expect(emu.ns.lookup('/t/\u00fc.jpg')).toBeDefined();
  });

  it('applies WriteMode add: same content is no conflict unless strict_conflict, other content is', async () => {
    expect((await content('files/upload', commit('/w/a.jpg'), Buffer.from('one'))).status).toBe(200);
    expect((await content('files/upload', commit('/w/A.JPG'), Buffer.from('one'))).status).toBe(200);
    const strict = await content('files/upload', { ...commit('/w/a.jpg'), strict_conflict: true }, Buffer.from('one'));
    expect(strict).toMatchObject({ status: 409, body: { error_summary: 'path/conflict/file/..', error: { '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } } } } });
    expect((await content('files/upload', commit('/w/a.jpg'), Buffer.from('two'))).status).toBe(409);
    expect(emu.ns.lookup('/w/a.jpg')).toMatchObject({ data: Buffer.from('one') });
  });

  it('checks content_hash against the bytes of the call', async () => {
    const wrong = await content('files/upload', { ...commit('/h/a.jpg'), content_hash: contentHash(Buffer.from('other')) }, Buffer.from('mine'));
    expect(wrong.body).toEqual({ error_summary: 'content_hash_mismatch/..', error: { '.tag': 'content_hash_mismatch' } });
    expect((await content('files/upload', { ...commit('/h/a.jpg'), content_hash: contentHash(Buffer.from('mine')) }, Buffer.from('mine'))).status).toBe(200);
  });

  it('tracks session offsets and wants sessions closed before finish_batch_v2', async () => {
    const start = await content('files/upload_session/start', { close: false }, Buffer.from('abc'));
    const sessionId = (start.body as { session_id: string }).session_id;
    const wrong = await content('files/upload_session/append_v2', { cursor: { session_id: sessionId, offset: 0 } }, Buffer.from('def'));
    expect(wrong.body).toEqual({ error_summary: 'incorrect_offset/..', error: { '.tag': 'incorrect_offset', correct_offset: 3 } });
    const batch = (await rpc('files/upload_session/finish_batch_v2', { entries: [{ cursor: { session_id: sessionId, offset: 3 }, commit: commit('/s/a.jpg') }] })).body;
    expect(batch).toEqual({ entries: [{ '.tag': 'failure', failure: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_closed' } } }] });
    expect((await content('files/upload_session/append_v2', { cursor: { session_id: sessionId, offset: 3 }, close: true }, Buffer.from('def'))).status).toBe(200);
    const closed = await content('files/upload_session/append_v2', { cursor: { session_id: sessionId, offset: 6 } }, Buffer.from('g'));
    expect(closed.body).toEqual({ error_summary: 'closed/..', error: { '.tag': 'closed' } });
    const done = (await rpc('files/upload_session/finish_batch_v2', { entries: [{ cursor: { session_id: sessionId, offset: 6 }, commit: commit('/s/a.jpg') }] })).body;
    expect(done).toMatchObject({ entries: [{ '.tag': 'success', path_display: '/s/a.jpg', size: 6 }] });
  });

  it('answers list_folder/continue on an expired cursor with reset', async () => {
    const first = (await rpc('files/list_folder', { path: '', recursive: true })).body as { cursor: string };
    emu.ns.resetCursors();
    expect((await rpc('files/list_folder/continue', { cursor: first.cursor })).body).toEqual({ error_summary: 'reset/..', error: { '.tag': 'reset' } });
  });

  it('refreshes tokens from query-string or form parameters, and refuses a bad grant', async () => {
    const { refreshToken } = emu.grant();
    const query = await fetch(`${emu.tokenUrl}?grant_type=refresh_token&refresh_token=${refreshToken}&client_id=${emu.clientId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(await query.json()).toMatchObject({ token_type: 'bearer', expires_in: 14400 });
    const form = await fetch(emu.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'rt-gone', client_id: emu.clientId }),
    });
    expect([form.status, await form.json()]).toEqual([400, { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' }]);
  });

  it('refuses a request body over 150 MiB', async () => {
    const res = await content('files/upload', commit('/big/a.bin'), Buffer.alloc(150 * 1024 * 1024 + 1));
    expect(res).toEqual({ status: 409, body: { error_summary: 'payload_too_large/..', error: { '.tag': 'payload_too_large' } } });
  });
});
