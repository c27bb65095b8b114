/** The small library the CLI tests back up: three photos (two share a file name), one source, and the remotes given. */
import { jpeg } from './media.ts';
import { testdir, tmpdir } from './tmp.ts';

/** Writes the library and its photosync.yaml into a new temp dir; `remotesYaml` is the body of `remotes:`. */
export function cliFixture(remotesYaml: string): string {
  return testdir(
    {
      'photos/DCIM/100APPLE/IMG_0001.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 10 }),
      'photos/DCIM/100APPLE/IMG_0002.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:02 10:00:00' }, grey: 20 }),
      'photos/DCIM/101APPLE/IMG_0001.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:03 10:00:00' }, grey: 30 }),
      'photosync.yaml': `version: 1
state: ./state/photosync.db
sources:
  phone:
    type: local
    path: ./photos
remotes:
${remotesYaml}`,
    },
    tmpdir(),
  );
}
