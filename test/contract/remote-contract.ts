/**
 * The contract every remote passes (rclone's fstests, unstorage's testDriver): each remote's test
 * file calls runRemoteContract with a factory that gives a fresh, empty remote. Assertions are on
 * the bytes that land, read back through the remote and compared by hash.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { uploadBody } from '../../src/executor/upload-body.ts';
import { MultiHasher } from '../../src/hashes/multi-hasher.ts';
import { AlreadyExistsError, NotFoundError, RemoteError } from '../../src/remotes/errors.ts';
import { openOrigin } from '../../src/sources/open.ts';
import type { Remote, RemoteEntry } from '../../src/remotes/types.ts';
import { sha256 } from '../helpers/hash.ts';
import { tmpdir } from '../helpers/tmp.ts';

export interface ContractOptions {
  readonly name: string;
  /** A fresh remote with an empty root. */
  readonly create: () => Promise<Remote>;
  /** A size that forces the remote's chunked/multipart path. */
  readonly multiChunkBytes: number;
  /** More files than one listing page holds. */
  readonly listingFiles?: number;
  readonly tags?: string[];
}

export function bodyFrom(data: Buffer, remote: Remote, claimed?: Buffer): { body: ReturnType<typeof uploadBody>; file: string } {
  const file = path.join(tmpdir(), `body-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, data);
  const expected = claimed ?? data;
  return {
    file,
    body: uploadBody(
      // Opened the way apply opens a source file (same chunking), so upload behaviour matches production.
      { open: () => openOrigin(file), size: expected.length, sha256: sha256(expected), label: 'test body' },
      remote.hashes,
    ),
  };
}

export async function readAll(remote: Remote, p: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await remote.read(p)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listAll(remote: Remote): Promise<Map<string, RemoteEntry>> {
  const out = new Map<string, RemoteEntry>();
  for await (const entry of remote.list()) out.set(entry.path, entry);
  return out;
}

function localHashes(remote: Remote, data: Buffer): Record<string, string> {
  const h = new MultiHasher(remote.hashes);
  h.update(data);
  return h.digest() as Record<string, string>;
}

export function runRemoteContract(options: ContractOptions): void {
  describe(`remote contract: ${options.name}`, { tags: options.tags ?? [] }, () => {
    const roundTrip = async (remote: Remote, p: string, data: Buffer): Promise<void> => {
      const { body } = bodyFrom(data, remote);
      const entry = await remote.create(p, body);
      expect(entry.path).toBe(p);
      expect(entry.size).toBe(data.length);
      const ours = localHashes(remote, data);
      for (const name of remote.hashes) {
        if (entry.hashes[name] !== undefined) expect(entry.hashes[name]?.toLowerCase(), name).toBe(ours[name]?.toLowerCase());
      }
      expect(sha256(await readAll(remote, p))).toBe(sha256(data));
      const stat = await remote.stat(p);
      expect(stat?.size).toBe(data.length);
    };

    it('round-trips an empty, a small and a multi-chunk file', async () => {
      const remote = await options.create();
      await roundTrip(remote, 'empty.jpg', Buffer.alloc(0));
      await roundTrip(remote, '2024/05/small.jpg', Buffer.from('small photo bytes'));
      const big = Buffer.alloc(options.multiChunkBytes);
      for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
      await roundTrip(remote, '2024/05/big.mov', big);
      const listed = await listAll(remote);
      expect([...listed.keys()].sort()).toEqual(['2024/05/big.mov', '2024/05/small.jpg', 'empty.jpg']);
      await remote.close?.();
    });

    it('keeps hostile names exactly', async () => {
      const remote = await options.create();
      const names = [
        'with space/IMG 0001.JPG',
        'caf\u00e9/nfc-\u00e9.jpg',
        'cafe\u0301/nfd-e\u0301.jpg',
        'hash#and%25percent/a#b%c.jpg',
        'question?/what?.jpg',
        `quotes/it's "quoted".jpg`,
        '日本語/写真.jpg',
        `long/${'x'.repeat(200)}.jpg`,
        'plus+and&amp/a+b&c=d.jpg',
      ];
      for (const [i, name] of names.entries()) await roundTrip(remote, name, Buffer.from(`content ${i}`));
      const listed = await listAll(remote);
      // NFC and NFD spellings may be stored either way by a server; what must hold is that each
      // file is listed and reads back with its own bytes.
      expect(listed.size).toBe(names.length);
      for (const [i, name] of names.entries()) {
        const found = [...listed.keys()].find((k) => k.normalize('NFC') === name.normalize('NFC'));
        expect(found, name).toBeDefined();
        expect((await readAll(remote, found!)).toString()).toBe(`content ${i}`);
      }
      await remote.close?.();
    });

    it('refuses to create over an existing file and leaves its bytes intact', async () => {
      const remote = await options.create();
      await roundTrip(remote, 'a/IMG_1.JPG', Buffer.from('original'));
      const { body } = bodyFrom(Buffer.from('replacement!'), remote);
      await expect(remote.create('a/IMG_1.JPG', body)).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await readAll(remote, 'a/IMG_1.JPG')).toString()).toBe('original');
      await remote.close?.();
    });

    it('leaves nothing at the final name when an upload fails half way', async () => {
      const remote = await options.create();
      // The source no longer matches the plan: the stream fails before its last bytes.
      const planned = Buffer.alloc(options.multiChunkBytes, 1);
      const actual = Buffer.alloc(options.multiChunkBytes, 2);
      const { body } = bodyFrom(actual, remote, planned);
      await expect(remote.create('x/changed.mov', body)).rejects.toThrow(/changed since it was scanned/);
      expect(await remote.stat('x/changed.mov')).toBeNull();

      // The source vanished before the upload.
      const vanished = bodyFrom(Buffer.from('soon gone'), remote);
      const { rmSync } = await import('node:fs');
      rmSync(vanished.file);
      await expect(remote.create('x/vanished.jpg', vanished.body)).rejects.toThrow();
      expect(await remote.stat('x/vanished.jpg')).toBeNull();

      expect([...(await listAll(remote)).keys()]).toEqual([]);
      // And the name is still free for a good upload.
      await roundTrip(remote, 'x/changed.mov', planned);
      await remote.close?.();
    });

    it('lists every file across pages', async () => {
      const remote = await options.create();
      const count = options.listingFiles ?? 30;
      const want: string[] = [];
      for (let i = 0; i < count; i++) {
        const p = `page/${String(i % 3)}/f${String(i).padStart(4, '0')}.jpg`;
        want.push(p);
        await remote.create(p, bodyFrom(Buffer.from(`f${i}`), remote).body);
      }
      const listed = await listAll(remote);
      expect([...listed.keys()].sort()).toEqual(want.sort());
      for (const entry of listed.values()) expect(entry.size).toBeGreaterThan(0);
      await remote.close?.();
    });

    it('lists nothing before the first upload, and never takes a folder for a file', async () => {
      const remote = await options.create();
      expect([...(await listAll(remote)).keys()]).toEqual([]);
      await roundTrip(remote, '2024/05/a.jpg', Buffer.from('a'));
      expect(await remote.stat('2024/05')).toBeNull();
      expect(await remote.stat('2024')).toBeNull();
      expect([...(await listAll(remote)).keys()]).toEqual(['2024/05/a.jpg']);
      await remote.close?.();
    });

    it('reports upload progress, ending at the whole size', async () => {
      const remote = await options.create();
      const data = Buffer.alloc(options.multiChunkBytes, 7);
      const seen: number[] = [];
      await remote.create('p/progress.mov', bodyFrom(data, remote).body, { onProgress: (n) => seen.push(n) });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)).toBe(data.length);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      await remote.close?.();
    });

    it('answers for missing files and refuses unsafe paths', async () => {
      const remote = await options.create();
      expect(await remote.stat('nope/none.jpg')).toBeNull();
      await expect(remote.read('nope/none.jpg')).rejects.toBeInstanceOf(NotFoundError);
      for (const bad of ['../escape.jpg', '/abs.jpg', 'a/../../b.jpg', 'nul\u0000.jpg', 'ctl\u0007.jpg']) {
        await expect(remote.create(bad, bodyFrom(Buffer.from('x'), remote).body)).rejects.toBeInstanceOf(RemoteError);
      }
      await remote.close?.();
    });
  });
}
