/**
 * The built CLI backing up to a WebDAV share on a real Apache httpd: the bytes that land on the
 * server's disk, a second run that sends no request at all, and a wrong password's exit code.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { cliFixture } from '../helpers/cli-fixture.ts';
import { treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { startApache } from '../helpers/servers/apache.ts';
import { useServer } from '../helpers/servers/use-server.ts';

let shares = 0;

describe('cli: end to end against a WebDAV share (Apache)', { tags: ['slow'] }, () => {
  const apache = useServer('Apache', () => startApache(), true);

  function setup(): { dir: string; share: string } {
    const share = `e2e-${process.pid}-${++shares}`;
    const dir = cliFixture(`  nas:
    type: webdav
    url: ${apache().url}/${share}
    username: ${apache().username}
    password_env: NAS_PASSWORD
    layout: "{year}/{month}/{name}"
`);
    return { dir, share };
  }

  it('uploads every photo byte for byte, and a second run sends no request', async () => {
    const { dir, share } = setup();
    const env = { NAS_PASSWORD: apache().password };
    const first = await runCli(['apply'], { cwd: dir, env });
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    const landed = treeHashes(path.join(apache().root, share));
    // Two photos share a name in one month: the second gets a suffix, and neither is lost.
    expect(landed.size).toBe(3);
    expect([...landed.keys()].every((k) => k.startsWith('2022/05/IMG_000'))).toBe(true);
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

  it('a password changed after the share was listed still ends with the auth code, the photos kept for later', async () => {
    const { dir, share } = setup();
    expect((await runCli(['apply'], { cwd: dir, env: { NAS_PASSWORD: apache().password } })).code).toBe(0);
    writeFileSync(path.join(dir, 'photos/DCIM/100APPLE/IMG_0009.JPG'), jpeg({ exif: { dateTimeOriginal: '2022:05:09 10:00:00' }, comment: 'new' }));
    // The share is not listed again, so the first request that meets the wrong password is an upload.
    const result = await runCli(['apply'], { cwd: dir, env: { NAS_PASSWORD: 'wrong' } });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/hint: nas needs signing in again/);
    expect(treeHashes(path.join(apache().root, share)).size).toBe(3);
    expect((await runCli(['apply'], { cwd: dir, env: { NAS_PASSWORD: apache().password } })).code).toBe(0);
    expect(treeHashes(path.join(apache().root, share)).size).toBe(4);
  });
});
