/**
 * Reads the capture date embedded in a file, from the header bytes the hasher already read
 * (no second pass over the file) and, only for containers whose metadata sits further in,
 * from the file itself in small chunks.
 */
import exifr from 'exifr';
import type { CaptureDate, MediaClass } from '../sources/types.ts';
import { EXIF_DATE_TAGS, exifCaptureDate, type ExifDates } from './capture-date.ts';
import { quickTimeCaptureDate } from './quicktime.ts';

const EXIF_OPTIONS: Parameters<typeof exifr.parse>[1] = {
  // exifr's revivers build Dates in the host's time zone and drop OffsetTimeOriginal.
  reviveValues: false,
  pick: [...EXIF_DATE_TAGS],
  translateKeys: true,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
};

/** `filePath` is null for bytes that are not a plain file (an archive member): only the header is read then. */
export async function embeddedCaptureDate(
  header: Buffer,
  filePath: string | null,
  fileSize: number,
  kind: MediaClass,
): Promise<CaptureDate | null> {
  if (kind === 'video') return quickTimeCaptureDate(header, filePath, fileSize);
  if (kind !== 'photo') return null;
  const fromHeader = await parseExif(header);
  if (fromHeader || fileSize <= header.length || filePath === null) return exifCaptureDate(fromHeader);
  // HEIC/TIFF containers may point at EXIF beyond the header; exifr then reads just those chunks.
  return exifCaptureDate(await parseExif(filePath));
}

async function parseExif(input: Buffer | string): Promise<ExifDates | undefined> {
  try {
    return (await exifr.parse(input, EXIF_OPTIONS)) as ExifDates | undefined;
  } catch {
    // Unknown or damaged formats have no usable EXIF; the next date source decides.
    return undefined;
  }
}
