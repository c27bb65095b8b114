/**
 * The built CLI backing up to Google Drive, as a user runs it: the config names a gdrive remote
 * whose API and token endpoint are the loopback emulator, and the refresh token comes from the
 * environment (as on a headless machine). Assertions are on the bytes that landed in Drive.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { startGdriveEmulator, type GdriveEmulator } from '../helpers/emulators/gdrive.ts';
import { sha256, treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

let emu: GdriveEmulator;

beforeAll(async () => {
  emu = await startGdriveEmulator({ quotaLimit: 1024 ** 3 });
});
afterAll(async () => {
  await emu.close();
});

describe('cli: end to end on Google Drive', { tags: ['slow'] }, () => {
  it('uploads every photo once, backs off when throttled, and plans nothing more afterwards', async () => {
    const dir = tmpdir();
    testdir(
      {
        'photos/IMG_0001.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 10 }),
        'photos/IMG_0002.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:02 10:00:00' }, grey: 20 }),
        'photosync.yaml': `version: 1
state: ./state/photosync.db
sources:
  phone:
    type: local
    path: ./photos
remotes:
  cloud:
    type: gdrive
    folder: Photos/photosync
    client_id: ${emu.clientId}
    api_url: ${emu.apiUrl}
    token_url: ${emu.tokenUrl}
`,
      },
      dir,
    );
    const env = { PHOTOSYNC_CLOUD_REFRESH_TOKEN: emu.grant() };
    const run = (...args: string[]): ReturnType<typeof runCli> => runCli(args, { cwd: dir, env });

    // Drive says "slow down" to the first upload; the executor waits as asked and tries again.
    emu.inject({ kind: 'error', error: 'rateLimitExceeded429', retryAfter: '1' }, { method: 'POST', uploadType: 'multipart' });
    const apply = await run('apply');
    expect(apply.stderr).not.toMatch(/error/i);
    expect(apply.code).toBe(0);
    const uploads = emu.log.filter((r) => r.query.get('uploadType') === 'multipart').map((r) => r.status);
    expect(uploads).toEqual([429, 200, 200]);

    const sources = treeHashes(path.join(dir, 'photos'));
    const landed = emu.store.lookup('Photos/photosync/2022/05/IMG_0001.JPG').concat(emu.store.lookup('Photos/photosync/2022/05/IMG_0002.JPG'));
    expect(new Set(landed.map((f) => f.sha256))).toEqual(new Set(sources.values()));
    expect(landed.map((f) => f.mimeType)).toEqual(['image/jpeg', 'image/jpeg']);
    expect(sha256(landed[0]!.content!)).toBe(landed[0]!.sha256);

    console.log('APPLY-OUT', apply.stdout, 'APPLY-ERR', apply.stderr);
    const rep = await run('report');
    console.log('REPORT', rep.code, rep.stdout, rep.stderr);
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes');
    expect(emu.violations).toEqual([]);
  });
});
