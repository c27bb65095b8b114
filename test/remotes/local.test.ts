import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceChangedError } from '../../src/errors.ts';
import { uploadBody } from '../../src/executor/upload-body.ts';
import { LocalRemote } from '../../src/remotes/local/index.ts';
import { openOrigin } from '../../src/sources/open.ts';
import { runRemoteContract, bodyFrom } from '../contract/remote-contract.ts';
import { tmpdir } from '../helpers/tmp.ts';

function localRemote(root = path.join(tmpdir(), 'remote'), mayCreateRoot = true): LocalRemote {
  return new LocalRemote(
    { name: 'usb', type: 'local', path: root, layout: '{name}', media: 'external-disk', offsite: false, transfers: 4, quotaBytes: null, include: null, exclude: [] },
    { mayCreateRoot },
  );
}

runRemoteContract({ name: 'local', create: async () => localRemote(), multiChunkBytes: 3 * 1024 * 1024 + 11 });

describe('remote: local', () => {
  it('never creates the folder of a remote that already holds files (an unmounted drive)', async () => {
    const root = path.join(tmpdir(), 'not-mounted');
    const remote = localRemote(root, false);
    await expect(remote.create('a.jpg', bodyFrom(Buffer.from('x'), remote).body)).rejects.toThrow(/is missing, though photosync recorded files there/);
    expect(() => readdirSync(root)).toThrow();
  });

  it('clears its own leftovers from an interrupted run, and lists none of them', async () => {
    const root = path.join(tmpdir(), 'r');
    mkdirSync(path.join(root, '2024'), { recursive: true });
    writeFileSync(path.join(root, '2024', '.photosync-99999-abc.partial'), 'half a photo');
    const remote = localRemote(root);
    const listed = [];
    for await (const e of remote.list()) listed.push(e.path);
    expect(listed).toEqual([]);
    await remote.create('2024/new.jpg', bodyFrom(Buffer.from('new'), remote).body);
    expect(readdirSync(path.join(root, '2024'))).toEqual(['new.jpg']);
  });

  it('lists every file of a large folder with its size (sizes are asked for in batches)', async () => {
    const root = path.join(tmpdir(), 'big');
    mkdirSync(path.join(root, '2024', '01'), { recursive: true });
    const expected = new Map<string, number>();
    for (let i = 0; i < 700; i++) {
      const rel = i % 3 === 0 ? `2024/01/IMG_${i}.JPG` : `2024/IMG_${i}.JPG`;
      writeFileSync(path.join(root, rel), 'x'.repeat(i));
      expected.set(rel, i);
    }
    writeFileSync(path.join(root, '2024', '.photosync-1-abc.partial'), 'half');
    const listed = new Map<string, number>();
    for await (const e of localRemote(root).list()) listed.set(e.path, e.size);
    expect(listed).toEqual(expected);
  });

  it('copies files straight from a local source, each with its own bytes, and refuses one whose size changed', async () => {
    const root = path.join(tmpdir(), 'remote');
    const remote = localRemote(root);
    const sources = path.join(tmpdir(), 'src');
    mkdirSync(sources);
    const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    const direct = (name: string, planned: Buffer) => {
      const file = path.join(sources, name);
      return uploadBody({ open: () => openOrigin(file), size: planned.length, sha256: sha(planned), label: name, localFile: file }, remote.hashes);
    };
    // Sizes shrinking file by file, past the first few copies (made inline) into the copy workers:
    // a copy that kept a longer file's tail would show here.
    const written = new Map<string, Buffer>();
    for (let i = 0; i < 40; i++) {
      const data = Buffer.alloc(200_000 - i * 4_000, i + 1);
      data.write(`file ${i}`);
      writeFileSync(path.join(sources, `f${i}.jpg`), data);
      written.set(`copies/f${i}.jpg`, data);
    }
    await Promise.all([...written].map(([to, data]) => remote.create(to, direct(path.basename(to), data))));
    for (const [to, data] of written) expect(sha(readFileSync(path.join(root, to)))).toBe(sha(data));

    const planned = Buffer.from('planned bytes');
    writeFileSync(path.join(sources, 'grew.jpg'), Buffer.concat([planned, Buffer.from('!')]));
    writeFileSync(path.join(sources, 'shrank.jpg'), planned.subarray(1));
    await expect(remote.create('changed/grew.jpg', direct('grew.jpg', planned))).rejects.toBeInstanceOf(SourceChangedError);
    await expect(remote.create('changed/shrank.jpg', direct('shrank.jpg', planned))).rejects.toBeInstanceOf(SourceChangedError);
    expect(readdirSync(path.join(root, 'changed'))).toEqual([]);
    await remote.close?.();
  });
});
