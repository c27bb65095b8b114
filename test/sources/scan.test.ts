import { statSync, symlinkSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/types.ts';
import { scanSources } from '../../src/sources/scan.ts';
import { State } from '../../src/state/index.ts';
import { sha256 } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

function source(root: string, more: Partial<SourceConfig> = {}): SourceConfig {
  return { name: 'phone', type: 'local', path: root, include: null, exclude: [], media: 'phone', offsite: false, ...more };
}

describe('sources: scan', () => {
  let state: State;
  beforeEach(() => {
    state = State.open(path.join(tmpdir(), 'state.db'));
  });
  afterEach(() => state.close());

  it('hashes media files, skips OS junk and non-media files', async () => {
    const root = testdir({
      'DCIM/100APPLE/IMG_0001.JPG': jpeg({ exif: { dateTimeOriginal: '2021:06:01 08:00:00' } }),
      'DCIM/100APPLE/IMG_0001.AAE': '<plist/>',
      'DCIM/.DS_Store': 'junk',
      'DCIM/100APPLE/._IMG_0001.JPG': 'resource fork',
      '@eaDir/IMG_0001.JPG/SYNOFILE_THUMB_XL.jpg': 'synology thumbnail',
      'notes.txt': 'not a photo',
      'Thumbs.db': 'junk',
    });
    const snapshot = await scanSources([source(root)], state.scanCache);
    expect(snapshot.files.map((f) => [f.relPath, f.kind])).toEqual([
      ['DCIM/100APPLE/IMG_0001.AAE', 'sidecar'],
      ['DCIM/100APPLE/IMG_0001.JPG', 'photo'],
    ]);
    expect(snapshot.files[1]?.capture).toEqual({ local: '2021-06-01T08:00:00', offset: null, source: 'exif' });
    expect(snapshot.files[0]?.sha256).toBe(sha256('<plist/>'));
    expect(snapshot.skipped).toBe(5);
  });

  it('applies include and exclude globs', async () => {
    const root = testdir({ 'a/x.jpg': '1', 'a/y.png': '2', 'b/z.jpg': '3', 'b/doc.pdf': '4' });
    const snapshot = await scanSources([source(root, { include: ['*.jpg', '*.pdf'], exclude: ['b/*.jpg'] })], state.scanCache);
    expect(snapshot.files.map((f) => f.relPath)).toEqual(['a/x.jpg', 'b/doc.pdf']);
  });

  it('follows a symlink inside the source, never one that leads out of it', async () => {
    const outside = testdir({ 'secret.jpg': 'outside' });
    const root = testdir({ 'real/IMG_1.JPG': 'inside' });
    symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    symlinkSync(path.join(outside, 'secret.jpg'), path.join(root, 'escape.jpg'));
    symlinkSync(outside, path.join(root, 'escape-dir'));
    const snapshot = await scanSources([source(root)], state.scanCache);
    expect(snapshot.files.map((f) => f.relPath).sort()).toEqual(['alias/IMG_1.JPG', 'real/IMG_1.JPG']);
    expect(snapshot.problems.map((p) => p.relPath).sort()).toEqual(['escape-dir', 'escape.jpg']);
  });

  it('does not read a file again while its size, mtime and inode are unchanged', async () => {
    const root = testdir({ 'IMG_1.JPG': 'AAAA' });
    const file = path.join(root, 'IMG_1.JPG');
    // Whole seconds, so putting the mtime back below restores it exactly.
    utimesSync(file, 1_600_000_000, 1_600_000_000);
    const first = await scanSources([source(root)], state.scanCache);
    expect(first.files[0]?.sha256).toBe(sha256('AAAA'));

    // Same size, same inode, mtime put back: a re-read would see "BBBB"; the cache answers "AAAA".
    const { atime, mtime } = statSync(file);
    writeFileSync(file, 'BBBB');
    utimesSync(file, atime, mtime);
    const second = await scanSources([source(root)], state.scanCache);
    expect(second.files[0]?.sha256).toBe(sha256('AAAA'));

    // A real change (new mtime) is read again.
    utimesSync(file, atime, new Date(mtime.getTime() + 5000));
    const third = await scanSources([source(root)], state.scanCache);
    expect(third.files[0]?.sha256).toBe(sha256('BBBB'));
  });

  it('hashes many files on worker threads, streaming large ones', async () => {
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) tree[`DCIM/IMG_${String(i).padStart(4, '0')}.JPG`] = Buffer.alloc(1000 + i, i);
    // Past the 32 MiB a scan hashes on its main thread (src/sources/hash-pool.ts).
    tree['DCIM/big.MOV'] = Buffer.alloc(33 * 1024 * 1024 + 17, 3);
    const root = testdir(tree);
    const snapshot = await scanSources([source(root)], state.scanCache, { threads: 2 });
    expect(snapshot.files).toHaveLength(41);
    for (const f of snapshot.files) expect(f.sha256).toBe(sha256(tree[f.relPath]!));
  });

  it('reports a source that is not there instead of treating it as empty', async () => {
    const snapshot = await scanSources([source('/nonexistent/photosync-test')], state.scanCache);
    expect(snapshot.files).toEqual([]);
    expect(snapshot.problems[0]?.message).toMatch(/not there \(not mounted or not connected\?\)/);
  });

  it('reports a file it cannot read and goes on with the others', async () => {
    const root = testdir({ 'ok.jpg': 'fine' });
    mkdirSync(path.join(root, 'locked'));
    symlinkSync(path.join(root, 'gone.jpg'), path.join(root, 'dangling.jpg'));
    const snapshot = await scanSources([source(root)], state.scanCache);
    expect(snapshot.files.map((f) => f.relPath)).toEqual(['ok.jpg']);
    expect(snapshot.problems.map((p) => p.message)).toEqual(['broken symbolic link, not followed']);
  });
});
