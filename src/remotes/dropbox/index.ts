/**
 * A folder in Dropbox (cloud-apis.md §2), through the official SDK. Files below
 * `upload_session_threshold` go up in one files/upload; larger ones in an upload session whose
 * commit is batched with others (upload.ts, batcher.ts). Nothing is ever overwritten: every
 * commit is mode add with strict_conflict, so a taken name is an AlreadyExistsError. Dropbox
 * reports its own content_hash for every file, and every upload is checked against it.
 */
import type { Readable } from 'node:stream';
import type { Dropbox, DropboxResponse, files } from 'dropbox';
import { OAuthTokenSource, type AccessTokenProvider } from '../../auth/tokens.ts';
import type { DropboxRemoteConfig } from '../../config/types.ts';
import { IntegrityError, RemoteError } from '../errors.ts';
import { downloadBody } from '../download.ts';
import { remoteIdentity } from '../identity.ts';
import type { RemoteDefinition } from '../registry.ts';
import { assertSafePath, unsafePathReason } from '../safe-path.ts';
import type { CallOptions, ListChanges, Quota, Remote, RemoteEntry, ResumeSlot, UploadBody, UploadOptions } from '../types.ts';
import { DropboxApi } from './api.ts';
import { CommitBatcher, MAX_BATCH_ENTRIES } from './batcher.ts';
import { classifyDropboxError, endpointError, unionTags } from './errors.ts';
import { MAX_REQUEST_BYTES, uploadInSession, uploadSmall, type UploadContext } from './upload.ts';

export interface DropboxRemoteOptions {
  readonly tokens: AccessTokenProvider;
  /** Nothing is recorded on this remote yet: a missing folder is simply empty (uploads create it). */
  readonly mayCreateRoot: boolean;
  /** Bytes per session request; 8 MiB unless a test wants many small chunks. */
  readonly chunkBytes?: number;
  /** Commit batching (default: as many as the remote's transfers, after 200 ms). */
  readonly batch?: { readonly maxEntries?: number; readonly delayMs?: number };
  readonly fetch?: typeof fetch;
}

const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

type Entry = files.FileMetadataReference | files.FolderMetadataReference | files.DeletedMetadataReference;

export class DropboxRemote implements Remote {
  readonly type = 'dropbox';
  readonly hashes = ['dropbox'] as const;
  readonly name: string;
  readonly identity: string;
  /** The folder as Dropbox spells it: "" for the root, else "/Photos" (no trailing slash). */
  private readonly base: string;
  private readonly threshold: number;
  private readonly mayCreateRoot: boolean;
  private readonly api: DropboxApi;
  private readonly batcher: CommitBatcher;
  private readonly upload: UploadContext;
  /** Sessions of uploads the executor gave no ResumeSlot: a retry in this process still resumes. */
  private readonly sessions = new Map<string, string>();
  private rootChecked: Promise<void> | undefined;

  constructor(config: DropboxRemoteConfig, options: DropboxRemoteOptions) {
    this.name = config.name;
    this.identity = remoteIdentity(config);
    this.base = config.path === '/' ? '' : config.path.replace(/\/+$/, '');
    if (this.base !== '' && !this.base.startsWith('/')) throw new Error(`Dropbox path must start with "/": ${config.path}`);
    // files/upload takes at most 150 MiB; anything larger needs a session whatever the config says.
    this.threshold = Math.min(config.uploadSessionThreshold, MAX_REQUEST_BYTES);
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!(chunkBytes > 0 && chunkBytes <= MAX_REQUEST_BYTES)) throw new Error(`chunk size must be 1..${MAX_REQUEST_BYTES} bytes`);
    this.mayCreateRoot = options.mayCreateRoot;
    this.api = new DropboxApi({ apiUrl: config.apiUrl, tokens: options.tokens, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.batcher = new CommitBatcher(this.api, {
      maxEntries: Math.min(options.batch?.maxEntries ?? Math.max(1, config.transfers), MAX_BATCH_ENTRIES),
      delayMs: options.batch?.delayMs ?? 200,
    });
    this.upload = { remote: this.name, api: this.api, batcher: this.batcher, chunkBytes };
  }

  async *list(options: CallOptions = {}): AsyncIterable<RemoteEntry> {
    const first = await this.openListing(options);
    if (!first) return;
    for await (const page of this.pages(first, 'list', options)) {
      for (const entry of page.entries) {
        const file = this.fileEntry(entry);
        if (file) yield file;
      }
    }
  }

  async listChanges(cursor: string | null, options: CallOptions = {}): Promise<ListChanges> {
    let first: files.ListFolderResult | null;
    try {
      first = cursor ? await this.api.call((sdk) => sdk.filesListFolderContinue({ cursor }), options.signal) : await this.openListing(options);
    } catch (err) {
      // Dropbox may expire a cursor at any time ("reset"): start over with a full listing.
      if (cursor && unionTags(endpointError(err))[0] === 'reset') return this.listChanges(null, options);
      throw classifyDropboxError(this.name, err, 'list changes');
    }
    const entries: RemoteEntry[] = [];
    const removed: string[] = [];
    // A missing folder has no cursor yet; "" stands for "list it all next time".
    let last = '';
    for await (const page of first ? this.pages(first, 'list changes', options) : []) {
      for (const entry of page.entries) {
        const file = this.fileEntry(entry);
        if (file) entries.push(file);
        else if (entry['.tag'] === 'deleted') {
          // A deleted folder stands for everything that was in it.
          const rel = this.relative(entry.path_lower ?? '', entry.path_display ?? '');
          if (rel) removed.push(rel);
        }
      }
      last = page.cursor;
    }
    return { entries, removed, complete: cursor === null, cursor: last };
  }

  async stat(p: string, options: CallOptions = {}): Promise<RemoteEntry | null> {
    const path = this.toDropbox(p);
    try {
      const entry = await this.api.call((sdk) => sdk.filesGetMetadata({ path }), options.signal);
      return entry['.tag'] === 'file' ? this.entryOf(p, entry) : null;
    } catch (err) {
      if (unionTags(endpointError(err)).includes('not_found')) return null;
      throw classifyDropboxError(this.name, err, `stat ${p}`, p);
    }
  }

  async create(p: string, body: UploadBody, options: UploadOptions = {}): Promise<RemoteEntry> {
    await this.checkRoot(options.signal);
    const path = this.toDropbox(p);
    let metadata: files.FileMetadata;
    try {
      metadata = body.size > this.threshold ? await uploadInSession(this.upload, path, body, options.resume ?? this.memorySlot(path, body), options) : await uploadSmall(this.upload, path, body, options);
    } catch (err) {
      throw classifyDropboxError(this.name, err, `upload ${p}`, p);
    }
    const sent = body.digests().dropbox;
    if (metadata.size !== body.size || (sent !== undefined && metadata.content_hash !== sent)) {
      throw new IntegrityError(this.name, `${p}: Dropbox stored ${metadata.size} bytes with content_hash ${metadata.content_hash ?? '?'}, but ${body.size} bytes hashing to ${sent ?? '?'} were sent`);
    }
    return this.entryOf(p, metadata);
  }

  async read(p: string, options: CallOptions = {}): Promise<Readable> {
    const path = this.toDropbox(p);
    try {
      return downloadBody(this.name, p, await this.api.download(path, options.signal), options.signal);
    } catch (err) {
      throw classifyDropboxError(this.name, err, `read ${p}`, p);
    }
  }

  async quota(options: CallOptions = {}): Promise<Quota> {
    const usage = await this.call('space usage', (sdk) => sdk.usersGetSpaceUsage(), options);
    const allocation = usage.allocation;
    if (allocation['.tag'] === 'individual') return { usedBytes: usage.used, freeBytes: Math.max(0, allocation.allocated - usage.used) };
    if (allocation['.tag'] !== 'team') return { usedBytes: usage.used, freeBytes: null };
    // A team shares one pool; a member may also have a limit of their own (0: none).
    let free = allocation.allocated - allocation.used;
    if (allocation.user_within_team_space_allocated > 0 && allocation.user_within_team_space_limit_type['.tag'] !== 'off') {
      free = Math.min(free, allocation.user_within_team_space_allocated - allocation.user_within_team_space_used_cached);
    }
    return { usedBytes: usage.used, freeBytes: Math.max(0, free) };
  }

  async close(): Promise<void> {
    this.batcher.flush();
  }

  /** The first page of the recursive listing, or null when the folder does not exist (yet). */
  private async openListing(options: CallOptions): Promise<files.ListFolderResult | null> {
    try {
      return await this.api.call((sdk) => sdk.filesListFolder({ path: this.base, recursive: true, include_deleted: false, limit: 2000 }), options.signal);
    } catch (err) {
      if (!unionTags(endpointError(err)).includes('not_found')) throw classifyDropboxError(this.name, err, 'list');
      if (this.mayCreateRoot) return null;
      throw this.missingRoot();
    }
  }

  /**
   * Dropbox creates missing folders on upload, which would quietly recreate a folder that was
   * moved or renamed (and start a second, partial backup). So once per run, before the first
   * upload to a folder photosync has written to, the folder must be there.
   */
  private checkRoot(signal?: AbortSignal): Promise<void> {
    if (this.mayCreateRoot || this.base === '') return Promise.resolve();
    if (!this.rootChecked) {
      this.rootChecked = this.api.call((sdk) => sdk.filesGetMetadata({ path: this.base }), signal).then(
        (entry) => {
          if (entry['.tag'] !== 'folder') throw new RemoteError(this.name, 'unavailable', `${this.base} in Dropbox (remote "${this.name}") is not a folder`);
        },
        (err: unknown) => {
          throw unionTags(endpointError(err)).includes('not_found') ? this.missingRoot() : classifyDropboxError(this.name, err, 'look up its folder');
        },
      );
      // A failed look (a dropped connection) is tried again by the next upload.
      this.rootChecked.catch(() => (this.rootChecked = undefined));
    }
    return this.rootChecked;
  }

  private missingRoot(): RemoteError {
    return new RemoteError(this.name, 'unavailable', `the Dropbox folder ${this.base} of remote "${this.name}" is missing, though photosync recorded files there: was it moved or renamed?`, {
      hint: `move it back, or point "path" of remote "${this.name}" at its new place`,
    });
  }

  /** A listing's pages, following its cursor until Dropbox says there is no more. */
  private async *pages(first: files.ListFolderResult, what: string, options: CallOptions): AsyncIterable<files.ListFolderResult> {
    let page = first;
    for (;;) {
      yield page;
      if (!page.has_more) return;
      const cursor = page.cursor;
      page = await this.call(what, (sdk) => sdk.filesListFolderContinue({ cursor }), options);
    }
  }

  private async call<T>(what: string, run: (sdk: Dropbox) => Promise<DropboxResponse<T>>, options: CallOptions): Promise<T> {
    try {
      return await this.api.call(run, options.signal);
    } catch (err) {
      throw classifyDropboxError(this.name, err, what);
    }
  }

  private fileEntry(entry: Entry): RemoteEntry | null {
    if (entry['.tag'] !== 'file') return null;
    const rel = this.relative(entry.path_lower ?? '', entry.path_display ?? '');
    return rel ? this.entryOf(rel, entry) : null;
  }

  private entryOf(p: string, metadata: files.FileMetadata): RemoteEntry {
    return { path: p, size: metadata.size, hashes: metadata.content_hash ? { dropbox: metadata.content_hash } : {} };
  }

  /**
   * A listed path relative to the folder, in its displayed case (Dropbox matches names without
   * case, and the folder's own case may differ from the config's); null for the folder itself or
   * anything unsafe.
   */
  private relative(lower: string, display: string): string | null {
    if (!lower.startsWith(`${this.base.toLowerCase()}/`)) return null;
    const rel = display.split('/').slice(this.base.split('/').length).join('/');
    return unsafePathReason(rel) === null ? rel : null;
  }

  private toDropbox(p: string): string {
    assertSafePath(this.name, p);
    return `${this.base}/${p}`;
  }

  private memorySlot(path: string, body: UploadBody): ResumeSlot {
    const key = `${path}\u0000${body.sha256}`;
    return {
      load: () => this.sessions.get(key) ?? null,
      save: (session) => void this.sessions.set(key, session),
      clear: () => void this.sessions.delete(key),
    };
  }
}

export const definition: RemoteDefinition<DropboxRemoteConfig> = {
  create: async (config, context) =>
    new DropboxRemote(config, {
      tokens: new OAuthTokenSource(config, context.secrets(config.tokenStore), { env: context.env }),
      mayCreateRoot: context.firstUse,
    }),
};
