/**
 * What photosync writes is ordinary files and objects: after it backs up to a real Apache WebDAV
 * share and to s3rver, `rclone md5sum --download` over each remote agrees byte for byte with the
 * source files. Under CI a missing rclone fails this suite; elsewhere it skips.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { cliFixture } from '../helpers/cli-fixture.ts';
import { treeHashes } from '../helpers/hash.ts';
import { startApache } from '../helpers/servers/apache.ts';
import { S3RVER_KEYS, startS3rver } from '../helpers/servers/s3rver.ts';
import { useServer } from '../helpers/servers/use-server.ts';

const rclone = spawnSync('rclone', ['version'], { encoding: 'utf8' });
const haveRclone = rclone.status === 0;
if (!haveRclone && process.env['CI']) throw new Error('CI is set but rclone is not installed (apt-get install rclone)');

/** rclone sees only the connection string: no config file, and no AWS_* from the machine (an AWS_CA_BUNDLE breaks plain-HTTP S3). */
const rcloneEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_'))), RCLONE_CONFIG: '/dev/null' };

/** "md5  path" lines → md5 per path. Asynchronous: s3rver answers from this very process. */
async function md5sums(remote: string): Promise<Map<string, string>> {
  const { stdout: out } = await promisify(execFile)('rclone', ['md5sum', '--download', remote], { encoding: 'utf8', env: rcloneEnv, timeout: 120_000 });
  return new Map(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [md5, ...name] = line.split(/\s+/);
        return [name.join(' '), md5!] as [string, string];
      }),
  );
}

describe.skipIf(!haveRclone)('interop: rclone reads what photosync wrote', { tags: ['slow'] }, () => {
  const apache = useServer('Apache', () => startApache(), true);
  const s3 = useServer('s3rver', () => startS3rver(), false);

  it('agrees byte for byte on WebDAV and S3', async () => {
    const dir = cliFixture(`  nas:
    type: webdav
    url: ${apache().url}/interop
    username: ${apache().username}
    password_env: NAS_PASSWORD
  offsite:
    type: s3
    bucket: ${s3().bucket}
    prefix: interop/
    endpoint: ${s3().endpoint}
    forcePathStyle: true
`);
    const result = await runCli(['apply'], { cwd: dir, env: { NAS_PASSWORD: apache().password, ...S3RVER_KEYS } });
    expect(result.code).toBe(0);

    const sourceMd5 = new Set(
      [...treeHashes(path.join(dir, 'photos')).keys()].map((p) => createHash('md5').update(readFileSync(path.join(dir, 'photos', p))).digest('hex')),
    );
    const pass = execFileSync('rclone', ['obscure', apache().password], { encoding: 'utf8' }).trim();
    const onDav = await md5sums(`:webdav,url='${apache().url}/interop',vendor=other,user=${apache().username},pass=${pass}:`);
    const onS3 = await md5sums(
      `:s3,provider=Other,endpoint='${s3().endpoint}',force_path_style=true,access_key_id=${S3RVER_KEYS.AWS_ACCESS_KEY_ID},secret_access_key=${S3RVER_KEYS.AWS_SECRET_ACCESS_KEY}:${s3().bucket}/interop`,
    );
    for (const listing of [onDav, onS3]) {
      const photos = [...listing.entries()].filter(([name]) => !name.startsWith('.photosync'));
      expect(new Set(photos.map(([, md5]) => md5))).toEqual(sourceMd5);
      expect(photos).toHaveLength(sourceMd5.size);
      expect(photos.every(([name]) => name.startsWith('2022/05/IMG_000'))).toBe(true);
    }
  });
});
