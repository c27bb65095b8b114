/**
 * Creating a file on OneDrive without ever replacing one (cloud-apis.md §3.2, §3.3). Small files
 * go up in one PUT with conflictBehavior=fail. Larger ones go through an upload session whose
 * fragments photosync sends itself with plain fetch, not with the SDK's LargeFileUploadTask:
 * that task defaults to conflictBehavior "rename", sends fragments through the Graph client
 * (which attaches the token whenever the upload host is a Graph or custom host, and re-parses the
 * upload URL), returns a 409 at the last fragment as a bare JSON object without status or
 * headers, and its StreamUpload never listens for a stream error, so a source that changes
 * mid-upload would hang it instead of failing. Here the session is created through the client,
 * fragments carry no Authorization, follow nextExpectedRanges, and the last one is only sent
 * once the body's stream has verified the content.
 */
import type { Readable } from 'node:stream';
import { AlreadyExistsError, RemoteError, isRemoteError } from '../errors.ts';
import type { ResumeSlot, UploadBody, UploadOptions } from '../types.ts';
import type { DriveItem, GraphApi } from './api.ts';
import { classifyFailure, classifyGraphError, failureOfResponse } from './errors.ts';

/** Fragments must be multiples of 320 KiB, and under 60 MiB. */
export const FRAGMENT_UNIT = 320 * 1024;
const MAX_FRAGMENT = 60 * 1024 * 1024;

export interface UploadSettings {
  /** Bytes per upload-session fragment. */
  readonly fragmentBytes: number;
  /** Files up to this size go up in a single PUT. */
  readonly simpleUploadMax: number;
}

/** 10 × 320 KiB ≈ 3.1 MiB fragments; simple PUT up to 4 MB, the limit the OneDrive docs still state. */
export const DEFAULT_UPLOAD_SETTINGS: UploadSettings = { fragmentBytes: 10 * FRAGMENT_UNIT, simpleUploadMax: 4 * 1024 * 1024 };

export function checkUploadSettings(settings: UploadSettings): void {
  const { fragmentBytes } = settings;
  if (fragmentBytes <= 0 || fragmentBytes % FRAGMENT_UNIT !== 0 || fragmentBytes >= MAX_FRAGMENT) {
    throw new Error(`fragmentBytes ${fragmentBytes} must be a positive multiple of ${FRAGMENT_UNIT} below ${MAX_FRAGMENT}`);
  }
}

/** What a ResumeSlot holds for an upload session. */
interface SessionRecord {
  readonly v: 1;
  readonly uploadUrl: string;
  readonly size: number;
  readonly sha256: string;
  readonly expires: string;
}

interface SessionStatus {
  readonly expirationDateTime?: string;
  readonly nextExpectedRanges?: readonly string[];
}

/** A fragment the server did not take in this many times in a row means it is not making progress. */
const MAX_STALLS = 3;

export class DriveUploader {
  /** Sessions of uploads given no ResumeSlot: an executor retry in this run can still continue them. */
  private readonly unsaved = new Map<string, string>();

  private readonly remote: string;
  private readonly api: GraphApi;
  private readonly fetchImpl: typeof fetch;
  private readonly settings: UploadSettings;

  constructor(remote: string, api: GraphApi, fetchImpl: typeof fetch, settings: UploadSettings) {
    this.remote = remote;
    this.api = api;
    this.fetchImpl = fetchImpl;
    this.settings = settings;
  }

  /** Creates the item at `address` (a drive address, see names.ts); `path` names it in errors. */
  async upload(address: string, path: string, body: UploadBody, options: UploadOptions): Promise<DriveItem> {
    if (body.size <= this.settings.simpleUploadMax) {
      // Read to the end first: the stream only ends once the content matched the plan.
      const bytes = await readAll(body.open(), options.signal);
      const item = await this.api.putBytes<DriveItem>(`${address}/content?@microsoft.graph.conflictBehavior=fail`, bytes, path, options.signal);
      options.onProgress?.(body.size);
      return item;
    }
    const slot = options.resume ?? this.memorySlot(path, body.sha256);
    const session = (await this.resumable(slot, body, path, options.signal)) ?? (await this.createSession(address, path, body, slot, options.signal));
    try {
      const item = await this.sendFragments(session.url, session.start, body, path, options);
      slot.clear();
      return item;
    } catch (err) {
      // A retry can continue a session after a transient failure (a crash too, with a saved slot);
      // after anything else the session is ours to cancel, and nothing stays at the name.
      const resumable = isRemoteError(err) && err.retryable;
      const interrupted = options.signal?.aborted === true && options.resume !== undefined;
      if (!resumable && !interrupted) {
        slot.clear();
        await this.cancel(session.url);
      }
      throw err;
    }
  }

  /** Cancels the sessions of this run that no ResumeSlot remembers. */
  async close(): Promise<void> {
    const records = [...this.unsaved.values()];
    this.unsaved.clear();
    for (const text of records) await this.cancel((JSON.parse(text) as SessionRecord).uploadUrl);
  }

  private async createSession(address: string, path: string, body: UploadBody, slot: ResumeSlot, signal?: AbortSignal): Promise<{ url: string; start: number }> {
    let created: { uploadUrl: string; expirationDateTime: string };
    try {
      created = await this.api.post(
        `${address}/createUploadSession`,
        // The SDK's task would default to "rename"; the service's own default has been seen to be replace.
        // fileSize lets Personal refuse a file that cannot fit before any byte is sent.
        { item: { '@microsoft.graph.conflictBehavior': 'fail', fileSize: body.size } },
        path,
        signal,
      );
    } catch (err) {
      throw err instanceof AlreadyExistsError ? await this.takenOrLocked(address, path, err, signal) : err;
    }
    const record: SessionRecord = { v: 1, uploadUrl: created.uploadUrl, size: body.size, sha256: body.sha256, expires: created.expirationDateTime };
    slot.save(JSON.stringify(record));
    return { url: created.uploadUrl, start: 0 };
  }

  /**
   * OneDrive for Business also answers nameAlreadyExists while another session for the name is
   * open ("currently being uploaded"), e.g. one a crashed run left without a ResumeSlot. That
   * name is not taken: the upload can succeed once that session expires.
   */
  private async takenOrLocked(address: string, path: string, conflict: AlreadyExistsError, signal?: AbortSignal): Promise<RemoteError> {
    try {
      await this.api.get(address, path, signal);
      return conflict;
    } catch (err) {
      if (!isRemoteError(err, 'not-found')) throw err;
      return new RemoteError(this.remote, 'retryable', `${path}: an unfinished upload session holds this name on OneDrive; it is free again once that session expires`, {
        cause: conflict,
      });
    }
  }

  /** The saved session of this content, if the service still has it, and where to continue. */
  private async resumable(slot: ResumeSlot, body: UploadBody, path: string, signal?: AbortSignal): Promise<{ url: string; start: number } | null> {
    const text = slot.load();
    if (text === null) return null;
    let record: SessionRecord;
    try {
      record = JSON.parse(text) as SessionRecord;
    } catch {
      slot.clear();
      return null;
    }
    if (record.v !== 1 || record.size !== body.size || record.sha256 !== body.sha256 || !(Date.parse(record.expires) > Date.now())) {
      slot.clear();
      return null;
    }
    const start = await this.nextExpected(record.uploadUrl, body.size, path, signal);
    if (start === null) {
      slot.clear();
      await this.cancel(record.uploadUrl);
      return null;
    }
    return { url: record.uploadUrl, start };
  }

  private async sendFragments(url: string, start: number, body: UploadBody, path: string, options: UploadOptions): Promise<DriveItem> {
    let position = start;
    let reader = new ExactReader(body.open(position));
    let stalls = 0;
    try {
      for (;;) {
        const length = Math.min(this.settings.fragmentBytes, body.size - position);
        const bytes = await reader.read(length);
        options.signal?.throwIfAborted();
        const response = await this.send(url, { method: 'PUT', headers: { 'Content-Range': `bytes ${position}-${position + length - 1}/${body.size}` }, body: bytes }, path, options.signal);
        let next: number | null;
        if (response.status === 200 || response.status === 201) {
          options.onProgress?.(body.size);
          return (await response.json()) as DriveItem;
        }
        if (response.status === 202) next = firstStart(((await response.json()) as SessionStatus).nextExpectedRanges, body.size);
        else if (response.status === 416) {
          // An overlap or a gap: ask the session what it has, and go on from there.
          await response.body?.cancel();
          next = await this.nextExpected(url, body.size, path, options.signal);
        } else throw classifyFailure(this.remote, await failureOfResponse(response), path);
        if (next === null) throw new RemoteError(this.remote, 'retryable', `${path}: the upload session expects no more bytes but made no file`);
        stalls = next > position ? 0 : stalls + 1;
        if (stalls >= MAX_STALLS) throw new RemoteError(this.remote, 'retryable', `${path}: the upload session keeps asking for byte ${next}`);
        options.onProgress?.(next);
        if (next !== position + length) {
          reader.destroy();
          reader = new ExactReader(body.open(next));
        }
        position = next;
      }
    } finally {
      reader.destroy();
    }
  }

  /** Where the session wants the next fragment to start; null when the session is gone (start over). */
  private async nextExpected(url: string, size: number, path: string, signal?: AbortSignal): Promise<number | null> {
    const response = await this.send(url, { method: 'GET' }, path, signal, true);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw classifyFailure(this.remote, await failureOfResponse(response), path);
    return firstStart(((await response.json()) as SessionStatus).nextExpectedRanges, size);
  }

  /** A request to the upload URL: pre-authorised, so it carries no token (a token there may even be refused). */
  private async send(url: string, init: RequestInit, path: string, signal?: AbortSignal, allow404 = false): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, signal });
    } catch (err) {
      throw classifyGraphError(this.remote, err, path, signal);
    }
    if (response.status === 404 && !allow404) {
      await response.body?.cancel();
      throw new RemoteError(this.remote, 'retryable', `${path}: the upload session has expired; the next attempt starts over`, { status: 404 });
    }
    return response;
  }

  private async cancel(url: string): Promise<void> {
    try {
      const response = await this.fetchImpl(url, { method: 'DELETE' });
      await response.body?.cancel();
    } catch {
      /* best effort: an unfinished session expires by itself */
    }
  }

  private memorySlot(path: string, sha256: string): ResumeSlot {
    const key = `${path}\n${sha256}`;
    return {
      load: () => this.unsaved.get(key) ?? null,
      save: (session) => void this.unsaved.set(key, session),
      clear: () => void this.unsaved.delete(key),
    };
  }
}

/** The start of the first range in nextExpectedRanges ("26-", "0-99"); null if none. */
export function firstStart(ranges: readonly string[] | undefined, size: number): number | null {
  const first = ranges?.[0];
  if (first === undefined) return null;
  const start = Number(first.split('-')[0]);
  return Number.isInteger(start) && start >= 0 && start < size ? start : null;
}

async function readAll(stream: Readable, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    signal?.throwIfAborted();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads a stream in pieces of exactly the size asked for. */
class ExactReader {
  private readonly stream: Readable;
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);

  constructor(stream: Readable) {
    this.stream = stream;
    this.iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async read(length: number): Promise<Buffer> {
    const parts = [this.pending];
    let have = this.pending.length;
    while (have < length) {
      const { value, done } = await this.iterator.next();
      if (done) throw new Error(`the upload body ended ${length - have} bytes early`);
      parts.push(value);
      have += value.length;
    }
    const all = parts.length === 1 ? this.pending : Buffer.concat(parts, have);
    this.pending = all.subarray(length);
    return all.subarray(0, length);
  }

  destroy(): void {
    this.stream.destroy();
  }
}
