/**
 * Runs in a worker thread: streams one file through SHA-256 (never the whole file in memory) and,
 * from the first bytes it read anyway, extracts the embedded capture date. A small sidecar's text
 * comes back too, so its source type can read it without a second pass.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { embeddedCaptureDate } from '../media/embedded-date.ts';
import { runBatch, type BatchOutcome } from '../workers/run-batch.ts';
import { isArchiveOrigin } from './open.ts';
import type { CaptureDate, MediaClass } from './types.ts';

export interface HashTask {
  readonly origin: string;
  readonly kind: MediaClass;
  /** Return the file's text (sidecars of at most MAX_TEXT_BYTES). */
  readonly wantText?: boolean;
}

export interface HashResult {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly capture: CaptureDate | null;
  /** The first bytes, hex, for content sniffing (a JPEG named .HEIC). */
  readonly magic: string;
  readonly text?: string;
}

const CHUNK = 1024 * 1024;
/** Enough for EXIF in JPEGs and for the metadata boxes of nearly all HEIC and phone videos. */
export const HEADER_BYTES = 256 * 1024;
export const MAX_TEXT_BYTES = 1024 * 1024;

/** The worker's entry: a batch of files per message (see workers/batch-pool.ts). */
export default function hashBatch(tasks: readonly HashTask[]): Promise<BatchOutcome<HashResult>[]> {
  return runBatch(tasks, hashFile);
}

/**
 * Reads with synchronous calls: in a worker thread nothing else waits on this thread, and a
 * synchronous read skips the thread-pool round trip that dominates the cost of a small file.
 */
export async function hashFile(task: HashTask): Promise<HashResult> {
  if (isArchiveOrigin(task.origin)) throw new Error('archive members are hashed by their source type, in one pass per archive');
  const fd = openSync(task.origin, 'r');
  let digest: StreamDigest;
  let before: Stats;
  try {
    before = fstatSync(fd);
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, before.size)));
    digest = new StreamDigest(before.size, task.wantText === true);
    let position = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      digest.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const after = fstatSync(fd);
    if (position !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new Error('the file changed while it was being read');
    }
  } finally {
    closeSync(fd);
  }
  return digest.finish(task, { mtimeMs: before.mtimeMs, ino: before.ino }, task.origin);
}

/** Hashes a stream (an archive member) the same way. */
export async function hashStream(
  stream: AsyncIterable<Buffer>,
  size: number,
  task: HashTask,
  stat: { mtimeMs: number; ino: number },
): Promise<HashResult> {
  const digest = new StreamDigest(size, task.wantText === true);
  for await (const chunk of stream) digest.update(chunk);
  if (digest.length !== size) throw new Error(`read ${digest.length} bytes, the archive says ${size}`);
  return digest.finish(task, stat, null);
}

class StreamDigest {
  private readonly hash = createHash('sha256');
  private readonly header: Buffer;
  private readonly text: Buffer[] | null;
  length = 0;

  constructor(size: number, wantText: boolean) {
    this.header = Buffer.alloc(Math.min(HEADER_BYTES, size));
    this.text = wantText && size <= MAX_TEXT_BYTES ? [] : null;
  }

  update(chunk: Buffer): void {
    if (this.length < this.header.length) chunk.copy(this.header, this.length, 0, Math.min(chunk.length, this.header.length - this.length));
    this.text?.push(Buffer.from(chunk));
    this.hash.update(chunk);
    this.length += chunk.length;
  }

  async finish(task: HashTask, stat: { mtimeMs: number; ino: number }, path: string | null): Promise<HashResult> {
    // Containers whose metadata lies past the header are re-read in chunks, from a real file only.
    const capture = await embeddedCaptureDate(this.header, path, this.length, task.kind);
    return {
      sha256: this.hash.digest('hex'),
      size: this.length,
      mtimeMs: stat.mtimeMs,
      ino: stat.ino,
      capture,
      magic: this.header.subarray(0, 16).toString('hex'),
      ...(this.text ? { text: Buffer.concat(this.text).toString('utf8') } : {}),
    };
  }
}
