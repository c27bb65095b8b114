/**
 * The capture date of a Takeout item. `photoTakenTime` is a UTC instant and wins over everything
 * the file carries (the user may have corrected the date in Google Photos). Which wall clock it is
 * shown in, and so which {year}/{month} folder the item lands in:
 *   1. the offset the file's own EXIF/QuickTime date states (OffsetTimeOriginal, GPS, Apple keys);
 *   2. else the offset a local wall clock the file carries implies: an EXIF date without offset,
 *      or a local file-name date (IMG_20200516_154811), compared with the instant; used only when
 *      the difference is a whole quarter hour (±2 min) within ±14 h, so an edited date is not
 *      mistaken for a time zone;
 *   3. else UTC. Deterministic: the same export plans the same on every machine and in CI; the
 *      host's zone is no better a guess for photos taken while travelling.
 * Without photoTakenTime: the file's own date, then its name, then its mtime (as other sources).
 */
import { captureAtOffset, captureFromMtime, captureFromUtc, filenameCaptureDate, formatOffsetMinutes } from '../../media/capture-date.ts';
import type { CaptureDate } from '../types.ts';

const QUARTER_HOUR_MS = 15 * 60_000;
const TOLERANCE_MS = 2 * 60_000;
const MAX_OFFSET_QUARTERS = 14 * 4;

export function takeoutCapture(
  takenMs: number | null,
  embedded: CaptureDate | null,
  name: string,
  mtimeMs: number,
): CaptureDate {
  const fromName = filenameCaptureDate(name);
  if (takenMs === null) return embedded ?? fromName ?? captureFromMtime(mtimeMs);
  const offset =
    embedded?.offset ??
    impliedOffset(takenMs, embedded?.local) ??
    (fromName && fromName.offset === null ? impliedOffset(takenMs, fromName.local) : null);
  return (offset ? captureAtOffset(takenMs, offset, 'takeout-json') : null) ?? captureFromUtc(takenMs, 'takeout-json') ?? captureFromMtime(mtimeMs);
}

/** The UTC offset at which the instant reads as `local`, when that is a plausible time zone. */
export function impliedOffset(instantMs: number, local: string | undefined): string | null {
  if (local === undefined) return null;
  const asUtc = Date.parse(`${local}Z`);
  if (!Number.isFinite(asUtc)) return null;
  const diff = asUtc - instantMs;
  const quarters = Math.round(diff / QUARTER_HOUR_MS);
  if (Math.abs(quarters) > MAX_OFFSET_QUARTERS || Math.abs(diff - quarters * QUARTER_HOUR_MS) > TOLERANCE_MS) return null;
  return formatOffsetMinutes(quarters * 15);
}
