/**
 * .tgz / .tar.gz parts read in place. gzip cannot seek, so reaching a member means inflating
 * everything before it. A cursor per archive keeps its position between requests: members asked
 * for in archive order are served in one pass in all. A member behind the cursor restarts it from
 * the start of the archive (the remaining cost: O(archive) for each step backwards); a name the
 * cursor has passed is known at once, and after one full pass every name is, so a member that is
 * not there fails without another pass. A cursor unused for IDLE_MS is closed.
 */
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { ArchiveMember } from './types.ts';

const IDLE_MS = 10_000;

type TarEntry = AsyncIterable<Buffer> & { header: tar.Header };

function openExtract(archive: string): { entries: AsyncIterator<TarEntry>; close: () => void } {
  const extract = tar.extract();
  const input = createReadStream(archive, { highWaterMark: 1024 * 1024 });
  pipeline(input, createGunzip(), extract).catch(() => {
    // Errors reach the reader through the extract's iterator; closing early is not one.
  });
  const entries = (extract as unknown as AsyncIterable<TarEntry>)[Symbol.asyncIterator]();
  return {
    entries,
    close: () => {
      input.destroy();
      extract.destroy();
    },
  };
}

/** Reads and discards the rest of an entry (destroying it would end the whole extract). */
async function drain(entry: TarEntry): Promise<void> {
  for await (const chunk of entry) void chunk;
}

function isFile(header: tar.Header): boolean {
  return header.type === 'file' || header.type === 'contiguous-file';
}

/** Every file in the archive, in archive order (one pass, bodies skipped). */
export async function listTar(archive: string): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  await eachTarMember(archive, async (header, entry) => {
    members.push({ name: header.name, size: header.size ?? 0, mtimeMs: header.mtime?.getTime() ?? 0 });
    await drain(entry);
  });
  return members;
}

/** One pass over the archive, handing each file entry to `visit`, which must consume or drain it. */
export async function eachTarMember(
  archive: string,
  visit: (header: tar.Header, entry: TarEntry) => Promise<void>,
): Promise<void> {
  const { entries, close } = openExtract(archive);
  try {
    for (;;) {
      const { value, done } = await entries.next();
      if (done) return;
      if (isFile(value.header)) await visit(value.header, value);
      else await drain(value);
    }
  } finally {
    close();
  }
}

export { drain as drainTarEntry };

class TarCursor {
  private current: ReturnType<typeof openExtract> | null = null;
  private readonly seen = new Set<string>();
  private complete = false;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** How many times the archive was opened from its start (for tests and diagnostics). */
  starts = 0;

  private readonly archive: string;
  private readonly onIdle: () => void;

  constructor(archive: string, onIdle: () => void) {
    this.archive = archive;
    this.onIdle = onIdle;
  }

  open(member: string): Readable {
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    if (this.timer) clearTimeout(this.timer);
    this.queue = this.queue
      .then(() => this.serve(member, out))
      .catch((err: unknown) => {
        // The pass is in an unknown state (a broken archive, an entry not read to its end): drop it.
        this.close();
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => this.idleLater());
    return out;
  }

  close(): void {
    this.current?.close();
    this.current = null;
  }

  private restart(): ReturnType<typeof openExtract> {
    this.close();
    this.starts++;
    this.current = openExtract(this.archive);
    return this.current;
  }

  private async serve(member: string, out: PassThrough): Promise<void> {
    if (this.complete && !this.seen.has(member)) throw new Error(`${member} is not in ${this.archive}`);
    // A name the cursor has passed is behind it: only a new pass from the start reaches it.
    const cursor = this.current && !this.seen.has(member) ? this.current : this.restart();
    for (;;) {
      const { value, done } = await cursor.entries.next();
      if (done) {
        // Every pass starts at the beginning, so reaching the end means every name has been seen.
        this.complete = true;
        this.close();
        throw new Error(`${member} is not in ${this.archive}`);
      }
      this.seen.add(value.header.name);
      if (value.header.name !== member || !isFile(value.header)) {
        await drain(value);
        continue;
      }
      await copy(value, out);
      return;
    }
  }

  private idleLater(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.close();
      this.onIdle();
    }, IDLE_MS);
    this.timer.unref();
  }
}

/** Copies an entry to `out` with backpressure; if the reader goes away, drains the rest instead. */
async function copy(entry: TarEntry, out: PassThrough): Promise<void> {
  for await (const chunk of entry) {
    if (out.destroyed) continue;
    if (!out.write(chunk)) await writable(out);
  }
  if (!out.destroyed) out.end();
}

/** Resolves when `out` wants more, or is gone (then the caller drains). Never rejects. */
function writable(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

const cursors = new Map<string, TarCursor>();

export function tarCursor(archive: string): TarCursor {
  let cursor = cursors.get(archive);
  if (!cursor) {
    cursor = new TarCursor(archive, () => cursors.delete(archive));
    cursors.set(archive, cursor);
  }
  return cursor;
}

export function openTarMember(archive: string, member: string): Readable {
  return tarCursor(archive).open(member);
}

export function closeTarCursors(): void {
  for (const cursor of cursors.values()) cursor.close();
  cursors.clear();
}
