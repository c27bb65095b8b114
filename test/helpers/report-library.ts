/**
 * A library for the report tests, built through the CLI so the state is real: three local
 * remotes (one offsite that leaves two folders out, one with a quota in the config), photos that
 * are fully covered, photos never offsite, new photos not backed up yet (one with a hostile
 * name), and a photo deleted from the phone that only one remote still holds.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliResult } from './cli.ts';
import { jpeg } from './media.ts';
import { testdir, tmpdir } from './tmp.ts';

/** No "/" (no file name can hold one); the rest is as hostile as a file name gets. */
export const HOSTILE_NAME = `<img src=x onerror=alert(1)><script>alert(2)<\\script> "q" & 'a' |p|.JPG`;

function photo(date: string, n: number): Buffer {
  return jpeg({ exif: { dateTimeOriginal: date }, grey: n * 7, comment: `photo ${n}` });
}

export interface ReportLibrary {
  readonly dir: string;
  run(...args: string[]): Promise<CliResult>;
}

export async function reportLibrary(): Promise<ReportLibrary> {
  const dir = tmpdir('photosync-report-');
  const run = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: dir });
  const tree: Record<string, Buffer | string> = {
    'photosync.yaml': `version: 1
state: ./state/photosync.db
sources:
  phone: { type: local, path: ./photos, media: phone }
remotes:
  usb: { type: local, path: ./backup/usb, media: external-disk }
  nas: { type: local, path: ./backup/nas, media: nas, quota: 64K, exclude: ["DCIM/103APPLE/**"] }
  away:
    type: local
    path: ./backup/away
    media: external-disk
    offsite: true
    exclude: ["DCIM/101APPLE/**", "DCIM/103APPLE/**"]
`,
  };
  for (let i = 1; i <= 4; i++) tree[`photos/DCIM/100APPLE/IMG_000${i}.JPG`] = photo(`2022:05:0${i} 10:00:00`, i);
  for (let i = 1; i <= 3; i++) tree[`photos/DCIM/101APPLE/IMG_010${i}.JPG`] = photo(`2023:01:1${i} 10:00:00`, 10 + i);
  tree['photos/DCIM/103APPLE/IMG_0301.JPG'] = photo('2021:03:01 10:00:00', 30);
  testdir(tree, dir);
  const applied = await run('apply');
  expect(applied.code, applied.stderr).toBe(0);

  // After the backup: new photos (one hostile name), and one deleted that only usb holds now.
  const later: Record<string, Buffer> = { [`photos/DCIM/102APPLE/${HOSTILE_NAME}`]: photo('2024:02:01 09:00:00', 40) };
  for (let i = 1; i <= 3; i++) later[`photos/DCIM/102APPLE/IMG_020${i}.JPG`] = photo(`2024:02:0${i + 1} 09:00:00`, 40 + i);
  testdir(later, dir);
  rmSync(path.join(dir, 'photos/DCIM/103APPLE/IMG_0301.JPG'));
  return { dir, run };
}
