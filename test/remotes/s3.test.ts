import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AlreadyExistsError, RemoteError, isRemoteError } from '../../src/remotes/errors.ts';
import { bodyFrom, readAll, runRemoteContract } from '../contract/remote-contract.ts';
import { sha256 } from '../helpers/hash.ts';
import { patterned } from '../helpers/remote-fixtures.ts';
import { MiB, openUploads, requestsOf, s3Config, s3Remote } from '../helpers/s3.ts';
import { S3RVER_KEYS, s3rverForFile } from '../helpers/servers/s3rver.ts';
import { tmpdir } from '../helpers/tmp.ts';

// s3rver as it is (If-None-Match and checksums ignored), and with S3's conditional writes and checksum checks.
const plain = await s3rverForFile();
const strict = await s3rverForFile({ conditionalWrites: true, checksums: true });

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

describe.skipIf(!plain || !strict)('remote: s3', { tags: ['slow'] }, () => {
  const multiChunkBytes = 11 * MiB; // 5 MiB + 5 MiB + 1 MiB parts
  runRemoteContract({ name: 's3 on s3rver (HEAD before write)', create: async () => s3Remote(s3Config(plain!)), multiChunkBytes, listingFiles: 30 });
  runRemoteContract({ name: 's3 on s3rver with S3 conditional writes and checksums', create: async () => s3Remote(s3Config(strict!)), multiChunkBytes, listingFiles: 30 });

  describe('create over an existing key', () => {
    it('is refused by If-None-Match where the store honours it, with the old bytes intact', async () => {
      for (const conditionalWrites of [null, true]) {
        const remote = s3Remote(s3Config(strict!, { conditionalWrites }));
        await remote.create('a/IMG_1.JPG', bodyFrom(Buffer.from('original'), remote).body);
        const since = strict!.requests.length;
        await expect(remote.create('a/IMG_1.JPG', bodyFrom(Buffer.from('replacement'), remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
        // No HEAD: the conditional PUT itself was refused.
        expect(requestsOf(strict!, 'HeadObject', since)).toEqual([]);
        const puts = requestsOf(strict!, 'PutObject', since);
        expect(puts.map((r) => r.headers['if-none-match'])).toEqual(['*']);
        expect((await readAll(remote, 'a/IMG_1.JPG')).toString()).toBe('original');
      }
    });

    it('is refused by a HEAD where the store ignores If-None-Match, before any bytes are sent', async () => {
      for (const conditionalWrites of [null, false]) {
        const remote = s3Remote(s3Config(plain!, { conditionalWrites }));
        await remote.create('a/IMG_1.JPG', bodyFrom(Buffer.from('original'), remote).body);
        const big = patterned(6 * MiB);
        await remote.create('a/big.mov', bodyFrom(big, remote).body);
        const since = plain!.requests.length;
        await expect(remote.create('a/IMG_1.JPG', bodyFrom(Buffer.from('replacement'), remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
        await expect(remote.create('a/big.mov', bodyFrom(patterned(6 * MiB, 1), remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
        expect(requestsOf(plain!, 'PutObject', since)).toEqual([]);
        expect(requestsOf(plain!, 'CreateMultipartUpload', since)).toEqual([]);
        expect((await readAll(remote, 'a/IMG_1.JPG')).toString()).toBe('original');
        expect(sha256(await readAll(remote, 'a/big.mov'))).toBe(sha256(big));
      }
    });

    it('finds out once per remote whether the store honours If-None-Match, and lists none of its probe', async () => {
      for (const [server, honours] of [[strict!, true], [plain!, false]] as const) {
        const config = s3Config(server);
        const remote = s3Remote(config);
        const since = server.requests.length;
        for (const name of ['1.jpg', '2.jpg', '3.jpg']) await remote.create(name, bodyFrom(Buffer.from(name), remote).body);
        const probes = requestsOf(server, 'PutObject', since).filter((r) => r.key.includes('.photosync/'));
        expect(probes.length).toBe(2);
        expect(requestsOf(server, 'HeadObject', since).length).toBe(honours ? 0 : 3);
        const listed: string[] = [];
        for await (const e of remote.list()) listed.push(e.path);
        expect(listed.sort()).toEqual(['1.jpg', '2.jpg', '3.jpg']);
        // A later run on the same prefix learns it from the probe already there (one request).
        const again = s3Remote(config);
        const before = server.requests.length;
        await again.create('4.jpg', bodyFrom(Buffer.from('4'), again).body);
        expect(requestsOf(server, 'PutObject', before).filter((r) => r.key.includes('.photosync/')).length).toBe(honours ? 1 : 2);
      }
    });

    it('maps a 412 at CompleteMultipartUpload to AlreadyExistsError and aborts its upload', async () => {
      const config = s3Config(strict!, { conditionalWrites: true });
      const remote = s3Remote(config);
      strict!.faults.push({ op: 'CompleteMultipartUpload', status: 412, code: 'PreconditionFailed' });
      await expect(remote.create('race.mov', bodyFrom(patterned(7 * MiB), remote).body)).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await remote.stat('race.mov')).toBeNull();
      expect(await openUploads(strict!, config.prefix)).toEqual([]);
    });

    it('refuses photosync’s own reserved names', async () => {
      const remote = s3Remote(s3Config(plain!));
      await expect(remote.create('.photosync/conditional-write-probe', bodyFrom(Buffer.from('x'), remote).body)).rejects.toBeInstanceOf(RemoteError);
    });
  });

  describe('hashes', () => {
    it('reports only what the server vouches for, and the recorded SHA-256 on stat', async () => {
      const small = Buffer.from('a small photo');
      const big = patterned(11 * MiB);
      for (const server of [plain!, strict!]) {
        const remote = s3Remote(s3Config(server));
        const one = await remote.create('one.jpg', bodyFrom(small, remote).body);
        const parts = await remote.create('parts.mov', bodyFrom(big, remote).body);
        // A single PUT's ETag is its MD5; the SHA-256 only where the server echoed the checksum it checked.
        expect(one.hashes).toEqual(server === strict ? { sha256: sha256(small), md5: md5(small) } : { md5: md5(small) });
        expect(parts.hashes).toEqual(server === strict ? { sha256: sha256(big) } : {});
        expect((await remote.stat('one.jpg'))?.hashes.sha256).toBe(sha256(small));
        expect((await remote.stat('parts.mov'))?.hashes.sha256).toBe(sha256(big));
        const listed = new Map<string, Record<string, string | undefined>>();
        for await (const e of remote.list()) listed.set(e.path, { ...e.hashes });
        expect(listed.get('one.jpg')).toEqual({ md5: md5(small) });
      }
    });

    it('sends the plan’s SHA-256 with every body, and the server refuses bytes that do not match it', async () => {
      const remote = s3Remote(s3Config(strict!));
      const since = strict!.requests.length;
      await remote.create('ok.jpg', bodyFrom(Buffer.from('fine'), remote).body);
      const put = requestsOf(strict!, 'PutObject', since).find((r) => r.key.endsWith('ok.jpg'));
      expect(put?.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256(Buffer.from('fine')), 'hex').toString('base64'));
      expect(put?.headers['x-amz-meta-sha256']).toBe(sha256(Buffer.from('fine')));
      expect(put?.headers['content-encoding']).toBeUndefined();
      // A body that lies about its content (its own check passes): only S3's check stands in the way.
      const liar = { ...bodyFrom(Buffer.from('actual bytes'), remote).body, sha256: sha256(Buffer.from('other bytes!')) };
      const failure = await remote.create('liar.jpg', liar).catch((err: unknown) => err);
      expect(isRemoteError(failure, 'fatal')).toBe(true);
      expect(String(failure)).toMatch(/BadDigest/);
      // SigV4 signs the plan's SHA-256 too (not a hash of the bytes taken on the way), which AWS checks as well.
      const lie = requestsOf(strict!, 'PutObject', since).find((r) => r.key.endsWith('liar.jpg'));
      expect(lie?.headers['x-amz-content-sha256']).toBe(liar.sha256);
      expect(await remote.stat('liar.jpg')).toBeNull();
    });
  });

  it('lists every page, and passes the storage class on', async () => {
    const remote = s3Remote(s3Config(plain!, { storageClass: 'STANDARD_IA' }));
    const since = plain!.requests.length;
    for (let i = 0; i < 15; i++) await remote.create(`p/${i}.jpg`, bodyFrom(Buffer.from(`${i}`), remote).body);
    await remote.create('p/big.mov', bodyFrom(patterned(6 * MiB), remote).body);
    const listing = plain!.requests.length;
    const listed: string[] = [];
    for await (const e of remote.list()) listed.push(e.path);
    expect(listed.length).toBe(16);
    expect(requestsOf(plain!, 'ListObjects', listing).length).toBe(3); // pages of 7
    const writes = [...requestsOf(plain!, 'PutObject', since), ...requestsOf(plain!, 'CreateMultipartUpload', since)].filter((r) => !r.key.includes('.photosync/'));
    expect(writes.map((r) => r.headers['x-amz-storage-class'])).toEqual(Array(16).fill('STANDARD_IA'));
  });

  describe('credentials', () => {
    it('fails with an auth error for keys the server does not know', async () => {
      const remote = s3Remote(s3Config(plain!), { AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_SECRET_ACCESS_KEY: 'x' });
      const listing = (async () => {
        for await (const e of remote.list()) void e;
      })();
      await expect(listing).rejects.toSatisfy((err) => isRemoteError(err, 'auth') && /InvalidAccessKeyId/.test(String(err)));
      await expect(remote.create('a.jpg', bodyFrom(Buffer.from('x'), remote).body)).rejects.toSatisfy((err) => isRemoteError(err, 'auth'));
    });

    it('takes a profile from the config through the AWS shared files, not the environment', async () => {
      const dir = tmpdir();
      const credentials = path.join(dir, 'credentials');
      writeFileSync(credentials, `[backup]\naws_access_key_id = ${S3RVER_KEYS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = x\n[wrong]\naws_access_key_id = NOPE\naws_secret_access_key = x\n`);
      writeFileSync(path.join(dir, 'config'), '');
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', credentials);
      vi.stubEnv('AWS_CONFIG_FILE', path.join(dir, 'config'));
      vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
      try {
        // Keys in the environment lose to a profile, as with the AWS CLI.
        const env = { AWS_ACCESS_KEY_ID: 'NOPE', AWS_SECRET_ACCESS_KEY: 'x' };
        const good = s3Remote(s3Config(plain!, { profile: 'backup' }), env);
        await good.create('a.jpg', bodyFrom(Buffer.from('via profile'), good).body);
        expect((await readAll(good, 'a.jpg')).toString()).toBe('via profile');
        const bad = s3Remote(s3Config(plain!, { profile: 'wrong' }), { ...S3RVER_KEYS });
        await expect(bad.stat('a.jpg')).rejects.toSatisfy((err) => isRemoteError(err, 'auth'));
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });
});
