/**
 * Capture dates of MOV/MP4 files (exifr cannot read them): Apple's
 * `com.apple.quicktime.creationdate` (with its offset) first, else the movie header's
 * creation_time (seconds since 1904, UTC by the spec; 0 means unset). Only box headers and the
 * `moov` box are read, never the media data.
 */
import { open } from 'node:fs/promises';
import type { CaptureDate } from '../sources/types.ts';
import { captureFromUtc, parseOffset } from './capture-date.ts';

const SECONDS_1904_TO_1970 = 2_082_844_800;
/** A moov larger than this is not a phone or camera video's; refuse rather than buffer it. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

interface Box {
  readonly type: string;
  /** Offset of the payload (after the header). */
  readonly start: number;
  /** Offset just past the box. */
  readonly end: number;
}

function readBoxHeader(buf: Buffer, offset: number, limit: number): Box | null {
  if (offset + 8 > limit || offset + 8 > buf.length) return null;
  let size = buf.readUInt32BE(offset);
  const type = buf.toString('latin1', offset + 4, offset + 8);
  let headerSize = 8;
  if (size === 1) {
    if (offset + 16 > buf.length) return null;
    size = Number(buf.readBigUInt64BE(offset + 8));
    headerSize = 16;
  } else if (size === 0) {
    size = limit - offset;
  }
  if (size < headerSize) return null;
  return { type, start: offset + headerSize, end: offset + size };
}

function* children(buf: Buffer, start: number, end: number): Generator<Box> {
  let offset = start;
  while (offset < end) {
    const box = readBoxHeader(buf, offset, end);
    if (!box || box.end > end) return;
    yield box;
    offset = box.end;
  }
}

/** Finds the top-level moov box, in the header bytes if it is there, else by walking the file. */
async function loadMoov(header: Buffer, filePath: string | null, fileSize: number): Promise<Buffer | null> {
  let offset = 0;
  const handle = header.length >= fileSize || filePath === null ? null : await open(filePath, 'r');
  try {
    const head = Buffer.alloc(16);
    while (offset + 8 <= fileSize) {
      let box: Box | null;
      if (offset + 16 <= header.length || header.length >= fileSize) {
        box = readBoxHeader(header, offset, fileSize);
      } else {
        if (!handle) return null;
        const { bytesRead } = await handle.read(head, 0, 16, offset);
        box = readBoxHeader(head.subarray(0, bytesRead), 0, fileSize - offset);
        if (box) box = { type: box.type, start: box.start + offset, end: box.end + offset };
      }
      if (!box || box.end <= offset) return null;
      if (box.type === 'moov') {
        const length = box.end - box.start;
        if (length > MAX_MOOV_BYTES) return null;
        if (box.end <= header.length) return header.subarray(box.start, box.end);
        if (!handle) return null;
        const moov = Buffer.alloc(length);
        const { bytesRead } = await handle.read(moov, 0, length, box.start);
        return moov.subarray(0, bytesRead);
      }
      offset = box.end;
    }
    return null;
  } finally {
    await handle?.close();
  }
}

export async function quickTimeCaptureDate(header: Buffer, filePath: string | null, fileSize: number): Promise<CaptureDate | null> {
  // Not an ISO-BMFF/QuickTime file (AVI, MKV…): no box structure to read.
  const first = readBoxHeader(header, 0, fileSize);
  if (!first || !/^[a-z ]{4}$/i.test(first.type)) return null;
  let moov: Buffer | null;
  try {
    moov = await loadMoov(header, filePath, fileSize);
  } catch {
    return null;
  }
  if (!moov) return null;
  return appleCreationDate(moov) ?? movieHeaderDate(moov);
}

export function movieHeaderDate(moov: Buffer): CaptureDate | null {
  for (const box of children(moov, 0, moov.length)) {
    if (box.type !== 'mvhd' || box.end - box.start < 12) continue;
    const version = moov.readUInt8(box.start);
    const seconds = version === 1 ? Number(moov.readBigUInt64BE(box.start + 4)) : moov.readUInt32BE(box.start + 4);
    if (seconds === 0) return null;
    // Some writers count from 1970 instead of 1904 (ExifTool patches these the same way).
    const unix = seconds >= SECONDS_1904_TO_1970 ? seconds - SECONDS_1904_TO_1970 : seconds;
    return captureFromUtc(unix * 1000, 'quicktime');
  }
  return null;
}

/** moov/meta with keys + ilst, as iPhones write it: "2019-10-20T18:34:30+0200". */
export function appleCreationDate(moov: Buffer): CaptureDate | null {
  for (const meta of children(moov, 0, moov.length)) {
    if (meta.type !== 'meta') continue;
    // QuickTime's meta is a plain box; ISO's is a full box with 4 bytes of version and flags.
    const probe = readBoxHeader(moov, meta.start, meta.end);
    const start = probe && /^[a-z]{4}$/.test(probe.type) ? meta.start : meta.start + 4;
    const keys: string[] = [];
    let value: string | null = null;
    for (const box of children(moov, start, meta.end)) {
      if (box.type === 'keys' && box.end - box.start >= 8) {
        const count = moov.readUInt32BE(box.start + 4);
        let offset = box.start + 8;
        for (let i = 0; i < count && offset + 8 <= box.end; i++) {
          const size = moov.readUInt32BE(offset);
          if (size < 8) break;
          keys.push(moov.toString('utf8', offset + 8, Math.min(offset + size, box.end)));
          offset += size;
        }
      } else if (box.type === 'ilst') {
        const wanted = keys.indexOf('com.apple.quicktime.creationdate') + 1;
        if (wanted === 0) continue;
        for (const item of children(moov, box.start, box.end)) {
          if (moov.readUInt32BE(item.start - 4) !== wanted) continue;
          for (const data of children(moov, item.start, item.end)) {
            if (data.type === 'data' && data.end - data.start > 8) value = moov.toString('utf8', data.start + 8, data.end);
          }
        }
      }
    }
    if (value) return parseAppleDate(value);
  }
  return null;
}

function parseAppleDate(text: string): CaptureDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  return { local, offset: m[7] ? parseOffset(m[7]) : null, source: 'quicktime' };
}
