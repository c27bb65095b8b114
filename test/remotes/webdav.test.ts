/**
 * The WebDAV remote against two real servers: Apache httpd with mod_dav_fs (honours If-None-Match
 * on PUT, refuses Depth: infinity as stock installs do) and the npm webdav-server (ignores
 * If-None-Match, so uploads take the temporary-name + MOVE path; serves Depth: infinity when
 * allowed). Assertions are on what the servers logged and what landed on their disks.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/auth/secret-store.ts';
import { AlreadyExistsError, isRemoteError } from '../../src/remotes/errors.ts';
import { createRemote } from '../../src/remotes/registry.ts';
import { bodyFrom, readAll, runRemoteContract } from '../contract/remote-contract.ts';
import { sha256 } from '../helpers/hash.ts';
import { startApache, type ApacheServer } from '../helpers/servers/apache.ts';
import { resettingProxy } from '../helpers/servers/resetting-proxy.ts';
import { useServer } from '../helpers/servers/use-server.ts';
import { startWebdavServer, type WebdavServer } from '../helpers/servers/webdav-server.ts';
import { countBy, eventually, filesOnDisk, remoteOn, webdavConfig } from '../helpers/webdav.ts';

const MULTI_CHUNK = 3 * 1024 * 1024 + 11;

async function listPaths(remote: { list(): AsyncIterable<{ path: string }> }): Promise<string[]> {
  const out: string[] = [];
  for await (const e of remote.list()) out.push(e.path);
  return out.sort();
}

/** Writes files straight into the server's folder, as another client would have left them. */
function plant(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
}

describe('webdav remote on Apache httpd', { tags: ['slow'] }, () => {
  const apache = useServer<ApacheServer>('Apache', () => startApache(), true);
  const since = async (mark: number) => (await apache().requests()).slice(mark);

  runRemoteContract({
    name: 'webdav on Apache (If-None-Match, Depth 1 listing, readback)',
    create: async () => remoteOn(apache()).remote,
    multiChunkBytes: MULTI_CHUNK,
    listingFiles: 60,
    tags: ['slow'],
  });

  it('uploads a small file with one PUT, and makes each new folder with one MKCOL', async () => {
    const first = remoteOn(apache(), { verify: 'size' });
    await first.remote.create('2024/seed.jpg', bodyFrom(Buffer.from('seed'), first.remote).body);

    // The next run: the share and 2024/ exist; four new month folders, five photos each, four at a time.
    const mark = (await apache().requests()).length;
    const { remote, disk } = remoteOn(apache(), { folder: first.folder, verify: 'size', mayCreateRoot: false });
    const files = Array.from({ length: 20 }, (_, i) => `2024/0${(i % 4) + 1}/IMG_${1000 + i}.JPG`);
    await Promise.all(files.map((f) => remote.create(f, bodyFrom(Buffer.from(`photo ${f}`), remote).body)));

    const log = await since(mark);
    // Once per run: the If-None-Match probe (PUT, PUT → 412, DELETE of the probe's own name).
    expect(countBy(log, (r) => `${r.method} ${r.status}`)).toEqual({ 'PUT 201': 21, 'PUT 412': 1, 'DELETE 204': 1, 'MKCOL 201': 4 });
    expect(log.filter((r) => r.method === 'MKCOL').map((r) => r.target).sort()).toEqual(
      ['01', '02', '03', '04'].map((m) => `/dav/${first.folder}/2024/${m}/`),
    );
    // Kept-alive connections: most requests are not the first on theirs.
    expect(log.filter((r) => r.keepAlive > 0).length).toBeGreaterThan(log.length / 2);
    for (const f of files) expect(readFileSync(path.join(disk, f), 'utf8')).toBe(`photo ${f}`);

    // A run that only adds to existing folders: one MKCOL per folder (405: already there), then PUTs.
    const mark2 = (await apache().requests()).length;
    const third = remoteOn(apache(), { folder: first.folder, verify: 'size', mayCreateRoot: false });
    for (const f of ['2024/01/late-1.jpg', '2024/01/late-2.jpg']) await third.remote.create(f, bodyFrom(Buffer.from(f), third.remote).body);
    expect(countBy(await since(mark2), (r) => `${r.method} ${r.status}`)).toEqual({ 'MKCOL 405': 1, 'PUT 201': 3, 'PUT 412': 1, 'DELETE 204': 1 });
  });

  it('makes no request until it is used (a run with nothing to do costs nothing)', async () => {
    const mark = (await apache().requests()).length;
    const { remote } = remoteOn(apache());
    await remote.close();
    expect(await since(mark)).toEqual([]);
  });

  it('verify: readback reads each upload back (PUT + GET) and reports the SHA-256 it read', async () => {
    const { remote } = remoteOn(apache());
    await remote.create('a/warm-up.jpg', bodyFrom(Buffer.from('warm'), remote).body);
    const mark = (await apache().requests()).length;
    const data = Buffer.from('readback me');
    const entry = await remote.create('a/b.jpg', bodyFrom(data, remote).body);
    expect(entry).toEqual({ path: 'a/b.jpg', size: data.length, hashes: { sha256: sha256(data) } });
    // Apache logs a request when it is done with it, so lines need not come in the order sent.
    expect(countBy(await since(mark), (r) => `${r.method} ${r.status}`)).toEqual({ 'PUT 201': 1, 'GET 200': 1 });
  });

  it('refuses to create over an existing file with If-None-Match, also for a large body, and keeps the old bytes', async () => {
    const { remote, disk } = remoteOn(apache());
    const old = Buffer.alloc(MULTI_CHUNK, 3);
    await remote.create('x/big.mov', bodyFrom(old, remote).body);
    const mark = (await apache().requests()).length;
    await expect(remote.create('x/big.mov', bodyFrom(Buffer.alloc(MULTI_CHUNK, 4), remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await since(mark)).map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 412']);
    expect(sha256(readFileSync(path.join(disk, 'x/big.mov')))).toBe(sha256(old));
  });

  it('an upload whose source changed mid-way leaves nothing at its name and no temporary file (the PUT is aborted)', async () => {
    const { remote, disk } = remoteOn(apache());
    await remote.create('x/other.jpg', bodyFrom(Buffer.from('other'), remote).body);
    const { body } = bodyFrom(Buffer.alloc(MULTI_CHUNK, 2), remote, Buffer.alloc(MULTI_CHUNK, 1));
    let sent = 0;
    await expect(remote.create('x/changed.mov', body, { onProgress: (n) => (sent = n) })).rejects.toThrow(/changed since it was scanned/);
    // Some bytes went out before the source's last chunk failed its hash.
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(MULTI_CHUNK);
    // Apache (mod_dav_fs) wrote them to its own temporary file, removed once it sees the connection drop.
    await eventually(() => expect(filesOnDisk(disk)).toEqual(['x/other.jpg']));
    expect((await apache().requests()).some((r) => r.method === 'PUT' && r.target.endsWith('/x/changed.mov'))).toBe(true);
  });

  it('falls back to Depth 1 when Depth: infinity is refused (403), and still lists every file', async () => {
    const { remote, disk } = remoteOn(apache());
    const want: Record<string, string> = {};
    for (let i = 0; i < 360; i++) want[`${2020 + (i % 3)}/${String((Math.floor(i / 3) % 12) + 1).padStart(2, '0')}/IMG_${i}.JPG`] = `p${i}`;
    want['deep/a/b/c/d/e.jpg'] = 'deep';
    plant(disk, { ...want, '2020/01/.photosync-4242-abcdef.partial': 'half', 'only-folder/.hidden.jpg': '' });
    const expected = [...Object.keys(want), 'only-folder/.hidden.jpg'].sort();

    const mark = (await apache().requests()).length;
    expect(await listPaths(remote)).toEqual(expected);
    const log = await since(mark);
    const folders = 1 + 3 + 3 * 12 + 5 + 1;
    expect(countBy(log, (r) => `${r.method} ${r.depth} ${r.status}`)).toEqual({ 'PROPFIND infinity 403': 1, 'PROPFIND 1 207': folders });

    // The refusal is remembered for the rest of the run.
    const mark2 = (await apache().requests()).length;
    expect((await listPaths(remote)).length).toBe(expected.length);
    expect((await since(mark2)).some((r) => r.depth === 'infinity')).toBe(false);
  });

  it('skips listed names that decode to unsafe paths instead of failing', async () => {
    const { remote, disk } = remoteOn(apache());
    plant(disk, { 'ok.jpg': 'ok', 'bell\u0007.jpg': 'x', 'sub/tab\there.jpg': 'y', 'sub/fine.jpg': 'z' });
    expect(await listPaths(remote)).toEqual(['ok.jpg', 'sub/fine.jpg']);
  });

  it('a wrong password is an auth failure that says how to fix it', async () => {
    const { remote } = remoteOn(apache(), { password: 'wrong' });
    const err = await remote.create('a.jpg', bodyFrom(Buffer.from('x'), remote).body).catch((e: unknown) => e);
    expect(isRemoteError(err, 'auth')).toBe(true);
    expect(err).toMatchObject({ status: 401, hint: 'test hint' });
    await expect(listPaths(remote)).rejects.toMatchObject({ failure: 'auth' });
  });

  it('without any password, the first 401 names both ways to give one', async () => {
    const config = webdavConfig(`${apache().url}/no-password`, { passwordEnv: 'NAS_PASSWORD' });
    const context = { firstUse: true, env: {}, secrets: () => memoryStore() };
    const remote = await createRemote(config, context);
    const err = await remote.stat('a.jpg').catch((e: unknown) => e);
    expect(isRemoteError(err, 'auth')).toBe(true);
    expect((err as Error).message).toMatch(/asks for a login, and photosync has no password for it/);
    expect((err as { hint: string }).hint).toMatch(/NAS_PASSWORD is not set.*photosync auth set nas/);
    await remote.close?.();

    // And with the password in that variable, the same remote works.
    const withEnv = await createRemote(config, { ...context, env: { NAS_PASSWORD: apache().password } });
    expect(await withEnv.stat('a.jpg')).toBeNull();
    await withEnv.close?.();
  });

  it('a missing share folder is an error once photosync has recorded files there, and nothing is created', async () => {
    const { remote, disk } = remoteOn(apache(), { mayCreateRoot: false });
    await expect(listPaths(remote)).rejects.toMatchObject({ failure: 'unavailable' });
    await expect(remote.create('2024/a.jpg', bodyFrom(Buffer.from('x'), remote).body)).rejects.toMatchObject({ failure: 'unavailable' });
    await expect(remote.create('a.jpg', bodyFrom(Buffer.from('x'), remote).body)).rejects.toMatchObject({ failure: 'unavailable' });
    expect(filesOnDisk(disk)).toEqual([]);
  });

  it('reports no quota: mod_dav_fs has no RFC 4331 properties', async () => {
    const { remote } = remoteOn(apache());
    await remote.create('a.jpg', bodyFrom(Buffer.from('x'), remote).body);
    expect(await remote.quota()).toEqual({ usedBytes: null, freeBytes: null });
  });
});

describe('webdav remote on webdav-server (npm)', { tags: ['slow'] }, () => {
  const server = useServer<WebdavServer>('webdav-server', () => startWebdavServer({ maxRequestDepth: -1, quotaBytes: 64 * 1024 * 1024 }), false);
  const since = (mark: number) => server().requests.slice(mark);

  runRemoteContract({
    name: 'webdav on webdav-server (temporary name + MOVE, Depth infinity, size)',
    create: async () => remoteOn(server(), { verify: 'size' }).remote,
    multiChunkBytes: MULTI_CHUNK,
    listingFiles: 60,
    tags: ['slow'],
  });

  it('ignores If-None-Match, so files go to a temporary name and MOVE with Overwrite: F; a taken name keeps its bytes', async () => {
    const { remote, disk } = remoteOn(server(), { verify: 'size' });
    await remote.create('a/IMG_1.JPG', bodyFrom(Buffer.from('original'), remote).body);
    const mark = server().requests.length;
    await expect(remote.create('a/IMG_1.JPG', bodyFrom(Buffer.from('replacement!'), remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(since(mark).map((r) => r.method)).toEqual(['PUT', 'MOVE', 'DELETE']);
    expect(since(mark)[0]?.path).toMatch(/\/a\/\.photosync-\d+-[0-9a-f]+\.partial$/);
    expect(readFileSync(path.join(disk, 'a/IMG_1.JPG'), 'utf8')).toBe('original');
    expect(filesOnDisk(disk)).toEqual(['a/IMG_1.JPG']);
    expect((await readAll(remote, 'a/IMG_1.JPG')).toString()).toBe('original');
  });

  it('an upload that fails half way leaves nothing at its name, and its temporary file is removed', async () => {
    const { remote, disk } = remoteOn(server());
    await remote.create('x/other.jpg', bodyFrom(Buffer.from('other'), remote).body);
    const { body } = bodyFrom(Buffer.alloc(MULTI_CHUNK, 2), remote, Buffer.alloc(MULTI_CHUNK, 1));
    const mark = server().requests.length;
    await expect(remote.create('x/changed.mov', body)).rejects.toThrow(/changed since it was scanned/);
    // webdav-server writes a PUT straight into its target: the temporary file was there, and went.
    expect(since(mark).map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 201', 'DELETE 200']);
    expect(filesOnDisk(disk)).toEqual(['x/other.jpg']);
    expect(await remote.stat('x/changed.mov')).toBeNull();
  });

  it('lists with one Depth: infinity PROPFIND where the server allows it', async () => {
    const { remote, disk } = remoteOn(server());
    plant(disk, { 'a/1.jpg': '1', 'a/b/2.jpg': '22', 'c/d/e/3.jpg': '333', 'a/.photosync-1-ab.partial': 'x' });
    const mark = server().requests.length;
    const entries = [];
    for await (const e of remote.list()) entries.push(e);
    expect(entries.map((e) => [e.path, e.size]).sort()).toEqual([
      ['a/1.jpg', 1],
      ['a/b/2.jpg', 2],
      ['c/d/e/3.jpg', 3],
    ]);
    expect(since(mark).map((r) => `${r.method} ${r.depth}`)).toEqual(['PROPFIND infinity']);
  });

  it('makes each new folder with one MKCOL, even when uploads race for it', async () => {
    const { remote } = remoteOn(server(), { verify: 'size' });
    await remote.create('seed.jpg', bodyFrom(Buffer.from('seed'), remote).body);
    const mark = server().requests.length;
    const files = Array.from({ length: 12 }, (_, i) => `2024/0${(i % 3) + 1}/f${i}.jpg`);
    await Promise.all(files.map((f) => remote.create(f, bodyFrom(Buffer.from(f), remote).body)));
    const mkcols = since(mark).filter((r) => r.method === 'MKCOL');
    // 2024/01 → 409 (2024 missing), 2024 → 201, 2024/01 → 201; its siblings wait for that, then → 201.
    expect(countBy(mkcols, (r) => `${r.path.split('/').slice(3).join('/')} ${r.status}`)).toEqual({
      '2024/01 409': 1,
      '2024 201': 1,
      '2024/01 201': 1,
      '2024/02 201': 1,
      '2024/03 201': 1,
    });
    expect(countBy(since(mark), (r) => r.method)).toEqual({ MKCOL: 5, PUT: 12, MOVE: 12 });
  });

  it('sends a request again when its connection breaks before the answer, once', async () => {
    const target = new URL(server().url);
    const proxy = await resettingProxy(Number(target.port), 1);
    try {
      const { remote } = remoteOn({ ...server(), url: `${proxy.url}${target.pathname}` });
      expect(await remote.stat('nope.jpg')).toBeNull();
      expect(proxy.connections()).toBe(2);
      proxy.reset(2);
      await expect(remote.stat('nope.jpg')).rejects.toMatchObject({ failure: 'retryable', message: expect.stringMatching(/ECONNRESET|socket/i) });
    } finally {
      await proxy.close();
    }
  });

  it('reads the quota, and a full quota is no-space', async () => {
    const small = await startWebdavServer({ quotaBytes: 4096 });
    try {
      const { remote } = remoteOn(small);
      await remote.create('a.jpg', bodyFrom(Buffer.alloc(1000, 1), remote).body);
      const quota = await remote.quota();
      expect(quota.usedBytes).toBeGreaterThanOrEqual(1000);
      expect(quota.freeBytes).toBe(4096 - quota.usedBytes!);
      const err = await remote.create('b.jpg', bodyFrom(Buffer.alloc(8000, 2), remote).body).catch((e: unknown) => e);
      expect(isRemoteError(err, 'no-space')).toBe(true);
      expect(await listPaths(remote)).toEqual(['a.jpg']);
    } finally {
      await small.stop();
    }
  });
});

describe('webdav remote on a server that answers Depth: infinity with 412 (ownCloud-style)', { tags: ['slow'] }, () => {
  const server = useServer<WebdavServer>('webdav-server', () => startWebdavServer({ maxRequestDepth: -1, refuseInfinityWith412: true }), false);

  it('falls back to Depth 1 and lists every file', async () => {
    const { remote, disk } = remoteOn(server());
    const want: Record<string, string> = {};
    for (let i = 0; i < 240; i++) want[`f${i % 8}/g${i % 5}/IMG_${i}.JPG`] = `p${i}`;
    plant(disk, want);
    const mark = server().requests.length;
    expect(await listPaths(remote)).toEqual(Object.keys(want).sort());
    const log = server().requests.slice(mark);
    expect(log[0]?.depth).toBe('infinity');
    expect(log.slice(1).every((r) => r.method === 'PROPFIND' && r.depth === '1')).toBe(true);
    expect(log.length).toBe(1 + 1 + 8 + 8 * 5);
  });
});
