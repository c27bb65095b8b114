/**
 * The OneDrive emulator refuses what Graph refuses, and the Graph SDK behaves against it the way
 * cloud-apis.md §3 says it does against the real service (which is why the remote does not use
 * the SDK's upload task).
 */
import { AuthenticationHandler, Client, OneDriveLargeFileUploadTask, type Context } from '@microsoft/microsoft-graph-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OneDriveEmulator } from '../helpers/emulators/onedrive.ts';
import { FRAGMENT_UNIT } from '../helpers/emulators/onedrive-sessions.ts';

async function accessToken(emu: OneDriveEmulator, refreshToken = emu.issueRefreshToken()): Promise<{ status: number; body: Record<string, string> }> {
  const response = await emu.fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: emu.clientId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

for (const driveType of ['personal', 'business'] as const) {
  describe(`onedrive emulator (${driveType})`, { tags: ['slow'] }, () => {
    let emu: OneDriveEmulator;
    let token: string;
    const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await emu.fetch(`${emu.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      // any: Graph JSON read in assertions only, where a wrong shape fails the test anyway.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: response.status, headers: response.headers, json: (await response.json().catch(() => null)) as Record<string, any> };
    };
    const put = (url: string, bytes: Buffer, range: string, headers: Record<string, string> = {}) =>
      emu.fetch(url, { method: 'PUT', headers: { 'content-range': range, ...headers }, body: bytes });

    beforeAll(async () => {
      emu = await OneDriveEmulator.start({ driveType });
      token = (await accessToken(emu)).body['access_token']!;
      emu.drive.putFile('/e/existing.jpg', Buffer.from('old'));
    });
    afterAll(() => emu.close());
    afterEach(() => {
      expect(emu.violations.splice(0)).toEqual([]);
    });

    it('rotates refresh tokens on every use and refuses unknown ones with invalid_grant', async () => {
      const first = await accessToken(emu);
      const second = await accessToken(emu, first.body['refresh_token']);
      expect(second.body['refresh_token']).not.toBe(first.body['refresh_token']);
      expect(await accessToken(emu, 'rt-never-issued')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('wants a valid bearer token on every API call', async () => {
      const response = await emu.fetch(`${emu.apiUrl}/me/drive`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
      expect(emu.violations.splice(0)).toEqual([expect.stringMatching(/without a bearer token/)]);
    });

    it('applies the documented conflictBehavior defaults, and records that one was left out', async () => {
      expect((await api('PUT', '/me/drive/root:/e/existing.jpg:/content?@microsoft.graph.conflictBehavior=fail', Buffer.from('new'))).json.error.code).toBe('nameAlreadyExists');
      expect(await api('PUT', '/me/drive/root:/e/existing.jpg:/content?@microsoft.graph.conflictBehavior=rename', Buffer.from('new'))).toMatchObject({ status: 201, json: { name: 'existing 1.jpg' } });
      expect(await api('PUT', '/me/drive/root:/e/existing.jpg:/content', Buffer.from('replaced'))).toMatchObject({ status: 200, json: { size: 8 } });
      expect(emu.violations.splice(0)).toEqual([expect.stringMatching(/no @microsoft.graph.conflictBehavior \(the service then uses replace\)/)]);
      expect((await api('POST', '/me/drive/root:/e/nope.jpg:/createUploadSession', {})).status).toBe(200);
      expect(emu.violations.splice(0)).toEqual([expect.stringMatching(/then uses replace/)]);
    });

    it('refuses names OneDrive refuses and malformed addresses', async () => {
      expect((await api('PUT', '/me/drive/root:/e/what%3F.jpg:/content?@microsoft.graph.conflictBehavior=fail', Buffer.from('x'))).status).toBe(400);
      expect(emu.violations.splice(0)).toEqual([expect.stringMatching(/characters OneDrive does not allow/)]);
    });

    it('enforces the upload-session fragment rules', async () => {
      const total = 2 * FRAGMENT_UNIT + 10;
      const session = await api('POST', '/me/drive/root:/e/big.mov:/createUploadSession', { item: { '@microsoft.graph.conflictBehavior': 'fail' } });
      const url = session.json['uploadUrl'] as string;
      expect(new URL(url).hostname).toBe('localhost');
      expect(session.json['nextExpectedRanges']).toEqual(['0-']);

      expect((await put(url, Buffer.alloc(1000), `bytes 0-999/${total}`)).status).toBe(400);
      expect((await put(url, Buffer.alloc(FRAGMENT_UNIT), `bytes 0-${FRAGMENT_UNIT - 1}/${total}`, { authorization: `Bearer ${token}` })).status).toBe(401);
      expect(emu.violations.splice(0)).toEqual([expect.stringMatching(/not a multiple of 320 KiB/), expect.stringMatching(/Authorization header was sent to an upload URL/)]);

      const first = await put(url, Buffer.alloc(FRAGMENT_UNIT), `bytes 0-${FRAGMENT_UNIT - 1}/${total}`);
      expect(first.status).toBe(202);
      expect(((await first.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([`${FRAGMENT_UNIT}-`]);
      const overlap = await put(url, Buffer.alloc(FRAGMENT_UNIT), `bytes 0-${FRAGMENT_UNIT - 1}/${total}`);
      expect(overlap.status).toBe(416);
      expect(((await overlap.json()) as { error: { message: string } }).error.message).toMatch(/fragmentOverlap/);
      expect((await put(url, Buffer.alloc(FRAGMENT_UNIT), `bytes ${FRAGMENT_UNIT}-${2 * FRAGMENT_UNIT - 1}/${total + 1}`)).status).toBe(400);
      expect((await put(url, Buffer.alloc(10), `bytes ${2 * FRAGMENT_UNIT}-${total - 1}/${total}`)).status).toBe(416);
      expect(emu.violations.splice(0)).toEqual([expect.stringMatching(/TOTAL/), expect.stringMatching(/fragmentOutOfOrder/)]);

      const status = await emu.fetch(url);
      expect(((await status.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([`${FRAGMENT_UNIT}-`]);
      expect((await emu.fetch(url, { method: 'DELETE' })).status).toBe(204);
      expect((await emu.fetch(url)).status).toBe(404);
    });

    it.runIf(driveType === 'business')('refuses a second session for a name while one is open (ODB)', async () => {
      const body = { item: { '@microsoft.graph.conflictBehavior': 'replace' } };
      expect((await api('POST', '/me/drive/root:/e/busy.mov:/createUploadSession', body)).status).toBe(200);
      expect(await api('POST', '/me/drive/root:/e/busy.mov:/createUploadSession', body)).toMatchObject({ status: 409, json: { error: { code: 'nameAlreadyExists' } } });
    });

    it('serves delta where the drive type does, and 410 with a Location once a token expired', async () => {
      const folderDelta = await api('GET', '/me/drive/root:/e:/delta');
      if (driveType === 'business') {
        expect(folderDelta.status).toBe(400);
        expect(emu.violations.splice(0)).toEqual([expect.stringMatching(/delta on the drive root only/)]);
      } else expect(folderDelta.status).toBe(200);
      const root = await api('GET', '/me/drive/root/delta?token=latest');
      expect(root.json['value']).toEqual([]);
      const link = root.json['@odata.deltaLink'] as string;
      expect(link).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/me\/drive\/root\/delta\?token=/);
      emu.drive.putFile('/e/later.jpg', Buffer.from('later'));
      const changes = await api('GET', link.slice(emu.apiUrl.length));
      expect(changes.json['value'].map((i: { name?: string }) => i.name)).toContain('later.jpg');
      expect(changes.json['value'].every((i: { parentReference: object }) => !('path' in i.parentReference))).toBe(true);
      emu.expireDeltaTokens();
      const gone = await api('GET', (changes.json['@odata.deltaLink'] as string).slice(emu.apiUrl.length));
      expect(gone.status).toBe(410);
      expect(gone.json.error.code).toBe('resyncRequired');
      expect(gone.headers.get('location')).toBe(`${emu.apiUrl}/me/drive/root/delta`);
    });

    it('makes the SDK upload task show why photosync does not use it: it renames by default', async () => {
      const client = Client.initWithMiddleware({
        baseUrl: `https://127.0.0.1:${new URL(emu.apiUrl).port}/`,
        customHosts: new Set(['127.0.0.1']),
        middleware: [
          new AuthenticationHandler({ getAccessToken: async () => token }),
          { execute: async (context: Context) => void (context.response = await emu.fetch(context.request, context.options as RequestInit)) },
        ],
      });
      emu.drive.putFile('/sdk/dup.jpg', Buffer.from('first'));
      const task = await OneDriveLargeFileUploadTask.create(client, new Uint8Array(FRAGMENT_UNIT + 5), { fileName: 'dup.jpg', path: '/sdk' });
      await task.upload();
      expect(emu.drive.children(emu.drive.resolve(['sdk'])!.id).map((i) => i.name)).toEqual(['dup 1.jpg', 'dup.jpg']);

      // With "fail" and the conflict found only at the end, the task throws the bare JSON body: no status, no headers.
      emu.conflictAt = 'last-fragment';
      try {
        const failing = await OneDriveLargeFileUploadTask.create(client, new Uint8Array(FRAGMENT_UNIT + 5), { fileName: 'dup.jpg', path: '/sdk', conflictBehavior: 'fail' });
        const thrown = await failing.upload().catch((e: unknown) => e);
        expect(thrown).not.toBeInstanceOf(Error);
        expect(thrown).toEqual({ error: expect.objectContaining({ code: 'nameAlreadyExists' }) });
      } finally {
        emu.conflictAt = 'session';
      }
    });
  });
}
