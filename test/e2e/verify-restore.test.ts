/** verify and restore through the built CLI, judged by the bytes in the folders. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { sha256, treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

function library() {
  const dir = tmpdir();
  const photos = {
    'photos/2019/IMG_1.JPG': jpeg({ exif: { dateTimeOriginal: '2019:06:01 10:00:00' }, grey: 10 }),
    'photos/2021/IMG_2.JPG': jpeg({ exif: { dateTimeOriginal: '2021:03:15 10:00:00' }, grey: 20 }),
    'photos/2021/IMG_3.JPG': jpeg({ exif: { dateTimeOriginal: '2021:08:20 10:00:00' }, grey: 30 }),
    'photos/2023/IMG_4.JPG': jpeg({ exif: { dateTimeOriginal: '2023:12:31 23:00:00' }, grey: 40 }),
  };
  testdir(
    {
      ...photos,
      'photosync.yaml': 'version: 1\nstate: ./state/ps.db\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n  usb: {type: local, path: ./backup}\n',
    },
    dir,
  );
  return { dir, photos, run: (...args: string[]) => runCli(args, { cwd: dir }) };
}

describe('cli: verify', { tags: ['slow'] }, () => {
  it('finds missing and damaged backups, and the next apply repairs them without overwriting', async () => {
    const { dir, run } = library();
    expect((await run('apply')).code).toBe(0);
    const ok = await run('verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('usb: read back 4 files of 4');

    rmSync(path.join(dir, 'backup/2019/06/IMG_1.JPG'));
    const damaged = path.join(dir, 'backup/2021/03/IMG_2.JPG');
    const bytes = readFileSync(damaged);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0xff, bytes.length - 3); // a flipped byte, same size: bit rot
    writeFileSync(damaged, bytes);

    const bad = await run('verify', '--json');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { findings: { path: string; problem: string }[] };
    expect(report.findings.map((f) => [f.path, f.problem]).sort()).toEqual([
      ['2019/06/IMG_1.JPG', 'missing'],
      ['2021/03/IMG_2.JPG', 'wrong-content'],
    ]);

    expect((await run('apply')).code).toBe(0);
    const after = treeHashes(path.join(dir, 'backup'));
    expect(after.get('2019/06/IMG_1.JPG')).toBe(sha256(readFileSync(path.join(dir, 'photos/2019/IMG_1.JPG'))));
    // The damaged file is left as it is; the photo is stored again beside it.
    expect(after.get('2021/03/IMG_2.JPG')).toBe(sha256(bytes));
    const good = sha256(readFileSync(path.join(dir, 'photos/2021/IMG_2.JPG')));
    expect(after.get(`2021/03/IMG_2~${good.slice(0, 8)}.JPG`)).toBe(good);
    // The damaged copy stays (nothing is ever deleted) but is now recorded as what it is; every photo reads back intact.
    expect((await run('verify')).code).toBe(0);
  });

  it('verifies a sample, least recently verified first, so samples cover everything in turn', async () => {
    const { dir, run } = library();
    expect((await run('apply')).code).toBe(0);
    const first = JSON.parse((await run('verify', '--sample', '50%', '--json')).stdout) as { remotes: { checked: number }[] };
    expect(first.remotes[0]?.checked).toBe(2);
    expect((await run('verify', '--sample', '2')).code).toBe(0);
    const db = new Database(path.join(dir, 'state/ps.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM inventory WHERE verified_at IS NULL').pluck().get()).toBe(0);
    db.close();
    expect((await run('verify', '--sample', 'lots')).code).toBe(64);
  });
});

describe('cli: restore', { tags: ['slow'] }, () => {
  it('restores by capture date, byte for byte, even photos gone from the source', async () => {
    const { dir, photos, run } = library();
    expect((await run('apply')).code).toBe(0);
    rmSync(path.join(dir, 'photos'), { recursive: true });
    const restored = await run('restore', '--from', 'usb', '--to', 'back', '--since', '2021-01-01', '--until', '2021-12-31');
    expect(restored.code).toBe(0);
    expect(treeHashes(path.join(dir, 'back'))).toEqual(
      new Map([
        ['2021/03/IMG_2.JPG', sha256(photos['photos/2021/IMG_2.JPG'])],
        ['2021/08/IMG_3.JPG', sha256(photos['photos/2021/IMG_3.JPG'])],
      ]),
    );
    const again = await run('restore', '--from', 'usb', '--to', 'back', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ restored: 2, alreadyThere: 2 });
  });

  it('never overwrites a local file: a different one keeps its name and the photo lands beside it', async () => {
    const { dir, photos, run } = library();
    expect((await run('apply')).code).toBe(0);
    testdir({ 'back/2023/12/IMG_4.JPG': 'my own edit, not the backup' }, dir);
    const result = await run('restore', '--from', 'usb', '--to', 'back', '--path', '2023/**');
    expect(result.code).toBe(0);
    const landed = treeHashes(path.join(dir, 'back'));
    const original = sha256(photos['photos/2023/IMG_4.JPG']);
    expect(landed.get('2023/12/IMG_4.JPG')).toBe(sha256('my own edit, not the backup'));
    expect(landed.get(`2023/12/IMG_4~${original.slice(0, 8)}.JPG`)).toBe(original);
    expect(landed.size).toBe(2);
  });
});

describe('cli: space', { tags: ['slow'] }, () => {
  it('refuses a plan that does not fit, or uploads what fits with --allow-partial', async () => {
    const dir = tmpdir();
    const big = (n: number) => Buffer.concat([jpeg({ exif: { dateTimeOriginal: `2020:0${n}:01 10:00:00` }, comment: `p${n}` }), Buffer.alloc(3000, n)]);
    testdir(
      {
        'photos/a.jpg': big(1),
        'photos/b.jpg': big(2),
        'photos/c.jpg': big(3),
        'photosync.yaml': 'version: 1\nstate: ./state/ps.db\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n  usb: {type: local, path: ./backup, quota: 7K}\n',
      },
      dir,
    );
    const run = (...args: string[]) => runCli(args, { cwd: dir });
    const refused = await run('plan');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error[E_NO_SPACE]: the plan does not fit: usb needs');
    expect(refused.stderr).toContain('--allow-partial');
    expect((await run('apply')).code).toBe(1);
    expect(treeHashes(path.join(dir, 'photos')).size).toBe(3);

    const partial = await run('apply', '--allow-partial');
    expect(partial.code).toBe(0);
    expect(treeHashes(path.join(dir, 'backup')).size).toBe(2);
    // The quota is used up: the rest waits for space, and says so.
    expect((await run('plan', '--allow-partial', '--json')).code).toBe(0);
  });
});
