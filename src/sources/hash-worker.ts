/**
 * Runs in a worker thread: streams one file through SHA-256 with a reused buffer (never the whole
 * file in memory) and, from the first bytes it read anyway, extracts the embedded capture date.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { embeddedCaptureDate } from '../media/embedded-date.ts';
import type { CaptureDate, MediaClass } from './types.ts';

export interface HashTask {
  readonly path: string;
  readonly kind: MediaClass;
}

export interface HashResult {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly capture: CaptureDate | null;
  /** The first bytes, for content sniffing (a JPEG named .HEIC). */
  readonly magic: string;
}

const CHUNK = 1024 * 1024;
/** Enough for EXIF in JPEGs and for the metadata boxes of nearly all HEIC and phone videos. */
const HEADER_BYTES = 256 * 1024;

export default async function hashFile(task: HashTask): Promise<HashResult> {
  const handle = await open(task.path, 'r');
  try {
    const before = await handle.stat();
    // One buffer per call: calls may overlap (on the main thread, several files are read at once).
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, before.size)));
    const hash = createHash('sha256');
    const header = Buffer.alloc(Math.min(HEADER_BYTES, before.size));
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      if (position < header.length) chunk.copy(header, position, 0, Math.min(bytesRead, header.length - position));
      hash.update(chunk);
      position += bytesRead;
    }
    const after = await handle.stat();
    if (position !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new Error('the file changed while it was being read');
    }
    const capture = await embeddedCaptureDate(header, task.path, before.size, task.kind);
    return {
      sha256: hash.digest('hex'),
      size: before.size,
      mtimeMs: before.mtimeMs,
      ino: before.ino,
      capture,
      magic: header.subarray(0, 16).toString('hex'),
    };
  } finally {
    await handle.close();
  }
}
