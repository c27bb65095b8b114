/**
 * Drive's resumable upload (shared/docs/cloud-apis.md §1.2), which googleapis has no helper for:
 * initiate with the metadata, PUT chunks of 256 KiB multiples with Content-Range, and after each
 * 308 continue from the server's Range, not from our own count. The session and the pre-generated
 * file id live in the ResumeSlot, saved before anything is sent, so a retry or a new process
 * resumes the session (a status query says where) and a 404 means it expired: start a new one.
 *
 * A session holds bytes that no verified stream vouched for yet: before each chunk the slot also
 * records digests of the bytes sent up to each 256 KiB boundary of that chunk, and a resume first
 * checks that the local file still starts with what the session holds. Otherwise a source that
 * changed and changed back would splice old bytes into a file Drive then commits for good.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { ResumeSlot, UploadBody, UploadOptions } from '../types.ts';
import { FILE_FIELDS, toDriveFile, type DriveApi, type DriveFile, type NewFileMetadata } from './api.ts';
import { HttpStatusError } from './errors.ts';
import { RemoteError } from '../errors.ts';

export const CHUNK_UNIT = 256 * 1024;

export interface SavedUpload {
  readonly fileId: string;
  /** The session URI, once initiated. */
  readonly session: string | null;
  /** SHA-256 of bytes [0, at + i·256 KiB) for the chunk in flight: what the session may hold. */
  readonly mark: { readonly at: number; readonly digests: readonly string[] } | null;
}

interface SlotRecord extends SavedUpload {
  readonly v: 1;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** One upload's entry in a ResumeSlot; an entry for other content or another path is ignored. */
export class UploadRecord {
  private readonly slot: ResumeSlot;
  private readonly key: { readonly path: string; readonly sha256: string; readonly size: number };

  constructor(slot: ResumeSlot, key: { path: string; sha256: string; size: number }) {
    this.slot = slot;
    this.key = key;
  }

  load(): SavedUpload | null {
    const text = this.slot.load();
    if (!text) return null;
    try {
      const r = JSON.parse(text) as SlotRecord;
      const mine = r.v === 1 && r.path === this.key.path && r.sha256 === this.key.sha256 && r.size === this.key.size;
      return mine && typeof r.fileId === 'string' ? { fileId: r.fileId, session: r.session ?? null, mark: r.mark ?? null } : null;
    } catch {
      return null;
    }
  }

  save(upload: SavedUpload): void {
    this.slot.save(JSON.stringify({ v: 1, ...this.key, ...upload } satisfies SlotRecord));
  }

  clear(): void {
    this.slot.clear();
  }
}

type Answer = { kind: 'done'; file: DriveFile } | { kind: 'partial'; offset: number } | { kind: 'expired' };

export class ResumableUploader {
  private readonly api: DriveApi;
  private readonly dispatcher: Dispatcher;
  private readonly chunkBytes: number;

  constructor(api: DriveApi, dispatcher: Dispatcher, chunkBytes: number) {
    if (chunkBytes <= 0 || chunkBytes % CHUNK_UNIT !== 0) throw new Error(`resumable chunk size ${chunkBytes} is not a multiple of 256 KiB`);
    this.api = api;
    this.dispatcher = dispatcher;
    this.chunkBytes = chunkBytes;
  }

  async upload(metadata: NewFileMetadata, body: UploadBody, record: UploadRecord, saved: SavedUpload, options: UploadOptions): Promise<DriveFile> {
    let state = saved;
    for (let restarts = 0; ; restarts++) {
      const stream = body.open(0);
      try {
        let offset = 0;
        if (state.session) {
          const answer = await this.send(state.session, null, 0, body.size, options);
          if (answer.kind === 'done') return answer.file;
          if (answer.kind === 'partial') offset = answer.offset;
          else state = { fileId: state.fileId, session: null, mark: null };
        }
        const reader = new ChunkReader(stream);
        const prefix = createHash('sha256');
        if (offset > 0) {
          const expected = expectedDigest(state.mark, offset);
          if (expected === undefined || (await reader.discard(offset, prefix)) !== expected) {
            // The session holds bytes the local file no longer starts with (or that cannot be
            // checked): abandon it, and send everything to a new one.
            state = { fileId: state.fileId, session: null, mark: null };
            record.save(state);
            continue;
          }
        }
        if (!state.session) {
          state = { fileId: state.fileId, session: await this.initiate(metadata, body.size, options), mark: null };
          record.save(state);
        }
        return await this.sendFrom(reader, prefix, offset, state, metadata.name, body.size, record, options);
      } catch (err) {
        if (!(err instanceof SessionExpired)) throw err;
        if (restarts >= 2) throw new RemoteError(this.api.remote, 'retryable', `${metadata.name}: Drive keeps losing the upload session`);
        state = { fileId: state.fileId, session: null, mark: null };
        record.save(state);
      } finally {
        stream.destroy();
      }
    }
  }

  private async sendFrom(
    reader: ChunkReader, prefix: Hash, start: number, state: SavedUpload, name: string, total: number, record: UploadRecord, options: UploadOptions,
  ): Promise<DriveFile> {
    const session = state.session!;
    let offset = start;
    let sent = prefix;
    for (;;) {
      const n = Math.min(this.chunkBytes, total - offset);
      if (n <= 0) throw new RemoteError(this.api.remote, 'fatal', `${name}: Drive asked for more bytes after all ${total} were sent`);
      const chunk = await reader.take(n);
      const running = sent.copy();
      const digests = [running.copy().digest('hex')];
      for (let i = 0; i < chunk.length; i += CHUNK_UNIT) {
        running.update(chunk.subarray(i, i + CHUNK_UNIT));
        digests.push(running.copy().digest('hex'));
      }
      record.save({ ...state, mark: { at: offset, digests } });
      const answer = await this.send(session, chunk, offset, total, options);
      if (answer.kind === 'done') {
        options.onProgress?.(total);
        return answer.file;
      }
      if (answer.kind === 'expired') throw new SessionExpired();
      const acked = answer.offset;
      if (acked > offset + n) throw new RemoteError(this.api.remote, 'fatal', `${name}: Drive reports ${acked} bytes received, only ${offset + n} were sent`);
      // Fewer bytes than before cannot be resumed from this stream: start over on a new session.
      if (acked < offset) throw new SessionExpired();
      if (acked === offset + n) sent = running;
      else {
        sent.update(chunk.subarray(0, acked - offset));
        reader.unshift(chunk.subarray(acked - offset));
      }
      offset = acked;
      options.onProgress?.(offset);
    }
  }

  private async initiate(metadata: NewFileMetadata, total: number, options: UploadOptions): Promise<string> {
    const url = `${this.api.rootUrl}upload/drive/v3/files?uploadType=resumable&fields=${encodeURIComponent(FILE_FIELDS)}`;
    return this.api.authorized(
      `start uploading ${metadata.name}`,
      async (authorization) => {
        const res = await request(url, {
          method: 'POST',
          dispatcher: this.dispatcher,
          signal: options.signal,
          headers: {
            authorization,
            'content-type': 'application/json; charset=UTF-8',
            'x-upload-content-type': metadata.mimeType,
            'x-upload-content-length': String(total),
          },
          body: JSON.stringify({ ...metadata, parents: [...metadata.parents] }),
        });
        const location = res.headers['location'];
        if (res.statusCode !== 200 || typeof location !== 'string') throw await statusError(res);
        await res.body.dump();
        return new URL(location, url).href;
      },
      options.signal,
    );
  }

  /** One PUT on the session: a chunk from `offset`, or with no chunk a status query (bytes *\/total). */
  private send(session: string, chunk: Buffer | null, offset: number, total: number, options: UploadOptions): Promise<Answer> {
    const range = chunk ? `bytes ${offset}-${offset + chunk.length - 1}/${total}` : `bytes */${total}`;
    return this.api.authorized(
      `upload bytes ${range.slice(6)}`,
      async (authorization) => {
        // The session URI is itself a credential; the token goes only where the API lives.
        const sameOrigin = new URL(session).origin === new URL(this.api.rootUrl).origin;
        const res = await request(session, {
          method: 'PUT',
          dispatcher: this.dispatcher,
          signal: options.signal,
          headers: { ...(sameOrigin ? { authorization } : {}), 'content-range': range, 'content-length': String(chunk?.length ?? 0) },
          body: chunk ?? '',
        });
        if (res.statusCode === 200 || res.statusCode === 201) return { kind: 'done', file: toDriveFile((await res.body.json()) as object) };
        if (res.statusCode === 308) {
          await res.body.dump();
          const m = /^bytes=0-(\d+)$/.exec(String(res.headers['range'] ?? ''));
          // No Range: nothing persisted yet.
          return { kind: 'partial', offset: m ? Number(m[1]) + 1 : 0 };
        }
        if (res.statusCode === 404) {
          await res.body.dump();
          return { kind: 'expired' };
        }
        throw await statusError(res);
      },
      options.signal,
    );
  }
}

class SessionExpired extends Error {}

async function statusError(res: Dispatcher.ResponseData): Promise<HttpStatusError> {
  const text = await res.body.text().catch(() => '');
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, value);
  }
  return new HttpStatusError(res.statusCode, headers, data);
}

/** The digest saved for a resume at `offset`: sessions are resumed only where we can check them. */
function expectedDigest(mark: SavedUpload['mark'], offset: number): string | undefined {
  if (!mark) return undefined;
  const step = (offset - mark.at) / CHUNK_UNIT;
  return Number.isInteger(step) && step >= 0 ? mark.digests[step] : undefined;
}

/** Exact-size pieces of a stream; a piece the server did not take goes back in front. */
class ChunkReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  unshift(buf: Buffer): void {
    if (buf.length === 0) return;
    this.pending.unshift(buf);
    this.pendingBytes += buf.length;
  }

  private async fill(n: number): Promise<void> {
    while (this.pendingBytes < n) {
      const { value, done } = (await this.iterator.next()) as IteratorResult<Buffer>;
      if (done) throw new Error(`the upload body ended ${n - this.pendingBytes} bytes early`);
      this.pending.push(value);
      this.pendingBytes += value.length;
    }
  }

  async take(n: number): Promise<Buffer> {
    await this.fill(n);
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = all.length > n ? [all.subarray(n)] : [];
    this.pendingBytes = all.length - n;
    return all.subarray(0, n);
  }

  /** Consumes `n` bytes into `hash` without keeping them (a resumed prefix can be gigabytes); returns the digest so far. */
  async discard(n: number, hash: Hash): Promise<string> {
    let left = n;
    while (left > 0) {
      const piece = await this.take(Math.min(left, 4 * 1024 * 1024));
      hash.update(piece);
      left -= piece.length;
    }
    return hash.copy().digest('hex');
  }
}
