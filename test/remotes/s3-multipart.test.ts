import { describe, expect, it } from 'vitest';
import { isRemoteError } from '../../src/remotes/errors.ts';
import { bodyFrom, readAll } from '../contract/remote-contract.ts';
import { sha256 } from '../helpers/hash.ts';
import { memoryResumeSlot as memorySlot, patterned } from '../helpers/remote-fixtures.ts';
import { MiB, interruptedBody, openUploads, requestsOf, s3Config, s3Remote } from '../helpers/s3.ts';
import type { S3rverHandle } from '../helpers/servers/s3rver.ts';
import { s3rverForFile } from '../helpers/servers/s3rver.ts';

const plain = await s3rverForFile();
const strict = await s3rverForFile({ conditionalWrites: true, checksums: true });

/** 16 MiB + a bit: parts of 5, 5, 5 and 1 MiB + 123 bytes. */
const SIZE = 16 * MiB + 123;

function partNumbers(server: S3rverHandle, since: number): number[] {
  return requestsOf(server, 'UploadPart', since).map((r) => Number(r.query.partNumber));
}

describe.skipIf(!plain || !strict)('remote: s3 multipart uploads', { tags: ['slow'] }, () => {
  for (const [label, server] of [['s3rver', () => plain!], ['s3rver with checksums', () => strict!]] as const) {
    it(`resumes after a crash without sending the parts S3 holds (${label})`, async () => {
      const config = s3Config(server());
      const data = patterned(SIZE);
      const slot = memorySlot();
      const first = s3Remote(config);
      // Dies while reading part 3: parts 1 and 2 are on the server and in the slot.
      const dying = interruptedBody(bodyFrom(data, first).body, 10 * MiB + 100_000);
      await expect(first.create('v/clip.mov', dying, { resume: slot })).rejects.toThrow('simulated crash');
      expect(JSON.parse(slot.value!).parts.map((p: { n: number }) => p.n)).toEqual([1, 2]);
      expect(await openUploads(server(), config.prefix)).toEqual([`${config.prefix}v/clip.mov`]);
      expect(await first.stat('v/clip.mov')).toBeNull();

      // A new process: a new remote, the slot as the state database kept it.
      const second = s3Remote(config);
      const since = server().requests.length;
      const entry = await second.create('v/clip.mov', bodyFrom(data, second).body, { resume: slot });
      expect(partNumbers(server(), since)).toEqual([3, 4]);
      expect(requestsOf(server(), 'CreateMultipartUpload', since)).toEqual([]);
      expect(requestsOf(server(), 'ListParts', since).length).toBe(1);
      expect(entry.size).toBe(SIZE);
      expect(sha256(await readAll(second, 'v/clip.mov'))).toBe(sha256(data));
      expect(slot.value).toBeNull();
      expect(await openUploads(server(), config.prefix)).toEqual([]);
    });
  }

  it('starts again when the parts it holds are not the bytes of the source now', async () => {
    const config = s3Config(strict!);
    const data = patterned(SIZE);
    const slot = memorySlot();
    const remote = s3Remote(config);
    // The first attempt read a wrong byte in part 1, then died: part 1 on the server is wrong.
    const bad = interruptedBody(bodyFrom(data, remote).body, 10 * MiB + 100_000, 1000);
    await expect(remote.create('v/clip.mov', bad, { resume: slot })).rejects.toThrow('simulated crash');
    const failure = await remote.create('v/clip.mov', bodyFrom(data, remote).body, { resume: slot }).catch((err: unknown) => err);
    expect(isRemoteError(failure, 'retryable')).toBe(true);
    expect(slot.value).toBeNull();
    expect(await openUploads(strict!, config.prefix)).toEqual([]);
    // The executor's retry: a fresh upload of all four parts.
    const since = strict!.requests.length;
    await remote.create('v/clip.mov', bodyFrom(data, remote).body, { resume: slot });
    expect(partNumbers(strict!, since)).toEqual([1, 2, 3, 4]);
    expect(sha256(await readAll(remote, 'v/clip.mov'))).toBe(sha256(data));
  });

  it('starts a new upload when the one in the slot is gone or for other content', async () => {
    const config = s3Config(plain!);
    const remote = s3Remote(config);
    const data = patterned(SIZE);
    const slot = memorySlot();
    await expect(remote.create('a.mov', interruptedBody(bodyFrom(data, remote).body, 6 * MiB), { resume: slot })).rejects.toThrow('simulated crash');
    // The plan now has other content for that name: the old upload is ours, so it is aborted.
    const other = patterned(SIZE, 7);
    await remote.create('a.mov', bodyFrom(other, remote).body, { resume: slot });
    expect(sha256(await readAll(remote, 'a.mov'))).toBe(sha256(other));
    expect(await openUploads(plain!, config.prefix)).toEqual([]);
    // A slot naming an upload S3 no longer has.
    const stale = memorySlot(JSON.stringify({ v: 1, key: `${config.prefix}b.mov`, uploadId: 'gone', size: SIZE, sha256: sha256(data), partBytes: 5 * MiB, parts: [{ n: 1, etag: '"x"', sha256: 'x', bytes: 5 * MiB }] }));
    await remote.create('b.mov', bodyFrom(data, remote).body, { resume: stale });
    expect(sha256(await readAll(remote, 'b.mov'))).toBe(sha256(data));
    expect(stale.value).toBeNull();
  });

  it('leaves no object and no unfinished upload when the source changes or the store fails', async () => {
    const config = s3Config(strict!);
    const remote = s3Remote(config);
    const planned = patterned(SIZE);
    // Changed source, with and without a slot: the upload can never complete, so it is aborted.
    for (const slot of [undefined, memorySlot()]) {
      const { body } = bodyFrom(patterned(SIZE, 3), remote, planned);
      await expect(remote.create('x.mov', body, { resume: slot })).rejects.toThrow(/changed since it was scanned/);
      expect(slot?.value ?? null).toBeNull();
    }
    // A server error mid-upload, without a slot: nothing could resume it.
    strict!.faults.push({ op: 'UploadPart', status: 500, code: 'InternalError' });
    await expect(remote.create('x.mov', bodyFrom(planned, remote).body)).rejects.toSatisfy((err) => isRemoteError(err, 'retryable'));
    expect(await remote.stat('x.mov')).toBeNull();
    expect(await openUploads(strict!, config.prefix)).toEqual([]);
  });

  it('keeps the upload through a retryable failure when it has a slot, then finishes it', async () => {
    const config = s3Config(strict!);
    const remote = s3Remote(config);
    const data = patterned(SIZE);
    const slot = memorySlot();
    // S3 may answer CompleteMultipartUpload 200 OK with an <Error> inside.
    strict!.faults.push({ op: 'CompleteMultipartUpload', status: 200, code: 'InternalError' });
    await expect(remote.create('c.mov', bodyFrom(data, remote).body, { resume: slot })).rejects.toSatisfy((err) => isRemoteError(err, 'retryable'));
    expect(await remote.stat('c.mov')).toBeNull();
    expect(await openUploads(strict!, config.prefix)).toEqual([`${config.prefix}c.mov`]);
    const since = strict!.requests.length;
    const entry = await remote.create('c.mov', bodyFrom(data, remote).body, { resume: slot });
    expect(partNumbers(strict!, since)).toEqual([]);
    expect(entry.hashes.sha256).toBe(sha256(data));
    expect(sha256(await readAll(remote, 'c.mov'))).toBe(sha256(data));
    expect(await openUploads(strict!, config.prefix)).toEqual([]);
  });

  it('aborts its upload when the caller stops the run', async () => {
    const config = s3Config(plain!);
    const remote = s3Remote(config);
    const stop = new AbortController();
    const slot = memorySlot();
    const upload = remote.create('s.mov', bodyFrom(patterned(SIZE), remote).body, {
      resume: slot,
      signal: stop.signal,
      onProgress: () => stop.abort(),
    });
    await expect(upload).rejects.toThrow();
    expect(slot.value).toBeNull();
    expect(await openUploads(plain!, config.prefix)).toEqual([]);
    expect(await remote.stat('s.mov')).toBeNull();
  });
});
