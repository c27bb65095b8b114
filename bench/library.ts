/**
 * Photo libraries for the benchmark, written to disk: real JPEGs with EXIF capture dates (built
 * by the tests' media helper), padded to a size with comment segments of random bytes placed
 * after the EXIF block, so a reader that stops after the header reads only the header. Every file
 * has distinct content. Generation is deterministic in names, dates and sizes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { albumJson, assetJson } from '../test/helpers/archives.ts';
import { jpeg } from '../test/helpers/media.ts';

const PER_FOLDER = 1000;
const MAX_SEGMENT = 65_533;

/** Photo number `i`'s capture date, spread over ten years so a {year}/{month} layout has many folders. */
function captureOf(i: number): { exif: string; seconds: number } {
  const year = 2015 + (i % 10);
  const month = 1 + ((i * 7) % 12);
  const day = 1 + ((i * 13) % 28);
  const second = i % 86_400;
  const time = [Math.floor(second / 3600), Math.floor(second / 60) % 60, second % 60].map((n) => String(n).padStart(2, '0'));
  const date = [year, month, day].map((n, k) => String(n).padStart(k === 0 ? 4 : 2, '0'));
  return { exif: `${date.join(':')} ${time.join(':')}`, seconds: Date.UTC(year, month - 1, day) / 1000 + second };
}

/** A real JPEG with EXIF, `bytes` long (at least its header), unique to `i` and `tag`. */
export function photoBytes(i: number, tag: string, bytes: number): Buffer {
  const photo = jpeg({
    exif: { dateTimeOriginal: captureOf(i).exif, offsetTimeOriginal: '+01:00', make: 'Bench', model: 'Camera 1' },
    comment: `${tag} photo ${i}`,
    grey: i % 256,
  });
  let pad = bytes - photo.length;
  if (pad <= 0) return photo;
  // SOI, then the APP1 (EXIF) segment: padding goes after it, where a header reader has already stopped.
  const afterExif = 4 + photo.readUInt16BE(4);
  const segments: Buffer[] = [];
  while (pad > 0) {
    const payload = Math.min(MAX_SEGMENT, Math.max(1, pad - 4));
    const head = Buffer.from([0xff, 0xfe, 0, 0]);
    head.writeUInt16BE(payload + 2, 2);
    segments.push(head, randomBytes(payload));
    pad -= payload + 4;
  }
  return Buffer.concat([photo.subarray(0, afterExif), ...segments, photo.subarray(afterExif)]);
}

export interface PhotoSet {
  /** Sub-folder (DCIM/100APPLE style folders go below it). */
  readonly folder: string;
  readonly first: number;
  readonly count: number;
  /** Size of each file: a mean (sizes vary 0.5–1.5× it, deterministically) or exact. */
  readonly meanBytes?: number;
  readonly exactBytes?: number;
  /** Makes the content of this set differ from another set's files of the same numbers. */
  readonly tag: string;
}

/** Writes photos `first … first+count-1` into `root/folder/DCIM/<n>APPLE/IMG_<i>.JPG`; returns their total bytes. */
export function writePhotos(root: string, set: PhotoSet): number {
  let total = 0;
  for (let i = set.first; i < set.first + set.count; i++) {
    const dir = path.join(root, set.folder, 'DCIM', `${100 + Math.floor(i / PER_FOLDER)}APPLE`);
    if (i % PER_FOLDER === 0 || i === set.first) mkdirSync(dir, { recursive: true });
    const size = set.exactBytes ?? Math.round((set.meanBytes ?? 0) * (0.5 + ((i * 7919) % 1000) / 1000));
    const bytes = photoBytes(i, set.tag, size);
    writeFileSync(path.join(dir, `IMG_${String(i).padStart(6, '0')}.JPG`), bytes);
    total += bytes.length;
  }
  return total;
}

/**
 * A folder-extracted Google Takeout export: `Takeout/Google Photos/Photos from YYYY/IMG_n.jpg`
 * with its `IMG_n.jpg.json` sidecar, and every 20th photo also in an album folder (with the
 * album's metadata.json), as Google exports a photo that is in an album.
 */
export function writeTakeout(root: string, photos: number, meanBytes: number): void {
  const base = path.join(root, 'Takeout', 'Google Photos');
  const album = path.join(base, 'Trip to the sea');
  mkdirSync(album, { recursive: true });
  writeFileSync(path.join(album, 'metadata.json'), albumJson('Trip to the sea'));
  for (let i = 0; i < photos; i++) {
    const { seconds } = captureOf(i);
    const dir = path.join(base, `Photos from ${new Date(seconds * 1000).getUTCFullYear()}`);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    const name = `IMG_${String(i).padStart(6, '0')}.jpg`;
    const bytes = photoBytes(i, 'takeout', Math.round(meanBytes * (0.5 + ((i * 7919) % 1000) / 1000)));
    const sidecar = assetJson(name, seconds);
    writeFileSync(path.join(dir, name), bytes);
    writeFileSync(path.join(dir, `${name}.json`), sidecar);
    if (i % 20 === 0) {
      writeFileSync(path.join(album, name), bytes);
      writeFileSync(path.join(album, `${name}.json`), sidecar);
    }
  }
}

/** Counts regular files below `dir` (dot-files too: a leftover temporary file is a file). */
export function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) n++;
  return n;
}
