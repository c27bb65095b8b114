import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.ts';
import { readGrant } from '../../src/auth/tokens.ts';
import { memoryStore } from '../../src/auth/secret-store.ts';
import { AlreadyExistsError, RemoteError } from '../../src/remotes/errors.ts';
import { createRemote } from '../../src/remotes/registry.ts';
import type { Remote } from '../../src/remotes/types.ts';
import { DropboxEmulator } from '../helpers/emulators/dropbox.ts';
import { contentHash } from '../helpers/emulators/dropbox-store.ts';
import { sha256 } from '../helpers/hash.ts';
import { bodyFrom, readAll, runRemoteContract } from '../contract/remote-contract.ts';
import { dropboxConfig, dropboxRemote, memoryResumeSlot, MiB, patterned, signedIn } from './dropbox-helpers.ts';

let emu: DropboxEmulator;
let folders = 0;

beforeAll(async () => {
  emu = await DropboxEmulator.start();
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  // Whatever a test did, photosync must never have sent Dropbox a request it rejects as malformed.
  expect(emu.violations.splice(0)).toEqual([]);
});

runRemoteContract({
  name: 'dropbox',
  tags: ['slow'],
  // 1 MiB chunks: start, three appends (the last one closing), then the commit.
  multiChunkBytes: 3.5 * MiB + 11,
  listingFiles: 30,
  create: async () => {
    emu.listPageSize = 7;
    return dropboxRemote(emu, { config: { path: `/Photos ${++folders}` } });
  },
});

const SESSION_ROUTES = ['files/upload_session/start', 'files/upload_session/append_v2'];

/** Body bytes Dropbox received for the session routes since request number `from`. */
function sessionBytes(from: number): number {
  return emu.requests.slice(from).filter((r) => SESSION_ROUTES.includes(r.route)).reduce((n, r) => n + r.bytes, 0);
}

function fresh(options: Parameters<typeof dropboxRemote>[1] = {}): ReturnType<typeof dropboxRemote> {
  return dropboxRemote(emu, { ...options, config: { path: `/Photos ${++folders}`, ...options.config } });
}

async function failure(promise: Promise<unknown>): Promise<RemoteError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe('remote: dropbox', { tags: ['slow'] }, () => {
  it('sends a large file as start, appends (the last one closing) and one commit, each with its own content_hash', async () => {
    const remote = fresh();
    const data = patterned(3 * MiB + 5);
    const from = emu.requests.length;
    const entry = await remote.create('big.mov', bodyFrom(data, remote).body);
    const routes = emu.requests.slice(from).map((r) => r.route);
    expect(routes).toEqual([
      'files/upload_session/start',
      'files/upload_session/append_v2',
      'files/upload_session/append_v2',
      'files/upload_session/append_v2',
      'files/upload_session/finish',
    ]);
    const args = emu.requests.slice(from).map((r) => r.arg as Record<string, unknown>);
    expect(args.map((a) => a['close'] ?? null)).toEqual([false, false, false, true, null]);
    expect(args.slice(0, 4).every((a) => typeof a['content_hash'] === 'string')).toBe(true);
    expect(args[4]).toMatchObject({ commit: { mode: { '.tag': 'add' }, autorename: false, strict_conflict: true } });
    expect(sessionBytes(from)).toBe(data.length);
    expect(entry.hashes.dropbox).toBe(contentHash(data));
  });

  /**
   * A 4 MiB + 100 upload whose third request (the second append) meets `fault`; the first remote
   * instance fails, and a second one, sharing only the ResumeSlot, finishes the upload.
   */
  async function interruptThenResume(fault: 'drop-request' | 'drop-response', seed: number) {
    const slot = memoryResumeSlot();
    const config = { path: `/Photos ${++folders}` };
    const data = patterned(4 * MiB + 100, seed);
    const from = emu.requests.length;
    emu.inject({ kind: fault }, { route: 'files/upload_session/append_v2', skip: 1 });
    const first = dropboxRemote(emu, { config });
    expect((await failure(first.create('a.mov', bodyFrom(data, first).body, { resume: slot }))).failure).toBe('retryable');
    expect(JSON.parse(slot.value!)).toMatchObject({ offset: 2 * MiB, closed: false });
    const second = dropboxRemote(emu, { config });
    const entry = await second.create('a.mov', bodyFrom(data, second).body, { resume: slot });
    expect(entry.size).toBe(data.length);
    expect(sha256(await readAll(second, 'a.mov'))).toBe(sha256(data));
    expect(slot.value).toBeNull();
    // Every byte crossed the wire exactly once, across both instances.
    expect(sessionBytes(from)).toBe(data.length);
    return emu.requests.slice(from);
  }

  it('resumes a session from the ResumeSlot in a new remote instance, sending nothing Dropbox already had', async () => {
    // The request breaks off while its body is on the way: Dropbox keeps nothing of it.
    const requests = await interruptThenResume('drop-request', 1);
    expect(requests.filter((r) => r.route === 'files/upload_session/start')).toHaveLength(1);
  });

  it('recovers a lost append response from correct_offset, without sending that chunk again', async () => {
    // Dropbox stores the chunk, but its answer never arrives: the client still thinks 2 MiB.
    const requests = await interruptThenResume('drop-response', 2);
    // The resumed instance asks with an empty append, and learns 3 MiB from incorrect_offset.
    expect(requests.find((r) => r.status === 409)).toMatchObject({ route: 'files/upload_session/append_v2', bytes: 0, arg: { cursor: { offset: 2 * MiB } } });
  });

  it('stops a session upload when aborted, and a later attempt goes on from where it stopped', async () => {
    const remote = fresh();
    const data = patterned(4 * MiB, 4);
    const slot = memoryResumeSlot();
    const abort = new AbortController();
    const stopped = remote.create('abort.mov', bodyFrom(data, remote).body, {
      resume: slot,
      signal: abort.signal,
      onProgress: (sent) => {
        if (sent >= 2 * MiB) abort.abort(new Error('user pressed Ctrl-C twice'));
      },
    });
    await expect(stopped).rejects.toThrow(/Ctrl-C/);
    expect(JSON.parse(slot.value!)).toMatchObject({ offset: 2 * MiB });
    const from = emu.requests.length;
    await remote.create('abort.mov', bodyFrom(data, remote).body, { resume: slot });
    expect(sessionBytes(from)).toBe(2 * MiB);
    expect(sha256(await readAll(remote, 'abort.mov'))).toBe(sha256(data));
  });

  it('only commits after the answer to the closing append was lost', async () => {
    const remote = fresh();
    const data = patterned(3 * MiB, 3);
    const slot = memoryResumeSlot();
    // A closing append whose answer is lost: the retry meets a closed session and only commits.
    emu.inject({ kind: 'drop-response' }, { route: 'files/upload_session/append_v2', skip: 1 });
    await failure(remote.create('c.mov', bodyFrom(data, remote).body, { resume: slot }));
    const from = emu.requests.length;
    await remote.create('c.mov', bodyFrom(data, remote).body, { resume: slot });
    expect(sessionBytes(from)).toBe(0);
    expect(sha256(await readAll(remote, 'c.mov'))).toBe(sha256(data));
  });

  it('commits concurrent uploads together with finish_batch_v2, and gives each caller its own outcome', async () => {
    const remote = fresh({ config: { transfers: 6 }, remote: { batch: { delayMs: 2000 } } });
    emu.ns.put(`/Photos ${folders}/taken/5.mov`, Buffer.from('someone else'));
    const from = emu.requests.length;
    const files = Array.from({ length: 6 }, (_, i) => patterned(MiB + 1000 * (i + 1), 10 + i));
    const results = await Promise.allSettled(files.map((data, i) => remote.create(`${i === 5 ? 'taken' : 'batch'}/${i}.mov`, bodyFrom(data, remote).body)));
    const batches = emu.calls('files/upload_session/finish_batch_v2').filter((r) => emu.requests.indexOf(r) >= from);
    expect(batches).toHaveLength(1);
    expect((batches[0]!.arg as { entries: unknown[] }).entries).toHaveLength(6);
    expect(emu.requests.slice(from).filter((r) => r.route === 'files/upload_session/finish')).toEqual([]);
    for (const [i, result] of results.entries()) {
      if (i === 5) expect(result.status === 'rejected' && result.reason).toBeInstanceOf(AlreadyExistsError);
      else expect(result.status).toBe('fulfilled');
    }
    for (let i = 0; i < 5; i++) expect(sha256(await readAll(remote, `batch/${i}.mov`))).toBe(sha256(files[i]!));
    expect((await readAll(remote, 'taken/5.mov')).toString()).toBe('someone else');
  });

  it('reports lock contention in a batch as throttled, and a retry only commits', async () => {
    const remote = fresh({ config: { transfers: 2 }, remote: { batch: { delayMs: 2000 } } });
    const files = [patterned(MiB + 1, 20), patterned(MiB + 2, 21)];
    emu.inject({ kind: 'write-contention' }, { route: 'files/upload_session/finish_batch_v2' });
    const bodies = files.map((data) => bodyFrom(data, remote).body);
    const first = await Promise.allSettled(bodies.map((body, i) => remote.create(`w/${i}.jpg`, body)));
    for (const result of first) expect(result.status === 'rejected' && (result.reason as RemoteError).failure).toBe('throttled');
    const from = emu.requests.length;
    await Promise.all(bodies.map((body, i) => remote.create(`w/${i}.jpg`, body)));
    // No ResumeSlot from the executor: the remote kept the closed sessions for this process.
    expect(sessionBytes(from)).toBe(0);
    expect(emu.requests.slice(from).map((r) => r.route)).toEqual(['files/upload_session/finish_batch_v2']);
  });

  it('reports identical content at the path as already there (strict_conflict), small or large', async () => {
    const remote = fresh();
    for (const data of [Buffer.from('same bytes'), patterned(2 * MiB, 30)]) {
      const name = `same-${data.length}.jpg`;
      await remote.create(name, bodyFrom(data, remote).body);
      const err = await failure(remote.create(name, bodyFrom(data, remote).body));
      expect(err).toBeInstanceOf(AlreadyExistsError);
    }
    const upload = emu.calls('files/upload').at(-1)!.arg as Record<string, unknown>;
    expect(upload).toMatchObject({ mode: { '.tag': 'add' }, autorename: false, strict_conflict: true });
    expect(upload['content_hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refreshes an expired access token once and goes on, storing the new token', async () => {
    const store = signedIn(emu);
    const remote = fresh({ store });
    const before = emu.calls('oauth2/token').length;
    emu.expireAccessTokens();
    await remote.create('after-expiry.jpg', bodyFrom(Buffer.from('x'), remote).body);
    expect(emu.calls('oauth2/token').length - before).toBe(1);
    expect(emu.calls('files/upload').slice(-2).map((r) => r.status)).toEqual([401, 200]);
    expect((await readGrant(store, 'dbx'))?.accessToken).toMatch(/^sl\./);
    await remote.stat('after-expiry.jpg');
    expect(emu.calls('oauth2/token').length - before).toBe(1);
  });

  it('fails with an AuthError naming the login command when the grant was revoked', async () => {
    const store = signedIn(emu, 'dbx', { refreshToken: 'rt-revoked', expiresAt: 0 });
    const remote = fresh({ store });
    const err = await remote.stat('x.jpg').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).message).toMatch(/expired or was revoked/);
    expect((err as AuthError).hint).toContain('photosync auth login dbx');
  });

  it('gives up with an auth failure when a fresh token is refused too', async () => {
    const remote = fresh();
    emu.inject({ kind: 'expired-token' }, { route: 'files/get_metadata', count: 2 });
    const err = await failure(remote.stat('x.jpg'));
    expect(err.failure).toBe('auth');
    expect(err.hint).toContain('photosync auth login dbx');
  });

  it('surfaces 429 as throttled with Retry-After, whether the body is JSON or text', async () => {
    const remote = fresh();
    emu.inject({ kind: 'rate-limit', retryAfterSeconds: 3, body: 'json', reason: 'too_many_write_operations' }, { route: 'files/upload' });
    const json = await failure(remote.create('r.jpg', bodyFrom(Buffer.from('r'), remote).body));
    expect([json.failure, json.retryAfterMs]).toEqual(['throttled', 3000]);
    expect(json.message).toContain('too_many_write_operations');
    emu.inject({ kind: 'rate-limit', retryAfterSeconds: 7, body: 'text' }, { route: 'files/get_metadata' });
    const text = await failure(remote.stat('r.jpg'));
    expect([text.failure, text.retryAfterMs]).toEqual(['throttled', 7000]);
  });

  it('classifies 500 and dropped connections as retryable', async () => {
    const remote = fresh();
    emu.inject({ kind: 'server-error' }, { route: 'files/upload' });
    expect((await failure(remote.create('s.jpg', bodyFrom(Buffer.from('s'), remote).body))).failure).toBe('retryable');
    emu.inject({ kind: 'drop-request' }, { route: 'files/upload' });
    expect((await failure(remote.create('s.jpg', bodyFrom(Buffer.from('s'), remote).body))).failure).toBe('retryable');
    expect(await remote.stat('s.jpg')).toBeNull();
  });

  it('follows changes from a list cursor: new files, deletions, and a full relisting after reset', async () => {
    const remote = fresh();
    const base = `/Photos ${folders}`;
    await remote.create('2024/a.jpg', bodyFrom(Buffer.from('a'), remote).body);
    await remote.create('2024/b.jpg', bodyFrom(Buffer.from('b'), remote).body);
    const start = await remote.listChanges(null);
    expect(start.entries.map((e) => e.path).sort()).toEqual(['2024/a.jpg', '2024/b.jpg']);

    emu.ns.put(`${base}/2024/C.JPG`, Buffer.from('c'));
    emu.ns.remove(`${base}/2024/a.jpg`);
    emu.ns.put(`/elsewhere/x.jpg`, Buffer.from('x'));
    const changes = await remote.listChanges(start.cursor);
    expect(changes.entries.map((e) => e.path)).toEqual(['2024/C.JPG']);
    expect(changes.removed).toEqual(['2024/a.jpg']);

    const quiet = await remote.listChanges(changes.cursor);
    expect([quiet.entries, quiet.removed]).toEqual([[], []]);

    emu.ns.resetCursors();
    const relisted = await remote.listChanges(quiet.cursor);
    expect(relisted.entries.map((e) => e.path).sort()).toEqual(['2024/C.JPG', '2024/b.jpg']);
  });

  it('lists the root as "" and keeps the case Dropbox displays', async () => {
    const root = dropboxRemote(emu, { config: { path: '/' } });
    emu.ns.put('/Root Test/IMG_1.JPG', Buffer.from('r'));
    const listed: string[] = [];
    for await (const entry of root.list()) listed.push(entry.path);
    expect(listed).toContain('Root Test/IMG_1.JPG');
    expect(emu.calls('files/list_folder').at(-1)!.arg).toMatchObject({ path: '', recursive: true });
    // The folder spelt in another case in the config still yields the files' own case.
    const lower = dropboxRemote(emu, { config: { path: '/root test' } });
    const paths: string[] = [];
    for await (const entry of lower.list()) paths.push(entry.path);
    expect(paths).toEqual(['IMG_1.JPG']);
  });

  it('refuses to treat a vanished folder as empty once photosync has written there', async () => {
    const remote = fresh({ remote: { mayCreateRoot: false } });
    const err = await failure((async () => {
      for await (const _ of remote.list()) void _;
    })());
    expect(err.failure).toBe('unavailable');
  });

  it('does not recreate a vanished folder on upload either (Dropbox would make it silently)', async () => {
    const first = fresh();
    const base = `/Photos ${folders}`;
    await first.create('2024/a.jpg', bodyFrom(Buffer.from('a'), first).body);
    emu.ns.remove(base); // moved away by the user
    const later = dropboxRemote(emu, { config: { path: base }, remote: { mayCreateRoot: false } });
    const err = await failure(later.create('2024/b.jpg', bodyFrom(Buffer.from('b'), later).body));
    expect(err.failure).toBe('unavailable');
    expect(err.message).toContain('was it moved or renamed?');
    expect(emu.ns.items.has(base.toLowerCase())).toBe(false);
  });

  it('reports quota for individual and team accounts', async () => {
    const remote = fresh();
    emu.ns.allocated = emu.ns.used + 5000;
    expect(await remote.quota()).toEqual({ usedBytes: emu.ns.used, freeBytes: 5000 });
    emu.ns.team = { allocated: 10 * MiB ** 2, used: 10 * MiB ** 2 - 7000, userLimit: 0 };
    expect((await remote.quota()).freeBytes).toBe(7000);
    emu.ns.team = { allocated: 10 * MiB ** 2, used: 0, userLimit: emu.ns.used + 300 };
    expect((await remote.quota()).freeBytes).toBe(300);
    emu.ns.team = null;
    emu.ns.allocated = 2 * 1024 ** 4;
  });

  it('reports a full Dropbox as no-space', async () => {
    const remote = fresh();
    emu.ns.allocated = emu.ns.used + 10;
    try {
      expect((await failure(remote.create('big.jpg', bodyFrom(Buffer.alloc(100), remote).body))).failure).toBe('no-space');
    } finally {
      emu.ns.allocated = 2 * 1024 ** 4;
    }
  });

  it('is created from the registry with its grant from the secret store', async () => {
    const store = signedIn(emu, 'reg');
    const remote: Remote = await createRemote(dropboxConfig(emu, { name: 'reg', path: `/Photos ${++folders}` }), {
      firstUse: true,
      env: {},
      secrets: () => store,
     
    });
    expect([remote.type, remote.identity, remote.hashes]).toEqual(['dropbox', `dropbox:reg:${emu.clientId}:/Photos ${folders}`, ['dropbox']]);
    await remote.create('r.jpg', bodyFrom(Buffer.from('via registry'), remote).body);
    expect((await readAll(remote, 'r.jpg')).toString()).toBe('via registry');
    const unsigned = await createRemote(dropboxConfig(emu, { name: 'nobody' }), { firstUse: true, env: {}, secrets: () => memoryStore() });
    await expect(unsigned.stat('x.jpg')).rejects.toThrow(/not signed in/);
  });
});
