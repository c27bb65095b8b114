/**
 * The Google Drive remote through the real googleapis SDK against the loopback Drive emulator
 * (test/helpers/emulators/gdrive.ts), which refuses protocol violations: every test ends by
 * checking that photosync committed none.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OAuthTokenSource } from '../../src/auth/tokens.ts';
import { memoryStore, type SecretStore } from '../../src/auth/secret-store.ts';
import type { GdriveRemoteConfig } from '../../src/config/types.ts';
import { AuthError } from '../../src/errors.ts';
import { AlreadyExistsError, RemoteError } from '../../src/remotes/errors.ts';
import { GdriveRemote, type GdriveTuning } from '../../src/remotes/gdrive/index.ts';
import { createRemote } from '../../src/remotes/registry.ts';
import { bodyFrom, readAll, runRemoteContract } from '../contract/remote-contract.ts';
import { sha256 } from '../helpers/hash.ts';
import { startGdriveEmulator, type GdriveEmulator } from '../helpers/emulators/gdrive.ts';
import { memoryResumeSlot, patterned } from '../helpers/remote-fixtures.ts';

const KiB = 1024;
/** Small enough that a test file takes the resumable path in several chunks. */
const TUNING: GdriveTuning = { resumableAbove: 512 * KiB, chunkBytes: 256 * KiB };

let emu: GdriveEmulator;
let folders = 0;

beforeAll(async () => {
  // Short pages, so every listing has to follow nextPageToken.
  emu = await startGdriveEmulator({ pageLimit: 7, quotaLimit: 15 * 1024 ** 3 });
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  emu.clearFaults();
  expect(emu.violations.splice(0)).toEqual([]);
});

function configFor(folder: string, name = 'gdrive'): GdriveRemoteConfig {
  return {
    name, type: 'gdrive', folder, clientId: emu.clientId, tokenStore: 'file', apiUrl: emu.apiUrl, authUrl: null, tokenUrl: emu.tokenUrl,
    layout: '{name}', media: 'cloud', offsite: true, transfers: 4, quotaBytes: null, include: null, exclude: [],
  };
}

function signedIn(name = 'gdrive', refreshToken = emu.grant()): SecretStore {
  const grant = { provider: 'google', clientId: emu.clientId, refreshToken, accessToken: null, expiresAt: null, obtainedAt: 0 };
  return memoryStore({ [name]: JSON.stringify(grant) });
}

interface Made {
  readonly remote: GdriveRemote;
  readonly folder: string;
  readonly store: SecretStore;
}

function makeRemote(options: { folder?: string; tuning?: Partial<GdriveTuning>; store?: SecretStore; mayCreateRoot?: boolean } = {}): Made {
  const folder = options.folder ?? `Backups/photosync-${++folders}`;
  const store = options.store ?? signedIn();
  const config = configFor(folder);
  const remote = new GdriveRemote(config, new OAuthTokenSource(config, store, { env: {} }), {
    mayCreateRoot: options.mayCreateRoot ?? true,
    tuning: { ...TUNING, ...options.tuning },
  });
  return { remote, folder, store };
}

runRemoteContract({
  name: 'gdrive',
  create: async () => makeRemote().remote,
  // Five and a bit chunks of 256 KiB on the resumable path.
  multiChunkBytes: 5 * 256 * KiB + 11,
  listingFiles: 30,
  tags: ['slow'],
});

describe('remote: gdrive', { tags: ['slow'] }, () => {
  it('sends small files as one multipart request and large ones in 256 KiB chunks that follow Range', async () => {
    const { remote, folder } = makeRemote();
    const from = emu.log.length;
    await remote.create('small.jpg', bodyFrom(Buffer.from('tiny'), remote).body);
    const big = patterned(3 * 256 * KiB + 5);
    const entry = await remote.create('big.mov', bodyFrom(big, remote).body);
    expect(entry.hashes).toEqual({ sha256: sha256(big), md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const uploads = emu.log.slice(from).filter((r) => r.path.startsWith('/upload/'));
    expect(uploads.map((r) => [r.method, r.query.get('uploadType'), r.contentRange ?? null])).toEqual([
      ['POST', 'multipart', null],
      ['POST', 'resumable', null],
      ['PUT', 'resumable', `bytes 0-262143/${big.length}`],
      ['PUT', 'resumable', `bytes 262144-524287/${big.length}`],
      ['PUT', 'resumable', `bytes 524288-786431/${big.length}`],
      ['PUT', 'resumable', `bytes 786432-786436/${big.length}`],
    ]);
    const [stored] = emu.store.lookup(`${folder}/big.mov`);
    expect(stored?.mimeType).toBe('video/quicktime');
    expect(stored?.content?.equals(big)).toBe(true);
  });

  it('continues from the Range Drive answers when it kept less than it was sent', async () => {
    const { remote, folder } = makeRemote({ tuning: { chunkBytes: 1024 * KiB } });
    const data = patterned(2048 * KiB + 9, 5);
    // The first 1 MiB chunk arrives whole, but Drive keeps only 512 KiB of it.
    emu.inject({ kind: 'short-persist', keepBytes: 512 * KiB }, { method: 'PUT', chunk: true });
    const sessionsBefore = emu.sessionInfo().length;
    const progress: number[] = [];
    await remote.create('short.mov', bodyFrom(data, remote).body, { onProgress: (n) => progress.push(n) });
    const [session] = emu.sessionInfo().slice(sessionsBefore);
    expect(session!.puts.map((p) => p.first)).toEqual([0, 512 * KiB, 1536 * KiB]);
    expect(progress).toEqual([512 * KiB, 1536 * KiB, data.length]);
    expect(emu.store.lookup(`${folder}/short.mov`).map((f) => f.sha256)).toEqual([sha256(data)]);
  });

  it('resumes an interrupted upload in a new process from the saved slot, sending only what Drive lacks', async () => {
    const first = makeRemote({ tuning: { chunkBytes: 1024 * KiB } });
    const data = patterned(2560 * KiB + 3, 7);
    const slot = memoryResumeSlot();
    // The second 1 MiB chunk is cut after 600 KiB: Drive keeps the two whole 256 KiB units of it.
    emu.inject({ kind: 'drop-request', afterBodyBytes: 600 * KiB }, { method: 'PUT', chunk: true, skip: 1 });
    const sessionsBefore = emu.sessionInfo().length;
    let puts = 0;
    const failing = first.remote.create('v/clip.mov', bodyFrom(data, first.remote).body, { resume: slot, onProgress: () => puts++ });
    // The first chunk goes through (one progress report), the second is cut.
    await expect(failing).rejects.toMatchObject({ failure: 'retryable' });
    expect(puts).toBe(1);
    const saved = JSON.parse(slot.value!) as { fileId: string; session: string; size: number };
    expect(saved).toMatchObject({ size: data.length, session: expect.stringContaining('upload_id=') });
    expect(emu.store.get(saved.fileId)).toBeUndefined();
    await first.remote.close();

    // A new process: another remote instance, the slot as the state database kept it.
    const second = makeRemote({ folder: first.folder, store: first.store, tuning: { chunkBytes: 1024 * KiB } });
    const entry = await second.remote.create('v/clip.mov', bodyFrom(data, second.remote).body, { resume: slot });
    expect(entry.hashes.sha256).toBe(sha256(data));
    expect(slot.value).toBeNull();

    const sessions = emu.sessionInfo().slice(sessionsBefore);
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session!.fileId).toBe(saved.fileId);
    // Resumed at Drive's Range (1.5 MiB), not at our own count (1 MiB): the only bytes sent twice
    // are the 88 KiB of the cut chunk that Drive had not kept.
    expect(session!.puts.map((p) => p.first)).toEqual([0, 1024 * KiB, 1536 * KiB, 2560 * KiB]);
    expect(session!.bytesReceived).toBe(data.length + (600 - 512) * KiB);
    expect(emu.store.lookup(`${first.folder}/v/clip.mov`).map((f) => f.sha256)).toEqual([sha256(data)]);
    await second.remote.close();
  });

  it('does not resume a session holding bytes the file no longer starts with', async () => {
    const { remote, folder } = makeRemote();
    // Sources are read in 1 MiB pieces and the last one is held back until the hash matched:
    // 3 MiB, so that chunks of a changed file go out before the change is noticed.
    const planned = patterned(3072 * KiB, 1);
    const other = patterned(3072 * KiB, 2);
    const slot = memoryResumeSlot();
    // Two chunks of the changed file go up, then the connection drops before the change shows.
    emu.inject({ kind: 'drop-request', afterBodyBytes: 10 }, { method: 'PUT', chunk: true, skip: 2 });
    const sessionsBefore = emu.sessionInfo().length;
    const { body: changed } = bodyFrom(other, remote, planned);
    await expect(remote.create('x.mov', changed, { resume: slot })).rejects.toMatchObject({ failure: 'retryable' });
    expect(emu.sessionInfo()[sessionsBefore]?.persisted).toBe(512 * KiB);
    // The file is back to the planned content, so the session's first 512 KiB are not its bytes.
    await remote.create('x.mov', bodyFrom(planned, remote).body, { resume: slot });
    const sessions = emu.sessionInfo().slice(sessionsBefore);
    expect(sessions.map((s) => [s.puts[0]?.first, s.done !== null])).toEqual([[0, false], [0, true]]);
    expect(emu.store.lookup(`${folder}/x.mov`).map((f) => f.sha256)).toEqual([sha256(planned)]);
  });

  it('drops the session of a source that changed mid-upload', async () => {
    const { remote, folder } = makeRemote();
    const planned = patterned(3072 * KiB, 1);
    const slot = memoryResumeSlot();
    const sessionsBefore = emu.sessionInfo().length;
    await expect(remote.create('y.mov', bodyFrom(patterned(3072 * KiB, 2), remote, planned).body, { resume: slot })).rejects.toThrow(
      /changed since it was scanned/,
    );
    // 2 MiB went up before the change showed; the final chunk never did, and the slot is cleared.
    expect(emu.sessionInfo()[sessionsBefore]).toMatchObject({ persisted: 2048 * KiB, done: null });
    expect(slot.value).toBeNull();
    expect(emu.store.lookup(`${folder}/y.mov`)).toEqual([]);
  });

  it('starts a new session when Drive has forgotten the old one (404)', async () => {
    const { remote, folder } = makeRemote();
    const data = patterned(1024 * KiB + 1, 3);
    const slot = memoryResumeSlot();
    emu.inject({ kind: 'drop-request', afterBodyBytes: 100 }, { method: 'PUT', chunk: true, times: 1 });
    await expect(remote.create('e.mov', bodyFrom(data, remote).body, { resume: slot })).rejects.toMatchObject({ failure: 'retryable' });
    emu.expireSessions();
    await remote.create('e.mov', bodyFrom(data, remote).body, { resume: slot });
    expect(emu.store.lookup(`${folder}/e.mov`).map((f) => f.sha256)).toEqual([sha256(data)]);
  });

  it('never makes a second file when an upload succeeded but its answer was lost', async () => {
    const { remote, folder } = makeRemote();
    for (const [name, data] of [['lost.jpg', Buffer.from('small answer lost')], ['lost.mov', patterned(700 * KiB)]] as const) {
      const slot = memoryResumeSlot();
      // The answer to the request that completes the file is lost (for 700 KiB: the third chunk).
      const resumable = data.length > TUNING.resumableAbove;
      emu.inject({ kind: 'drop-response' }, { method: resumable ? 'PUT' : 'POST', path: '/upload/drive/v3/files', skip: resumable ? 2 : 0 });
      await expect(remote.create(name, bodyFrom(data, remote).body, { resume: slot })).rejects.toMatchObject({ failure: 'retryable' });
      expect(emu.store.lookup(`${folder}/${name}`)).toHaveLength(1);
      const entry = await remote.create(name, bodyFrom(data, remote).body, { resume: slot });
      expect(entry).toMatchObject({ path: name, size: data.length, hashes: { sha256: sha256(data) } });
      expect(emu.store.lookup(`${folder}/${name}`)).toHaveLength(1);
      expect(slot.value).toBeNull();
    }
  });

  it('treats 409 on its own pre-generated id as the earlier attempt having landed', async () => {
    const { remote, folder } = makeRemote();
    const data = Buffer.from('committed after the client gave up');
    const slot = memoryResumeSlot();
    // Attempt 1 reaches Drive, which is slow to commit it; the client gives up waiting.
    const firstHeld = emu.hold({ method: 'POST', uploadType: 'multipart' });
    const abort = new AbortController();
    const first = remote.create('race.jpg', bodyFrom(data, remote).body, { resume: slot, signal: abort.signal });
    await firstHeld.reached;
    abort.abort(new Error('gave up'));
    await expect(first).rejects.toThrow('gave up');
    // Attempt 2 checks the id and the name (nothing yet) and sends the same id; Drive commits attempt 1 first.
    const secondHeld = emu.hold({ method: 'POST', uploadType: 'multipart' });
    const second = remote.create('race.jpg', bodyFrom(data, remote).body, { resume: slot });
    await secondHeld.reached;
    await firstHeld.release();
    await secondHeld.release();
    expect(await second).toMatchObject({ path: 'race.jpg', hashes: { sha256: sha256(data) } });
    expect(emu.store.lookup(`${folder}/race.jpg`)).toHaveLength(1);
    expect(emu.log.filter((r) => r.path === '/upload/drive/v3/files').slice(-1)[0]?.status).toBe(409);
  });

  it('refuses a name another client already used, before sending anything, and leaves its bytes alone', async () => {
    const { remote, folder } = makeRemote();
    await remote.create('a/seed.jpg', bodyFrom(Buffer.from('x'), remote).body);
    const theirs = emu.addFile(`${folder}/a/IMG_0001.JPG`, 'their bytes');
    const from = emu.log.length;
    for (const data of [Buffer.from('our bytes'), patterned(600 * KiB)]) {
      await expect(remote.create('a/IMG_0001.JPG', bodyFrom(data, remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
    }
    expect(emu.log.slice(from).filter((r) => r.path.startsWith('/upload/'))).toEqual([]);
    expect(emu.store.lookup(`${folder}/a/IMG_0001.JPG`).map((f) => f.id)).toEqual([theirs.id]);
    expect((await readAll(remote, 'a/IMG_0001.JPG')).toString()).toBe('their bytes');
  });

  it('reuses the oldest of several same-name folders and never makes another', async () => {
    const folder = `Backups/dupes-${++folders}`;
    const older = emu.store.folder(`${folder}/2024`);
    const newer = emu.store.create({ name: '2024', mimeType: 'application/vnd.google-apps.folder', parents: older.parents, content: null });
    const { remote } = makeRemote({ folder });
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => remote.create(`2024/05/${n}.jpg`, bodyFrom(Buffer.from(n), remote).body)));
    expect(emu.store.children(older.id).map((f) => f.name)).toEqual(['05']);
    expect(emu.store.children(newer.id)).toEqual([]);
    expect(emu.store.lookup(`${folder}/2024/05`)).toHaveLength(1);
  });

  it('refreshes the access token once after a 401 and carries on', async () => {
    const { remote } = makeRemote();
    await remote.create('t/first.jpg', bodyFrom(Buffer.from('1'), remote).body);
    const grants = emu.tokenRequests.length;
    emu.expireAccessTokens();
    const data = Buffer.from('after the token expired');
    await remote.create('t/second.jpg', bodyFrom(data, remote).body);
    expect(emu.tokenRequests.slice(grants)).toEqual([{ grantType: 'refresh_token', ok: true }]);
    // A 401 answered to an upload: its body is sent again in full.
    emu.inject({ kind: 'error', error: 'authError' }, { method: 'POST', uploadType: 'multipart' });
    await remote.create('t/third.jpg', bodyFrom(data, remote).body);
    expect(emu.tokenRequests.slice(grants)).toHaveLength(2);
    expect((await readAll(remote, 't/third.jpg')).equals(data)).toBe(true);
  });

  it('gives up with an AuthError naming the login command when Drive keeps refusing, or the grant is gone', async () => {
    const { remote } = makeRemote();
    expect(await remote.stat('anything.jpg')).toBeNull();
    const grants = emu.tokenRequests.length;
    emu.inject({ kind: 'error', error: 'authError' }, { path: '/drive/v3/files', times: 2 });
    const refused = remote.stat('anything.jpg');
    await expect(refused).rejects.toBeInstanceOf(AuthError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringMatching(/Google Drive refused the sign-in of remote "gdrive".*401 authError/),
      hint: expect.stringContaining('photosync auth login gdrive'),
    });
    // One refresh between the two 401s, and no more.
    expect(emu.tokenRequests.slice(grants)).toEqual([{ grantType: 'refresh_token', ok: true }]);

    const revoked = makeRemote({ store: signedIn('gdrive', 'a-revoked-refresh-token') });
    const failure = revoked.remote.create('a.jpg', bodyFrom(Buffer.from('x'), revoked.remote).body);
    await expect(failure).rejects.toBeInstanceOf(AuthError);
    await expect(failure).rejects.toMatchObject({ message: expect.stringMatching(/expired or was revoked/), hint: expect.stringContaining('photosync auth login gdrive') });
    expect(emu.tokenRequests.slice(-1)).toEqual([{ grantType: 'refresh_token', ok: false }]);
  });

  it('surfaces throttling as throttled errors with Retry-After, and does not retry on its own', async () => {
    const { remote } = makeRemote();
    await remote.create('seed.jpg', bodyFrom(Buffer.from('seed'), remote).body);
    const cases = [
      { fault: { kind: 'error', error: 'rateLimitExceeded429', retryAfter: '7' } as const, want: { failure: 'throttled', status: 429, retryAfterMs: 7000 } },
      { fault: { kind: 'error', error: 'userRateLimitExceeded' } as const, want: { failure: 'throttled', status: 403, retryAfterMs: undefined } },
      { fault: { kind: 'error', error: 'rateLimitExceeded403' } as const, want: { failure: 'throttled', status: 403 } },
      { fault: { kind: 'error', error: 'storageQuotaExceeded' } as const, want: { failure: 'no-space', status: 403 } },
      { fault: { kind: 'error', error: 'backendError' } as const, want: { failure: 'retryable', status: 500 } },
      { fault: { kind: 'drop-request', afterBodyBytes: 0 } as const, want: { failure: 'retryable', status: undefined } },
    ];
    for (const { fault, want } of cases) {
      // On a GET (which gaxios would retry) and on an upload POST (which it would not).
      const calls = [
        { path: '/drive/v3/files', run: () => remote.stat('seed.jpg') },
        { path: '/upload/drive/v3/files', run: () => remote.create(`n-${Math.random()}.jpg`, bodyFrom(Buffer.from('n'), remote).body) },
      ];
      for (const { path, run } of calls) {
        const from = emu.log.length;
        emu.inject(fault, { path });
        const err = await run().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(RemoteError);
        expect(err).toMatchObject(want);
        // One request reached that endpoint: the SDK's own retries are off, the executor decides.
        expect(emu.log.slice(from).filter((r) => r.path === path)).toHaveLength(1);
      }
    }
  });

  it('reads the storage quota; no limit means no free-space figure', async () => {
    const { remote } = makeRemote();
    const quota = await remote.quota();
    expect(quota.usedBytes).toBe(emu.store.usage());
    expect(quota.freeBytes).toBe(15 * 1024 ** 3 - emu.store.usage());
    const limit = emu.store.quotaLimit;
    emu.store.quotaLimit = null;
    try {
      expect(await remote.quota()).toEqual({ usedBytes: emu.store.usage(), freeBytes: null });
    } finally {
      emu.store.quotaLimit = limit;
    }
  });

  it('follows the changes feed: other clients’ files, trashed ones, and a complete answer when it cannot tell', async () => {
    const { remote, folder, store } = makeRemote();
    await remote.create('2024/ours.jpg', bodyFrom(Buffer.from('ours'), remote).body);
    const start = await remote.listChanges(null);
    expect(start).toMatchObject({ complete: true, removed: [] });
    expect(start.entries.map((e) => e.path)).toEqual(['2024/ours.jpg']);

    await remote.create('2024/mine-too.jpg', bodyFrom(Buffer.from('mine'), remote).body);
    const theirs = emu.addFile(`${folder}/2024/from-phone.jpg`, 'phone bytes');
    emu.addFile('Elsewhere/unrelated.jpg', 'not ours');
    const ours = emu.store.lookup(`${folder}/2024/ours.jpg`)[0]!;
    emu.trash(ours.id);
    const next = await remote.listChanges(start.cursor);
    expect(next.complete).toBe(false);
    expect(next.entries.map((e) => e.path).sort()).toEqual(['2024/from-phone.jpg', '2024/mine-too.jpg']);
    expect(next.entries.find((e) => e.path === '2024/from-phone.jpg')).toEqual({
      path: '2024/from-phone.jpg', size: 11, hashes: { sha256: sha256('phone bytes'), md5: expect.any(String) },
    });
    expect(next.removed).toEqual(['2024/ours.jpg']);
    const quiet = await remote.listChanges(next.cursor);
    expect(quiet).toEqual({ entries: [], removed: [], complete: false, cursor: next.cursor });

    // Renamed by someone: the old path goes, the new one comes.
    emu.move(theirs.id, theirs.parents[0]!, 'renamed.jpg');
    const renamed = await remote.listChanges(quiet.cursor);
    expect(renamed).toMatchObject({ removed: ['2024/from-phone.jpg'], entries: [{ path: '2024/renamed.jpg' }] });

    // A new process never saw this file; deleted for good, its path cannot be told: a complete answer.
    const fresh = makeRemote({ folder, store });
    emu.deleteForever(theirs.id);
    const after = await fresh.remote.listChanges(renamed.cursor);
    expect(after.complete).toBe(true);
    expect(after.entries.map((e) => e.path)).toEqual(['2024/mine-too.jpg']);
  });

  it('answers completely when a folder moved or was trashed with its files, in a process that never saw them', async () => {
    const { remote, folder, store } = makeRemote();
    await remote.create('2024/a.jpg', bodyFrom(Buffer.from('a'), remote).body);
    await remote.create('2025/b.jpg', bodyFrom(Buffer.from('b'), remote).body);
    const cursor = (await remote.listChanges(null)).cursor;
    const year = emu.store.lookup(`${folder}/2024`)[0]!;
    emu.trash(year.id);
    const after = await makeRemote({ folder, store }).remote.listChanges(cursor);
    expect(after.complete).toBe(true);
    expect(after.entries.map((e) => e.path)).toEqual(['2025/b.jpg']);
  });

  it('can back up into My Drive itself', async () => {
    const { remote } = makeRemote({ folder: '' });
    const cursor = (await remote.listChanges(null)).cursor;
    const name = `top-level-${++folders}.jpg`;
    await remote.create(name, bodyFrom(Buffer.from('at the top'), remote).body);
    expect(emu.store.lookup(name)).toHaveLength(1);
    expect((await remote.listChanges(cursor)).entries.map((e) => e.path)).toEqual([name]);
  });

  it('will not recreate the folder of a remote that already holds files', async () => {
    const { remote } = makeRemote({ folder: `Gone/folder-${++folders}`, mayCreateRoot: false });
    await expect(remote.create('a.jpg', bodyFrom(Buffer.from('x'), remote).body)).rejects.toMatchObject({ failure: 'unavailable' });
    const listing = async (): Promise<unknown> => {
      for await (const e of remote.list()) return e;
      return null;
    };
    await expect(listing()).rejects.toMatchObject({ failure: 'unavailable' });
  });

  it('is what the registry makes of a gdrive config', async () => {
    const config = configFor(`Backups/registry-${++folders}`);
    const store = signedIn();
    const remote = await createRemote(config, { firstUse: true, env: {}, secrets: () => store });
    expect(remote).toBeInstanceOf(GdriveRemote);
    expect(remote.hashes).toEqual(['sha256', 'md5']);
    await remote.create('r.jpg', bodyFrom(Buffer.from('via registry'), remote).body);
    expect((await remote.stat('r.jpg'))?.size).toBe(12);
    await remote.close?.();
  });
});
