/**
 * The built CLI backing up to a WebDAV share on a real Apache httpd: the bytes that land on the
 * server's disk, a second run that sends no request at all, and a wrong password's exit code.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { startApache } from '../helpers/servers/apache.ts';
import { useServer } from '../helpers/servers/use-server.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

let shares = 0;

describe('cli: end to end against a WebDAV share (Apache)', { tags: ['slow'] }, () => {
  const apache = useServer('Apache', () => startApache(), true);

  function setup(): { dir: string; share: string } {
    const share = `e2e-${process.pid}-${++shares}`;
    const dir = testdir(
      {
        'photos/DCIM/100APPLE/IMG_0001.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 10 }),
        'photos/DCIM/100APPLE/IMG 0002 #2.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:02 10:00:00' }, grey: 20 }),
        'photos/DCIM/101APPLE/IMG_0003.JPG': jpeg({ exif: { dateTimeOriginal: '2023:01:03 10:00:00' }, grey: 30 }),
        'photosync.yaml': `version: 1
state: ./state/photosync.db
sources:
  phone:
    type: local
    path: ./photos
remotes:
  nas:
    type: webdav
    url: ${apache().url}/${share}
    username: ${apache().username}
    password_env: NAS_PASSWORD
    layout: "{year}/{month}/{name}"
`,
      },
      tmpdir(),
    );
    return { dir, share };
  }

  it('uploads every photo byte for byte, and a second run sends no request', async () => {
    const { dir, share } = setup();
    const env = { NAS_PASSWORD: apache().password };
    const first = await runCli(['apply'], { cwd: dir, env });
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    const landed = treeHashes(path.join(apache().root, share));
    expect([...landed.keys()].sort()).toEqual(['2022/05/IMG 0002 #2.JPG', '2022/05/IMG_0001.JPG', '2023/01/IMG_0003.JPG']);
    expect(new Set(landed.values())).toEqual(new Set(treeHashes(path.join(dir, 'photos')).values()));

    const mark = (await apache().requests()).length;
    const again = await runCli(['apply'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect((await apache().requests()).slice(mark)).toEqual([]);
  });

  it('a wrong password exits with the auth code and says where the password comes from', async () => {
    const { dir } = setup();
    const result = await runCli(['apply'], { cwd: dir, env: { NAS_PASSWORD: 'wrong' } });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/did not accept the user name and password/);
    expect(result.stderr).toMatch(/hint: .*NAS_PASSWORD/);
  });
});
