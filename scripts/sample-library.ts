/**
 * The sample library the quickstart backs up: small real JPEGs with EXIF capture dates, built in
 * code. `npm run sample-library` rewrites examples/sample-library from this; a test checks the
 * committed files still equal what this produces.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jpeg } from '../test/helpers/media.ts';

export function sampleLibrary(): Record<string, Buffer> {
  const iphone = { make: 'Apple', model: 'iPhone 13' };
  const canon = { make: 'Canon', model: 'Canon EOS 1300D' };
  const beachDay = jpeg({ exif: { ...iphone, dateTimeOriginal: '2023:07:14 16:02:11', offsetTimeOriginal: '+02:00' }, grey: 200 });
  return {
    // A phone's camera roll: DCF folders recycle names (IMG_0001.JPG twice).
    'phone/DCIM/100APPLE/IMG_0001.JPG': jpeg({ exif: { ...iphone, dateTimeOriginal: '2023:07:14 09:15:02', offsetTimeOriginal: '+02:00' }, grey: 180 }),
    'phone/DCIM/100APPLE/IMG_0002.JPG': beachDay,
    'phone/DCIM/101APPLE/IMG_0001.JPG': jpeg({ exif: { ...iphone, dateTimeOriginal: '2024:01:02 18:40:55', offsetTimeOriginal: '+01:00' }, grey: 60 }),
    // No offset written, but GPS time lets photosync work it out (+09:00).
    'phone/DCIM/101APPLE/IMG_0002.JPG': jpeg({
      exif: { ...iphone, dateTimeOriginal: '2024:04:05 07:30:00', gpsDate: '2024:04:04', gpsTime: [22, 30, 0] },
      grey: 120,
    }),
    // A Pixel photo without EXIF: its name carries the (UTC) time.
    'phone/DCIM/Camera/PXL_20231006_063000139.jpg': jpeg({ grey: 90, comment: 'no EXIF here' }),
    // A camera card; one picture was also copied to the phone (same bytes: one photo, not two).
    'camera/DCIM/100CANON/IMG_4821.JPG': jpeg({ exif: { ...canon, dateTimeOriginal: '2019:10:26 16:07:24' }, grey: 30 }),
    'camera/DCIM/100CANON/IMG_4822.JPG': jpeg({ exif: { ...canon, dateTimeOriginal: '2019:10:26 16:09:51' }, grey: 240 }),
    'camera/DCIM/100CANON/IMG_4823.JPG': beachDay,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../examples/sample-library', import.meta.url));
  rmSync(root, { recursive: true, force: true });
  for (const [rel, data] of Object.entries(sampleLibrary())) {
    const file = path.join(root, ...rel.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
  }
  process.stdout.write(`wrote ${Object.keys(sampleLibrary()).length} files under ${root}\n`);
}
