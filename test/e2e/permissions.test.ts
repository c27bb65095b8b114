/**
 * Files and folders photosync may not read, as an ordinary user meets them: the root of an ext4
 * backup disk holds lost+found (root only), and a photo in the library may be unreadable. Neither
 * may stop the backup: the folder is skipped, the photo fails alone and the rest is copied. Run
 * as user nobody when the tests run as root (root reads everything).
 */
import { chmodSync, chownSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliOptions } from '../helpers/cli.ts';
import { sha256, treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir } from '../helpers/tmp.ts';

const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

function chownTree(dir: string): void {
  chownSync(dir, NOBODY.uid, NOBODY.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full);
    else chownSync(full, NOBODY.uid, NOBODY.gid);
  }
}

/** Makes a file or folder unreadable to the user photosync runs as. */
function forbid(file: string): void {
  if (asRoot) chownSync(file, 0, 0);
  chmodSync(file, 0);
}

describe('permissions', { tags: ['slow'] }, () => {
  it('skips a backup folder it cannot enter, and fails only the photo it cannot read', async () => {
    const photos = [1, 2, 3].map((i) => jpeg({ exif: { dateTimeOriginal: `2024:05:0${i} 10:00:00` }, comment: `photo ${i}` }));
    const dir = testdir({
      'photos/IMG_0001.JPG': photos[0]!,
      'photos/IMG_0002.JPG': photos[1]!,
      'photos/IMG_0003.JPG': photos[2]!,
      'photosync.yaml': 'version: 1\nstate: ./state/ps.db\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n  usb: {type: local, path: ./backup}\n',
    });
    mkdirSync(path.join(dir, 'backup/lost+found'), { recursive: true });
    if (asRoot) chownTree(dir);
    forbid(path.join(dir, 'backup/lost+found'));
    forbid(path.join(dir, 'photos/IMG_0002.JPG'));
    const options: CliOptions = { cwd: dir, ...(asRoot ? { user: NOBODY } : {}) };

    const first = await runCli(['apply'], options);
    // The scan cannot hash it: reported as a problem of the source, and the other two are copied.
    expect(first.stderr).toContain('IMG_0002.JPG');
    expect(first.stderr).not.toMatch(/no permission to write|\n\s+at /);
    const held = () => new Set([...treeHashes(path.join(dir, 'backup')).entries()].filter(([p]) => !p.startsWith('lost+found')).map(([, h]) => h));
    expect(held()).toEqual(new Set([sha256(photos[0]!), sha256(photos[2]!)]));

    if (asRoot) chownSync(path.join(dir, 'photos/IMG_0002.JPG'), NOBODY.uid, NOBODY.gid);
    chmodSync(path.join(dir, 'photos/IMG_0002.JPG'), 0o644);
    const second = await runCli(['apply'], options);
    expect(second.code).toBe(0);
    expect(held()).toEqual(new Set(photos.map((p) => sha256(p))));
  });
});
