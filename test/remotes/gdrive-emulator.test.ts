/**
 * The Drive emulator's own honesty: raw requests that break the documented protocol are refused
 * loudly (and recorded as violations), and what it answers has Drive's documented shape. Without
 * this, a lenient emulator would let the remote's bugs pass.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGdriveEmulator, type GdriveEmulator } from '../helpers/emulators/gdrive.ts';

let emu: GdriveEmulator;
let auth: { authorization: string };

beforeAll(async () => {
  emu = await startGdriveEmulator({ pageLimit: 2 });
  const res = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: emu.grant(), client_id: emu.clientId }),
  });
  auth = { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  emu.violations.splice(0);
});

const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${emu.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) }, redirect: 'manual' });

async function newId(): Promise<string> {
  return ((await (await api('/drive/v3/files/generateIds?count=1')).json()) as { ids: string[] }).ids[0]!;
}

async function session(total: number): Promise<string> {
  const res = await api('/upload/drive/v3/files?uploadType=resumable', {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': String(total) },
    body: JSON.stringify({ name: 'r.bin' }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('location')!;
}

const put = (uri: string, range: string, body: Buffer): Promise<Response> =>
  fetch(uri, { method: 'PUT', headers: { ...auth, 'content-range': range }, body, redirect: 'manual' });

describe('gdrive emulator', { tags: ['slow'] }, () => {
  it('answers a missing or unknown token with the documented 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
      const res = await fetch(`${emu.url}/drive/v3/files`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(await res.json()).toEqual({
        error: {
          code: 401, message: 'Invalid Credentials', status: 'UNAUTHENTICATED',
          errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
        },
      });
    }
  });

  it('refuses an unknown refresh token as invalid_grant', async () => {
    const res = await fetch(emu.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'forged', client_id: emu.clientId }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('runs a resumable session by the rules: 256 KiB multiples, Range (never Location) on 308, status queries', async () => {
    const total = 256 * 1024 * 2 + 10;
    const uri = await session(total);
    expect(uri).toMatch(/upload_id=/);
    const status = await put(uri, `bytes */${total}`, Buffer.alloc(0));
    expect([status.status, status.headers.get('range'), status.headers.get('location')]).toEqual([308, null, null]);

    const odd = await put(uri, `bytes 0-99999/${total}`, Buffer.alloc(100000));
    expect(odd.status).toBe(400);
    expect(await odd.text()).toMatch(/equal or greater than 262144, except for the final request/);

    const first = await put(uri, `bytes 0-262143/${total}`, Buffer.alloc(262144, 1));
    expect([first.status, first.headers.get('range'), first.headers.get('location')]).toEqual([308, 'bytes=0-262143', null]);

    const gap = await put(uri, `bytes 524288-524297/${total}`, Buffer.alloc(10));
    expect(gap.status).toBe(400);
    expect(await gap.text()).toMatch(/continue after the Range/);
    const again = await put(uri, `bytes 0-262143/${total}`, Buffer.alloc(262144, 1));
    expect(again.status).toBe(400);

    const short = await put(uri, `bytes 262144-524287/${total}`, Buffer.alloc(1000));
    expect(short.status).toBe(400);

    expect((await put(uri, `bytes 262144-524287/${total}`, Buffer.alloc(262144, 2))).status).toBe(308);
    const last = await put(uri, `bytes 524288-524297/${total}`, Buffer.alloc(10, 3));
    expect(last.status).toBe(200);
    expect(await last.json()).toMatchObject({ id: expect.any(String), name: 'r.bin' });
    expect((await put(uri, `bytes */${total}`, Buffer.alloc(0))).status).toBe(200);

    emu.expireSessions();
    expect((await put(uri, `bytes */${total}`, Buffer.alloc(0))).status).toBe(404);
    expect(emu.violations).toHaveLength(4);
  });

  it('takes only ids it handed out, once', async () => {
    const id = await newId();
    const create = (fileId: string): Promise<Response> =>
      api('/drive/v3/files', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: fileId, name: 'f', mimeType: 'application/vnd.google-apps.folder' }) });
    expect((await create(id)).status).toBe(200);
    const reuse = await create(id);
    expect(reuse.status).toBe(409);
    expect(await reuse.json()).toMatchObject({ error: { code: 409 } });
    expect((await create('1madeUpByTheClientXXXXXXXXXXXXXXX')).status).toBe(400);
  });

  it('parses multipart/related exactly and makes nothing of a truncated one', async () => {
    const before = emu.store.files.size;
    const boundary = 'b0undary';
    const good = `--${boundary}\r\ncontent-type: application/json\r\n\r\n{"name":"m.jpg"}\r\n--${boundary}\r\ncontent-type: image/jpeg\r\n\r\nJPEGBYTES\r\n--${boundary}--`;
    const headers = { 'content-type': `multipart/related; boundary=${boundary}` };
    const ok = await api('/upload/drive/v3/files?uploadType=multipart&fields=id,size,md5Checksum,sha256Checksum,mimeType', { method: 'POST', headers, body: good });
    expect(await ok.json()).toMatchObject({
      size: '9', mimeType: 'image/jpeg', md5Checksum: expect.stringMatching(/^[0-9a-f]{32}$/), sha256Checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const truncated = await api('/upload/drive/v3/files?uploadType=multipart', { method: 'POST', headers, body: good.slice(0, -12) });
    expect(truncated.status).toBe(400);
    expect(await truncated.text()).toMatch(/closing boundary/);
    const toMetadataUrl = await api('/drive/v3/files?uploadType=multipart', { method: 'POST', headers, body: good });
    expect(await toMetadataUrl.text()).toMatch(/pass rootUrl per call/);
    expect(emu.store.files.size).toBe(before + 1);
  });

  it('honours fields: minimal by default, refused when unknown, required by about.get', async () => {
    emu.addFile('F/a.jpg', 'aaa');
    const folder = emu.store.lookup('F')[0]!;
    const q = encodeURIComponent(`'${folder.id}' in parents and trashed = false`);
    expect(await (await api(`/drive/v3/files?q=${q}`)).json()).toEqual({
      kind: 'drive#fileList', incompleteSearch: false, files: [{ kind: 'drive#file', id: expect.any(String), name: 'a.jpg', mimeType: 'image/jpeg' }],
    });
    expect(await (await api(`/drive/v3/files?q=${q}&fields=files(name,size)`)).json()).toEqual({ files: [{ name: 'a.jpg', size: '3' }] });
    expect((await api(`/drive/v3/files?q=${q}&fields=files(nmae)`)).status).toBe(400);
    expect((await api('/drive/v3/about')).status).toBe(400);
    expect(await (await api('/drive/v3/about?fields=storageQuota')).json()).toEqual({
      storageQuota: { usage: expect.any(String), usageInDrive: expect.any(String), usageInDriveTrash: '0' },
    });
  });

  it('understands the q forms photosync uses and refuses the rest', async () => {
    emu.addFile("Q/it's \\ here.jpg", 'x');
    const folder = emu.store.lookup('Q')[0]!;
    const name = `'it\\'s \\\\ here.jpg'`;
    const q = (s: string): Promise<Response> => api(`/drive/v3/files?fields=files(name)&q=${encodeURIComponent(s)}`);
    const hit = await q(`name = ${name} and '${folder.id}' in parents and trashed = false and mimeType != 'application/vnd.google-apps.folder'`);
    expect(await hit.json()).toEqual({ files: [{ name: "it's \\ here.jpg" }] });
    expect((await q(`name contains 'x'`)).status).toBe(400);
    expect((await q(`name = 'unterminated`)).status).toBe(400);
  });

  it('pages listings and the changes feed with the documented tokens', async () => {
    const start = ((await (await api('/drive/v3/changes/startPageToken')).json()) as { startPageToken: string }).startPageToken;
    for (const n of ['1', '2', '3']) emu.addFile(`P/${n}.jpg`, n);
    const page1 = (await (await api(`/drive/v3/changes?pageToken=${start}&fields=nextPageToken,newStartPageToken,changes(fileId,removed)`)).json()) as Record<string, unknown>;
    expect(page1['nextPageToken']).toBeDefined();
    expect(page1['newStartPageToken']).toBeUndefined();
    const page2 = (await (await api(`/drive/v3/changes?pageToken=${page1['nextPageToken'] as string}`)).json()) as Record<string, unknown>;
    expect(page2['nextPageToken']).toBeUndefined();
    expect(page2['newStartPageToken']).toBeDefined();
    expect((await api('/drive/v3/changes?pageToken=99999')).status).toBe(400);
  });

  it('refuses what photosync must never call: updates and deletes', async () => {
    const id = emu.addFile('D/keep.jpg', 'keep').id;
    for (const method of ['PATCH', 'DELETE']) expect((await api(`/drive/v3/files/${id}`, { method })).status).toBe(501);
    expect(emu.violations).toHaveLength(2);
  });
});
