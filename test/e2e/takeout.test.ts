/**
 * The built CLI backs up a Takeout export straight from its archive parts: every photo lands by
 * its sidecar's date, byte for byte, read out of the zip and the tgz without extracting them.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { albumJson, assetJson, tgzArchive, zipArchive } from '../helpers/archives.ts';
import { runCli } from '../helpers/cli.ts';
import { sha256, treeHashes } from '../helpers/hash.ts';
import { jpeg, movie } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

const G = 'Takeout/Google Photos';

describe('cli: a Google Takeout source', { tags: ['slow'] }, () => {
  it('applies from zip and tgz parts: photos, Live Photo videos and sidecars land by photoTakenTime', async () => {
    const dir = tmpdir();
    const still = jpeg({ grey: 90 });
    const video = movie({ created: '2021-03-04T05:06:07Z' });
    const other = jpeg({ grey: 91 });
    const members = {
      zip: [
        { name: `${G}/Photos from 2021/IMG_7.HEIC`, data: still },
        { name: `${G}/Trip/IMG_7.HEIC`, data: still },
        { name: `${G}/Trip/metadata.json`, data: albumJson('Trip 2021') },
        { name: `${G}/Photos from 2019/scan.png`, data: other },
      ],
      tgz: [
        { name: `${G}/Photos from 2021/IMG_7.MP4`, data: video },
        { name: `${G}/Photos from 2021/IMG_7.HEIC.json`, data: assetJson('IMG_7.HEIC', 1_614_834_367) },
        { name: `${G}/Trip/IMG_7.HEIC.json`, data: assetJson('IMG_7.HEIC', 1_614_834_367) },
        { name: `${G}/Photos from 2019/scan.png.supplemental-metadata.json`, data: assetJson('scan.png', 1_546_300_800) },
      ],
    };
    testdir(
      {
        'parts/takeout-20240101T000000Z-001.zip': zipArchive(members.zip),
        'photosync.yaml': `version: 1
state: ./state/photosync.db
sources:
  google:
    type: google-takeout
    path: ./parts
remotes:
  usb:
    type: local
    path: ./backup
    layout: "{year}/{month}/{name}"
`,
      },
      dir,
    );
    writeFileSync(path.join(dir, 'parts/takeout-20240101T000000Z-002.tgz'), await tgzArchive(members.tgz));

    const apply = await runCli(['apply'], { cwd: dir });
    expect(apply.stderr).not.toMatch(/error|problem|sidecar/i);
    expect(apply.code).toBe(0);
    expect(Object.fromEntries(treeHashes(path.join(dir, 'backup')))).toEqual({
      '2021/03/IMG_7.HEIC': sha256(still),
      '2021/03/IMG_7.MP4': sha256(video),
      '2021/03/IMG_7.HEIC.json': sha256(members.tgz[1]!.data),
      '2019/01/scan.png': sha256(other),
      '2019/01/scan.png.json': sha256(members.tgz[3]!.data),
    });
    // A second run finds nothing to do.
    const again = await runCli(['apply'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(treeHashes(path.join(dir, 'backup')).size).toBe(5);
  });
});
