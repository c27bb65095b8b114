/**
 * Getting one file's bytes into Dropbox without ever overwriting anything.
 *
 * Every commit is `mode: add, autorename: false, strict_conflict: true`: a taken name is a
 * conflict even when it holds the same bytes (the executor then compares content itself).
 *
 * Content hashes: Dropbox checks a `content_hash` against the bytes of the call that carries it
 * (upload, start, append), so each call sends the hash of its own bytes, computed from the buffer
 * about to go out. Those buffers exist anyway (files/upload takes the whole small file; a session
 * sends `chunkBytes` at a time), so no second pass over the source is needed; and since the body
 * only releases its last bytes once they match the plan, the last request cannot go out for a
 * changed source. The whole file is then checked against the content_hash on the new metadata.
 *
 * Sessions: start with the first chunk, append_v2 the rest, `close` with the last, commit through
 * the batcher. After every confirmed call the session id and offset are saved in the ResumeSlot,
 * so a later attempt, even in a new process, sends only what Dropbox does not have; when Dropbox
 * has more than we thought (a lost response), its `correct_offset` says where to go on.
 */
import type { files } from 'dropbox';
import type { Readable } from 'node:stream';
import { DropboxContentHasher } from '../../hashes/dropbox.ts';
import { RemoteError } from '../errors.ts';
import type { ResumeSlot, UploadBody, UploadOptions } from '../types.ts';
import type { DropboxApi } from './api.ts';
import type { CommitBatcher } from './batcher.ts';
import { correctOffset, endpointError, unionTags } from './errors.ts';

/** files/upload and each session call take at most 150 MiB. */
export const MAX_REQUEST_BYTES = 150 * 1024 * 1024;
/** How often one attempt follows Dropbox's word on the session (new offset, expired session) before giving up. */
const MAX_RECOVERIES = 4;

export interface UploadContext {
  readonly remote: string;
  readonly api: DropboxApi;
  readonly batcher: CommitBatcher;
  readonly chunkBytes: number;
}

/** What the ResumeSlot holds for one session upload. */
interface SessionState {
  readonly v: 1;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly sessionId: string;
  /** Bytes Dropbox confirmed. */
  readonly offset: number;
  readonly closed: boolean;
}

const COMMIT = { mode: { '.tag': 'add' }, autorename: false, strict_conflict: true, mute: true } as const;

export function dropboxHash(data: Buffer): string {
  const hasher = new DropboxContentHasher();
  hasher.update(data);
  return hasher.digest();
}

/** files/upload of a file small enough to hold in memory. */
export async function uploadSmall(ctx: UploadContext, path: string, body: UploadBody, options: UploadOptions): Promise<files.FileMetadata> {
  const parts: Buffer[] = [];
  // The stream ends only after the whole content matched the plan.
  for await (const chunk of body.open() as AsyncIterable<Buffer>) {
    options.signal?.throwIfAborted();
    parts.push(chunk);
  }
  const data = Buffer.concat(parts);
  const metadata = await ctx.api.call(
    (sdk) => sdk.filesUpload({ path, contents: data, content_hash: dropboxHash(data), ...COMMIT }),
    options.signal,
  );
  options.onProgress?.(data.length);
  return metadata;
}

/** An upload session, resumed from `slot` when it holds one for this path and content. */
export async function uploadInSession(ctx: UploadContext, path: string, body: UploadBody, slot: ResumeSlot, options: UploadOptions): Promise<files.FileMetadata> {
  // A failed request keeps the slot: a later attempt with the same planned content goes on from it.
  const state = await sendAll(ctx, path, body, slot, loadState(slot, path, body), options);
  try {
    const metadata = await ctx.batcher.finish({ cursor: { session_id: state.sessionId, offset: state.offset }, commit: { path, ...COMMIT } });
    slot.clear();
    return metadata;
  } catch (err) {
    const tags = unionTags(endpointError(err));
    if (tags.includes('conflict')) slot.clear();
    if (tags[0] === 'lookup_failed') {
      // The session is gone (expired, or committed by an attempt whose answer was lost): start over.
      slot.clear();
      throw new RemoteError(ctx.remote, 'retryable', `the upload session for ${path} could not be committed (${tags.join('/')}); starting over`, { cause: err });
    }
    throw err;
  }
}

async function sendAll(ctx: UploadContext, path: string, body: UploadBody, slot: ResumeSlot, resumed: SessionState | null, options: UploadOptions): Promise<SessionState> {
  const save = (next: SessionState): SessionState => {
    slot.save(JSON.stringify(next));
    options.onProgress?.(next.offset);
    return next;
  };
  let state = resumed && !resumed.closed ? await probe(ctx, resumed, body.size, options.signal) : resumed;
  if (resumed && !state) slot.clear();
  for (let recoveries = 0; ; recoveries++) {
    const stream = body.open(state?.offset ?? 0);
    const pieces = chunks(stream, ctx.chunkBytes)[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = await pieces.next();
        } catch (err) {
          // The source failed its check (changed, vanished): the session may hold bytes of other
          // content, and must never be resumed by an upload that does match the plan.
          slot.clear();
          throw err;
        }
        if (next.done) break;
        options.signal?.throwIfAborted();
        state = save(await sendChunk(ctx, path, body, state, next.value, options.signal));
      }
      // The body ended, so its content matched the plan (a resumed upload that had sent every byte
      // before still read it all): only now may the session be closed and committed.
      if (state === null) throw new Error(`no upload session for ${path}`);
      if (!state.closed) state = save(await closeSession(ctx, state, options.signal));
      return state;
    } catch (err) {
      const recovered = recoveries < MAX_RECOVERIES ? recover(err, state, body.size) : undefined;
      if (recovered === undefined) throw err;
      if (recovered === null) slot.clear();
      state = recovered === null ? null : save(recovered);
    } finally {
      stream.destroy();
    }
  }
}

/** Start (no session yet) or append; the state after Dropbox confirmed the chunk. */
async function sendChunk(ctx: UploadContext, path: string, body: UploadBody, state: SessionState | null, chunk: Buffer, signal?: AbortSignal): Promise<SessionState> {
  const offset = state?.offset ?? 0;
  const close = offset + chunk.length === body.size;
  const content_hash = dropboxHash(chunk);
  if (state === null) {
    const { session_id } = await ctx.api.call((sdk) => sdk.filesUploadSessionStart({ contents: chunk, close, content_hash }), signal);
    return { v: 1, path, sha256: body.sha256, size: body.size, sessionId: session_id, offset: chunk.length, closed: close };
  }
  await ctx.api.call((sdk) => sdk.filesUploadSessionAppendV2({ contents: chunk, cursor: { session_id: state.sessionId, offset }, close, content_hash }), signal);
  return { ...state, offset: offset + chunk.length, closed: close };
}

/**
 * Where a resumed session really stands, asked with an empty append at the saved offset: an
 * earlier attempt may have lost the answer to a chunk Dropbox kept, and that chunk should not
 * be sent again just to learn its `correct_offset`.
 */
async function probe(ctx: UploadContext, state: SessionState, size: number, signal?: AbortSignal): Promise<SessionState | null> {
  try {
    await ctx.api.call((sdk) => sdk.filesUploadSessionAppendV2({ contents: Buffer.alloc(0), cursor: { session_id: state.sessionId, offset: state.offset }, close: false }), signal);
    return state;
  } catch (err) {
    const recovered = recover(err, state, size);
    if (recovered === undefined) throw err;
    return recovered;
  }
}

/** A session holding every byte but not closed yet (its closing append was answered with a new offset). */
async function closeSession(ctx: UploadContext, state: SessionState, signal?: AbortSignal): Promise<SessionState> {
  try {
    await ctx.api.call((sdk) => sdk.filesUploadSessionAppendV2({ contents: Buffer.alloc(0), cursor: { session_id: state.sessionId, offset: state.offset }, close: true }), signal);
  } catch (err) {
    if (unionTags(endpointError(err))[0] !== 'closed') throw err;
  }
  return { ...state, closed: true };
}

/**
 * What Dropbox's answer says about the session: go on from its offset (a state), start a new
 * session (null), or nothing to recover (undefined: the error stands).
 */
function recover(err: unknown, state: SessionState | null, size: number): SessionState | null | undefined {
  const error = endpointError(err);
  if (!error || !state) return undefined;
  const tag = unionTags(error)[0];
  const correct = correctOffset(error);
  if (tag === 'incorrect_offset' && correct !== null && correct >= 0 && correct <= size) return { ...state, offset: correct, closed: false };
  // Closed: our closing append arrived before, and only the answer was lost; closing needs all the bytes.
  if (tag === 'closed') return { ...state, offset: size, closed: true };
  if (tag === 'not_found') return null;
  return undefined;
}

function loadState(slot: ResumeSlot, path: string, body: UploadBody): SessionState | null {
  const saved = slot.load();
  if (saved === null) return null;
  try {
    const state = JSON.parse(saved) as Partial<SessionState>;
    if (state.v === 1 && state.path === path && state.sha256 === body.sha256 && state.size === body.size && typeof state.sessionId === 'string' && typeof state.offset === 'number') {
      return state as SessionState;
    }
  } catch {
    // Not ours, or from another version: start afresh.
  }
  slot.clear();
  return null;
}

/** The stream regrouped into `size`-byte buffers; the last may be shorter. */
async function* chunks(stream: Readable, size: number): AsyncIterable<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    parts.push(piece);
    held += piece.length;
    while (held >= size) {
      const all = Buffer.concat(parts);
      yield all.subarray(0, size);
      parts = [all.subarray(size)];
      held -= size;
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}

export type { SessionState };
