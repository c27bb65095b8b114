import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/auth/secret-store.ts';
import type { Grant } from '../../src/auth/tokens.ts';
import { AuthError } from '../../src/errors.ts';
import { AlreadyExistsError, isRemoteError, RemoteError } from '../../src/remotes/errors.ts';
import { createRemote } from '../../src/remotes/registry.ts';
import { FRAGMENT_UNIT } from '../../src/remotes/onedrive/upload.ts';
import type { RemoteEntry } from '../../src/remotes/types.ts';
import { bodyFrom, readAll, runRemoteContract } from '../contract/remote-contract.ts';
import { OneDriveEmulator } from '../helpers/emulators/onedrive.ts';
import type { UploadSession } from '../helpers/emulators/onedrive-sessions.ts';
import { sha256 } from '../helpers/hash.ts';
import { onedriveConfig, onedriveRemote, signedInStore } from '../helpers/onedrive-remote.ts';
import { memoryResumeSlot, patterned } from '../helpers/remote-fixtures.ts';

/** A file that takes several fragments at the test fragment size (320 KiB). */
const video = (size = 3 * FRAGMENT_UNIT + 999, seed = 1): Buffer => patterned(size, seed);

function lastSession(emu: OneDriveEmulator): UploadSession {
  return [...emu.sessions.all.values()].at(-1)!;
}

const paths = (entries: readonly RemoteEntry[]): string[] => entries.map((e) => e.path).sort();

for (const driveType of ['personal', 'business'] as const) {
  describe(`remote: onedrive (${driveType})`, { tags: ['slow'] }, () => {
    let emu: OneDriveEmulator;
    beforeAll(async () => {
      emu = await OneDriveEmulator.start({ driveType, pageSize: 7 });
    });
    afterAll(() => emu.close());
    afterEach(() => {
      expect(emu.violations.splice(0)).toEqual([]);
      expect(emu.log.filter((r) => (r.place === 'upload' || r.place === 'download') && r.authorization)).toEqual([]);
    });

    runRemoteContract({ name: `onedrive ${driveType}`, create: async () => onedriveRemote(emu), multiChunkBytes: 3 * FRAGMENT_UNIT + 12_345 });

    it('reports hashes the way the drive type has them', async () => {
      const remote = onedriveRemote(emu);
      const entry = await remote.create('h/a.jpg', bodyFrom(Buffer.from('hash me'), remote).body);
      expect(entry.hashes.quickxor).toBeDefined();
      expect(entry.hashes.sha256 !== undefined).toBe(driveType === 'personal');
      if (entry.hashes.sha256) expect(entry.hashes.sha256).toBe(sha256(Buffer.from('hash me')));
    });

    it('resumes an upload from its ResumeSlot in a new remote instance, sending nothing the service had', async () => {
      const config = onedriveConfig(emu);
      const store = signedInStore(emu);
      const data = video(5 * FRAGMENT_UNIT + 4321);
      const slot = memoryResumeSlot();
      emu.inject({ drop: 'request' }, { place: 'upload', match: /^PUT /, after: 2 });
      const first = onedriveRemote(emu, { config, store });
      const failure = await first.create('r/clip.mov', bodyFrom(data, first).body, { resume: slot }).catch((e: unknown) => e);
      expect(isRemoteError(failure, 'retryable'), String(failure)).toBe(true);
      const saved = JSON.parse(slot.value!) as { uploadUrl: string; size: number; expires: string };
      expect(saved.size).toBe(data.length);
      const session = emu.sessions.all.get(new URL(saved.uploadUrl).pathname.split('/')[2]!)!;
      expect(session.acceptedBytes).toBe(2 * FRAGMENT_UNIT);

      // Another process: a new remote over the same state.
      const second = onedriveRemote(emu, { config, store });
      const from = emu.log.length;
      const entry = await second.create('r/clip.mov', bodyFrom(data, second).body, { resume: slot });
      expect(entry.size).toBe(data.length);
      const later = emu.log.slice(from);
      expect(later.filter((r) => r.path.endsWith(':/createUploadSession'))).toEqual([]);
      expect(later.find((r) => r.place === 'upload' && r.method === 'PUT')?.contentRange).toBe(`bytes ${2 * FRAGMENT_UNIT}-${3 * FRAGMENT_UNIT - 1}/${data.length}`);
      expect(session.acceptedBytes).toBe(data.length);
      expect(session.overlaps).toBe(0);
      expect(slot.value).toBeNull();
      expect(sha256(await readAll(second, 'r/clip.mov'))).toBe(sha256(data));
    });

    it('starts over when the saved session has expired', async () => {
      const config = onedriveConfig(emu);
      const store = signedInStore(emu);
      const data = video();
      const slot = memoryResumeSlot();
      emu.inject({ status: 500 }, { place: 'upload', match: /^PUT /, after: 1 });
      const first = onedriveRemote(emu, { config, store });
      await expect(first.create('r/old.mov', bodyFrom(data, first).body, { resume: slot })).rejects.toSatisfy((e) => isRemoteError(e, 'retryable'));
      emu.sessions.expireAll();
      const second = onedriveRemote(emu, { config, store });
      await second.create('r/old.mov', bodyFrom(data, second).body, { resume: slot });
      expect(lastSession(emu).acceptedBytes).toBe(data.length);
      expect(sha256(await readAll(second, 'r/old.mov'))).toBe(sha256(data));
    });

    it('continues its own session after a throttled fragment, without a second session for the name', async () => {
      const remote = onedriveRemote(emu);
      const data = video();
      emu.inject({ status: 503, retryAfter: '2' }, { place: 'upload', match: /^PUT /, after: 1 });
      const err = await remote.create('t/slow.mov', bodyFrom(data, remote).body).catch((e: unknown) => e);
      expect(err).toMatchObject({ failure: 'throttled', retryAfterMs: 2000 });
      const sessions = emu.sessions.all.size;
      await remote.create('t/slow.mov', bodyFrom(data, remote).body);
      expect(emu.sessions.all.size).toBe(sessions);
      expect(lastSession(emu).acceptedBytes).toBe(data.length);
    });

    it('asks the session where to go on after a 416, and sends each byte once', async () => {
      const remote = onedriveRemote(emu);
      const data = video();
      emu.inject({ status: 416 }, { place: 'upload', match: /^PUT /, after: 1 });
      const from = emu.log.length;
      await remote.create('t/range.mov', bodyFrom(data, remote).body);
      const session = lastSession(emu);
      expect(session.acceptedBytes).toBe(data.length);
      const calls = emu.log.slice(from).filter((r) => r.place === 'upload').map((r) => `${r.method} ${r.status} ${r.contentRange ?? ''}`);
      expect(calls.slice(0, 4)).toEqual([
        `PUT 202 bytes 0-${FRAGMENT_UNIT - 1}/${data.length}`,
        `PUT 416 bytes ${FRAGMENT_UNIT}-${2 * FRAGMENT_UNIT - 1}/${data.length}`,
        'GET 200 ',
        `PUT 202 bytes ${FRAGMENT_UNIT}-${2 * FRAGMENT_UNIT - 1}/${data.length}`,
      ]);
      expect(sha256(await readAll(remote, 't/range.mov'))).toBe(sha256(data));
    });

    it('cancels on close the sessions that no ResumeSlot remembers', async () => {
      const remote = onedriveRemote(emu);
      emu.inject({ status: 500 }, { place: 'upload', match: /^PUT / });
      await expect(remote.create('t/left.mov', bodyFrom(video(), remote).body)).rejects.toSatisfy((e) => isRemoteError(e, 'retryable'));
      expect(lastSession(emu).state).toBe('open');
      await remote.close();
      expect(lastSession(emu).state).toBe('cancelled');
    });

    it('refuses a taken name at session creation without sending a byte', async () => {
      const remote = onedriveRemote(emu);
      await remote.create('c/taken.mov', bodyFrom(Buffer.from('original'), remote).body);
      const from = emu.log.length;
      await expect(remote.create('c/taken.mov', bodyFrom(video(), remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(emu.log.slice(from).filter((r) => r.place === 'upload')).toEqual([]);
      expect((await readAll(remote, 'c/taken.mov')).toString()).toBe('original');
    });

    it('reports a name taken only at the last fragment as AlreadyExistsError, cancels its session, keeps the old bytes', async () => {
      const remote = onedriveRemote(emu);
      await remote.create('c/IMG_1.JPG', bodyFrom(Buffer.from('original'), remote).body);
      emu.conflictAt = 'last-fragment';
      try {
        const data = video();
        await expect(remote.create('c/img_1.jpg', bodyFrom(data, remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
        const session = lastSession(emu);
        expect(session.acceptedBytes).toBe(data.length);
        expect(session.state).toBe('cancelled');
        expect(emu.log.filter((r) => r.place === 'upload' && r.method === 'PUT').at(-1)?.status).toBe(409);
      } finally {
        emu.conflictAt = 'session';
      }
      expect((await readAll(remote, 'c/IMG_1.JPG')).toString()).toBe('original');
    });

    it('never sends the last fragment of a file that changed, and cancels its session', async () => {
      const remote = onedriveRemote(emu);
      const planned = video();
      const actual = Buffer.from(planned);
      actual[actual.length - 1] = actual[actual.length - 1]! ^ 0xff;
      const from = emu.log.length;
      await expect(remote.create('x/changed.mov', bodyFrom(actual, remote, planned).body)).rejects.toThrow(/changed since it was scanned/);
      const session = lastSession(emu);
      expect(session.state).toBe('cancelled');
      expect(session.received).toBeLessThan(planned.length);
      expect(emu.log.slice(from).some((r) => r.contentRange?.endsWith(`-${planned.length - 1}/${planned.length}`))).toBe(false);
    });

    it('uses real-size fragments by default: 320 KiB multiples after a 4 MB simple-upload limit', async () => {
      const remote = onedriveRemote(emu, { upload: {} });
      const data = video(4 * 1024 * 1024 + 1);
      const from = emu.log.length;
      await remote.create('d/default.mov', bodyFrom(data, remote).body);
      const ranges = emu.log.slice(from).filter((r) => r.place === 'upload' && r.method === 'PUT').map((r) => r.contentRange);
      expect(ranges).toEqual([`bytes 0-3276799/${data.length}`, `bytes 3276800-${data.length - 1}/${data.length}`]);
    });

    it('stores each rotated refresh token before using it, and refreshes once on a 401', async () => {
      emu.identity.revokeUsedRefreshTokens = true;
      try {
        const store = signedInStore(emu);
        const stored = async (): Promise<string> => (JSON.parse((await store.get('od'))!) as Grant).refreshToken;
        const signedIn = await stored();
        const remote = onedriveRemote(emu, { store });
        expect(await remote.stat('none.jpg')).toBeNull();
        expect(await stored()).not.toBe(signedIn);
        expect(await stored()).toBe(emu.identity.refreshTokens.at(-1));
        // The service stops taking the access token: one 401, one refresh (with the rotated, only valid token), the call again.
        emu.inject({ expireTokens: true });
        const from = emu.log.length;
        expect(await remote.stat('none.jpg')).toBeNull();
        expect(emu.log.slice(from).map((r) => `${r.place} ${r.status}`)).toEqual(['api 401', 'token 200', 'api 404']);
        expect(await stored()).toBe(emu.identity.refreshTokens.at(-1));
        // A second 401 right after a refresh is the end of it: re-login, not a loop.
        emu.inject({ expireTokens: true }, { times: 2 });
        const err = await remote.stat('none.jpg').catch((e: unknown) => e);
        expect(err).toMatchObject({ failure: 'auth' });
        expect((err as RemoteError).hint).toContain('photosync auth login od');
      } finally {
        emu.identity.revokeUsedRefreshTokens = false;
      }
    });

    it('names the command to sign in again when the grant is refused', async () => {
      const remote = onedriveRemote(emu, { store: signedInStore(emu, 'od', 'rt-revoked-long-ago') });
      const err = await remote.stat('x.jpg').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).message).toMatch(/expired or was revoked/);
      expect((err as AuthError).hint).toContain('photosync auth login od');
    });

    it('hands throttling to the executor at once, with the Retry-After the service gave', async () => {
      const remote = onedriveRemote(emu);
      await remote.stat('warm-up.jpg');
      emu.inject({ status: 429, retryAfter: '7' });
      const from = emu.log.length;
      const err = await remote.stat('x.jpg').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteError);
      expect(err).toMatchObject({ failure: 'throttled', retryAfterMs: 7000 });
      // No hidden retries inside the Graph client.
      expect(emu.log.length - from).toBe(1);
    });

    it('classifies a full drive as no-space', async () => {
      const remote = onedriveRemote(emu);
      await remote.create('q/first.jpg', bodyFrom(Buffer.from('fits'), remote).body);
      const total = emu.drive.quotaTotal;
      emu.drive.quotaTotal = emu.drive.usedBytes + 3;
      try {
        await expect(remote.create('q/second.jpg', bodyFrom(Buffer.from('does not fit'), remote).body)).rejects.toMatchObject({ failure: 'no-space' });
      } finally {
        emu.drive.quotaTotal = total;
      }
    });

    it('surfaces a download cut half way, or throttled, as a RemoteError the executor can retry', async () => {
      const remote = onedriveRemote(emu);
      const data = video();
      await remote.create('dl/clip.mov', bodyFrom(data, remote).body);
      emu.inject({ drop: 'response' }, { place: 'download' });
      await expect(readAll(remote, 'dl/clip.mov')).rejects.toMatchObject({ failure: 'retryable' });
      emu.inject({ status: 429, retryAfter: '3' }, { match: /:\/content$/ });
      await expect(remote.read('dl/clip.mov')).rejects.toMatchObject({ failure: 'throttled', retryAfterMs: 3000 });
      expect(sha256(await readAll(remote, 'dl/clip.mov'))).toBe(sha256(data));
    });

    it.runIf(driveType === 'personal')('lets Personal refuse a file that cannot fit before a byte is sent', async () => {
      const remote = onedriveRemote(emu);
      await remote.create('q/seed.jpg', bodyFrom(Buffer.from('seed'), remote).body);
      const total = emu.drive.quotaTotal;
      emu.drive.quotaTotal = emu.drive.usedBytes + FRAGMENT_UNIT;
      try {
        const from = emu.log.length;
        await expect(remote.create('q/huge.mov', bodyFrom(video(), remote).body)).rejects.toMatchObject({ failure: 'no-space' });
        expect(emu.log.slice(from).filter((r) => r.place === 'upload')).toEqual([]);
      } finally {
        emu.drive.quotaTotal = total;
      }
    });

    it.runIf(driveType === 'business')('tells a name held by another open session (ODB) from a taken one', async () => {
      const config = onedriveConfig(emu);
      const remote = onedriveRemote(emu, { config });
      await remote.create('lock/seed.jpg', bodyFrom(Buffer.from('seed'), remote).body);
      // A run that crashed without a ResumeSlot left its session open.
      const parent = emu.drive.resolve([config.path.slice(1), 'lock'])!;
      emu.sessions.open(parent.id, 'held.mov', 'fail', true, null);
      const err = await remote.create('lock/held.mov', bodyFrom(video(), remote).body).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(AlreadyExistsError);
      expect(err).toMatchObject({ failure: 'retryable', message: expect.stringMatching(/unfinished upload session holds this name/) });
    });

    it('reports quota from /me/drive', async () => {
      const remote = onedriveRemote(emu);
      await remote.create('q/a.jpg', bodyFrom(Buffer.from('12345'), remote).body);
      expect(await remote.quota()).toEqual({ usedBytes: emu.drive.usedBytes, freeBytes: emu.drive.quotaTotal - emu.drive.usedBytes });
    });

    it('refuses to recreate a root folder that vanished after use', async () => {
      const remote = onedriveRemote(emu, { mayCreateRoot: false });
      await expect((async () => {
        for await (const e of remote.list()) void e;
      })()).rejects.toMatchObject({ failure: 'unavailable' });
      await expect(remote.create('a.jpg', bodyFrom(Buffer.from('x'), remote).body)).rejects.toMatchObject({ failure: 'unavailable' });
    });

    it('follows changes through delta: new files, deletions by others, a relist after 410', async () => {
      const config = onedriveConfig(emu);
      const remote = onedriveRemote(emu, { config });
      const root = config.path.slice(1);
      const small = (s: string) => bodyFrom(Buffer.from(s), remote).body;
      const idOf = (...segments: string[]) => emu.drive.resolve([root, ...segments])!.id;
      expect(await remote.listChanges(null)).toMatchObject({ entries: [], removed: [], complete: true });
      await remote.create('d/one.jpg', small('one'));
      await remote.create('d/sub/two.jpg', small('two'));
      emu.drive.putFile('/Elsewhere/noise.jpg', Buffer.from('not ours'));
      const start = await remote.listChanges(null);
      expect(paths(start.entries)).toEqual(['d/one.jpg', 'd/sub/two.jpg']);
      expect(start.complete).toBe(true);

      await remote.create('d/three.jpg', small('three'));
      emu.drive.putFile(`/${root}/d/their？.jpg`, Buffer.from('theirs'));
      emu.drive.remove(idOf('d', 'one.jpg'));
      emu.drive.putFile('/Elsewhere/noise2.jpg', Buffer.from('still not ours'));
      const next = await remote.listChanges(start.cursor);
      expect(paths(next.entries)).toEqual(['d/their?.jpg', 'd/three.jpg']);
      expect(next.entries.find((e) => e.path === 'd/three.jpg')).toMatchObject({ size: 5, hashes: { quickxor: expect.any(String) } });
      expect(next.removed).toEqual(['d/one.jpg']);
      expect(next.complete).toBe(false);

      // A deleted folder takes its files along.
      emu.drive.remove(idOf('d', 'sub'));
      const afterDelete = await remote.listChanges(next.cursor);
      expect(afterDelete).toMatchObject({ entries: [], removed: ['d/sub/two.jpg'] });
      expect(await remote.listChanges(afterDelete.cursor)).toMatchObject({ entries: [], removed: [] });

      // The token expired: 410, a full relist, and what vanished meanwhile is still reported.
      emu.drive.remove(idOf('d', 'three.jpg'));
      emu.expireDeltaTokens();
      const relisted = await remote.listChanges(afterDelete.cursor);
      expect(paths(relisted.entries)).toEqual(['d/their?.jpg']);
      expect(relisted.removed).toEqual(['d/three.jpg']);
      expect(relisted.complete).toBe(true);

      // A renamed folder moves everything under it: relisted, old paths removed.
      emu.drive.rename(idOf('d'), 'e');
      const renamed = await remote.listChanges(relisted.cursor);
      expect(paths(renamed.entries)).toEqual(['e/their?.jpg']);
      expect(renamed.removed).toEqual(['d/their?.jpg']);
    });
  });
}

describe('remote: onedrive registry', () => {
  it('is created from its config without touching the network', async () => {
    const emuLike = { clientId: 'c', apiUrl: 'https://graph.example.test/v1.0', tokenUrl: 'https://login.example.test/token', drive: { driveType: 'personal' } };
    const config = onedriveConfig(emuLike as unknown as OneDriveEmulator, { path: '/Photos' });
    const remote = await createRemote(config, { firstUse: true, env: {}, secrets: () => memoryStore() });
    expect(remote).toMatchObject({ type: 'onedrive', identity: 'onedrive:od:c:consumers:/Photos', hashes: ['quickxor'] });
  });

  it('refuses an http api_url, which the Graph client would send no token to', async () => {
    const emuLike = { clientId: 'c', apiUrl: 'http://127.0.0.1:1/v1.0', tokenUrl: 'x', drive: { driveType: 'personal' } };
    const config = onedriveConfig(emuLike as unknown as OneDriveEmulator);
    await expect(createRemote(config, { firstUse: true, env: {}, secrets: () => memoryStore() })).rejects.toThrow(/not https/);
  });
});
