/**
 * Capture dates from the places a photo keeps them, each result tagged with where it came from.
 * Dates stay as wall-clock strings plus an optional offset: nothing here converts through the
 * host's time zone (exifr's own date reviving does, so it is switched off).
 */
import type { CaptureDate } from '../sources/types.ts';

export interface ExifDates {
  readonly DateTimeOriginal?: unknown;
  readonly CreateDate?: unknown;
  readonly OffsetTimeOriginal?: unknown;
  readonly OffsetTime?: unknown;
  readonly GPSDateStamp?: unknown;
  readonly GPSTimeStamp?: unknown;
}

/** Tags asked of exifr; everything else is skipped while parsing. */
export const EXIF_DATE_TAGS = [
  'DateTimeOriginal',
  'CreateDate',
  'OffsetTimeOriginal',
  'OffsetTime',
  'GPSDateStamp',
  'GPSTimeStamp',
] as const;

/** "2019:10:20 18:34:30" → "2019-10-20T18:34:30", or null for empty/invalid ("0000:00:00 …"). */
export function parseExifDateTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m as unknown as [string, string, string, string, string, string, string];
  return validLocal(`${y}-${mo}-${d}T${h}:${mi}:${s}`);
}

/** "+02:00" / "-0530" / "Z" → "+02:00" form, or null. */
export function parseOffset(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (v === 'Z') return '+00:00';
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(v);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 14 || minutes > 59) return null;
  return `${m[1]}${m[2]}:${m[3]}`;
}

export function exifCaptureDate(tags: ExifDates | undefined | null): CaptureDate | null {
  if (!tags) return null;
  const local = parseExifDateTime(tags.DateTimeOriginal) ?? parseExifDateTime(tags.CreateDate);
  if (!local) return null;
  const offset =
    parseOffset(tags.OffsetTimeOriginal) ?? parseOffset(tags.OffsetTime) ?? offsetFromGps(local, tags);
  return { local, offset, source: 'exif' };
}

/**
 * GPS time is UTC; a camera's DateTimeOriginal is local. Their difference, rounded to a quarter
 * hour, is the offset at the place of capture (how the iPhone XS sample gets its +07:00).
 */
function offsetFromGps(local: string, tags: ExifDates): string | null {
  const date = parseExifDateTime(`${String(tags.GPSDateStamp ?? '')} 00:00:00`);
  const time = tags.GPSTimeStamp;
  if (!date || !Array.isArray(time) || time.length < 3) return null;
  const [h, m, s] = time.map(Number) as [number, number, number];
  if (![h, m, s].every(Number.isFinite)) return null;
  const gpsUtcMs = Date.parse(`${date.slice(0, 10)}T00:00:00Z`) + ((h * 60 + m) * 60 + s) * 1000;
  const localAsUtcMs = Date.parse(`${local}Z`);
  const quarterHours = Math.round((localAsUtcMs - gpsUtcMs) / (15 * 60 * 1000));
  if (Math.abs(quarterHours) > 14 * 4) return null;
  return formatOffsetMinutes(quarterHours * 15);
}

export function formatOffsetMinutes(totalMinutes: number): string {
  const sign = totalMinutes < 0 ? '-' : '+';
  const abs = Math.abs(totalMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A UTC instant as a capture date whose wall clock is UTC (used when no local offset is known). */
export function captureFromUtc(ms: number, source: CaptureDate['source']): CaptureDate | null {
  if (!Number.isFinite(ms)) return null;
  const local = validLocal(new Date(ms).toISOString().slice(0, 19));
  return local ? { local, offset: '+00:00', source } : null;
}

/** A UTC instant shown at a known offset. */
export function captureAtOffset(ms: number, offset: string, source: CaptureDate['source']): CaptureDate | null {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return null;
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const local = validLocal(new Date(ms + minutes * 60_000).toISOString().slice(0, 19));
  return local ? { local, offset, source } : null;
}

/** The file's mtime as the host's wall clock (the scanner's machine is the best guess there is). */
export function captureFromMtime(mtimeMs: number): CaptureDate {
  const d = new Date(mtimeMs);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const local = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
  return { local, offset: formatOffsetMinutes(-d.getTimezoneOffset()), source: 'mtime' };
}

const FILENAME_PATTERNS: readonly { re: RegExp; utc: boolean }[] = [
  // Pixel: PXL_20231006_063000139 is UTC.
  { re: /^PXL_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\d{0,3}/, utc: true },
  // Android/Samsung/Huawei camera names are local: IMG_20200516_154811, VID_…, MVIMG_…, 20231014_183246.
  { re: /^(?:IMG|VID|MVIMG|PANO|BURST|Screenshot)?[_-]?(\d{4})(\d{2})(\d{2})[_-](\d{2})(\d{2})(\d{2})/, utc: false },
  // Screenshot_2017-07-05-10-05-26, signal-2020-07-18-183333, 2020-07-18 18.33.33
  { re: /(?:^|[^0-9])(\d{4})-(\d{2})-(\d{2})[-_ T](\d{2})[-.:]?(\d{2})[-.:]?(\d{2})/, utc: false },
];

export function filenameCaptureDate(name: string): CaptureDate | null {
  for (const { re, utc } of FILENAME_PATTERNS) {
    const m = re.exec(name);
    if (!m) continue;
    const local = validLocal(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`);
    if (!local) continue;
    return { local, offset: utc ? '+00:00' : null, source: 'filename' };
  }
  return null;
}

/** Accepts "YYYY-MM-DDTHH:MM:SS" only when it is a real date in a plausible range. */
function validLocal(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (y < 1826 || y > 2200 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 60) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth) return null;
  return text;
}
