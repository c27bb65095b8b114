/**
 * A folder in Google Drive ("My Drive/<folder>"), through the official googleapis SDK, signed in
 * with the drive.file scope. Drive has no paths, only ids and non-unique names, so create-if-absent
 * is built from three things (shared/docs/cloud-apis.md §1.3): the name is checked in its folder
 * first, the file is created with an id from files.generateIds that was saved in the ResumeSlot
 * before anything was sent (a retried or resumed create then gets 409 instead of making a second
 * file: the earlier attempt is found by that id and checked), and within this process one path is
 * created by one call at a time. Small files go up as one multipart request, larger ones by the
 * resumable protocol (upload.ts). Every upload is checked against Drive's own sha256Checksum.
 */
import type { Readable } from 'node:stream';
import { EnvHttpProxyAgent } from 'undici';
import { OAuthTokenSource, type AccessTokenProvider } from '../../auth/tokens.ts';
import type { GdriveRemoteConfig } from '../../config/types.ts';
import { PhotosyncError } from '../../errors.ts';
import { mimeTypeOf } from '../../media/mime.ts';
import { AlreadyExistsError, IntegrityError, NotFoundError, RemoteError, isRemoteError } from '../errors.ts';
import { downloadBody } from '../download.ts';
import { remoteIdentity } from '../identity.ts';
import type { RemoteDefinition } from '../registry.ts';
import { assertSafePath } from '../safe-path.ts';
import type { CallOptions, ListChanges, Quota, Remote, RemoteEntry, ResumeSlot, UploadBody, UploadOptions } from '../types.ts';
import { DriveApi, FOLDER_MIME, quote, type DriveFile } from './api.ts';
import { readChanges } from './changes.ts';
import { FolderTree, baseName, joinPath, parentOf } from './folders.ts';
import { ResumableUploader, UploadRecord, type SavedUpload } from './upload.ts';

const DEFAULT_API_URL = 'https://www.googleapis.com/';

export interface GdriveTuning {
  /** Files larger than this use the resumable protocol; Drive means multipart for ≤ 5 MB (§1.2). */
  readonly resumableAbove: number;
  /** Bytes per resumable request, a multiple of 256 KiB. */
  readonly chunkBytes: number;
}

export const DEFAULT_TUNING: GdriveTuning = { resumableAbove: 5 * 1024 * 1024, chunkBytes: 8 * 1024 * 1024 };

export interface GdriveRemoteOptions {
  /** Nothing is recorded on this remote yet, so its folder may be created. */
  readonly mayCreateRoot: boolean;
  readonly tuning?: Partial<GdriveTuning>;
}

export class GdriveRemote implements Remote {
  readonly type = 'gdrive';
  readonly hashes = ['sha256', 'md5'] as const;
  readonly name: string;
  readonly identity: string;
  private readonly api: DriveApi;
  private readonly folders: FolderTree;
  private readonly uploader: ResumableUploader;
  private readonly dispatcher = new EnvHttpProxyAgent();
  private readonly tuning: GdriveTuning;
  /** File id → path, for mapping the changes feed back to paths. */
  private readonly known = new Map<string, string>();
  private readonly creating = new Map<string, Promise<unknown>>();
  /** Upload state when the caller keeps no ResumeSlot: retries within this process still resume. */
  private readonly memorySlots = new Map<string, string>();

  constructor(config: GdriveRemoteConfig, tokens: AccessTokenProvider, options: GdriveRemoteOptions) {
    this.name = config.name;
    this.identity = remoteIdentity(config);
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.api = new DriveApi(config.name, tokens, config.apiUrl ?? DEFAULT_API_URL);
    this.folders = new FolderTree(this.api, config.folder, { mayCreateRoot: options.mayCreateRoot });
    this.uploader = new ResumableUploader(this.api, this.dispatcher, this.tuning.chunkBytes);
  }

  async *list(options: CallOptions = {}): AsyncIterable<RemoteEntry> {
    const root = await this.folders.lookup('', options);
    if (root === null) return;
    const pending = [{ id: root, path: '' }];
    while (pending.length > 0) {
      const folder = pending.pop()!;
      const q = `${quote(folder.id)} in parents and trashed = false`;
      for await (const f of this.api.search(q, `list ${folder.path || 'the backup folder'}`, options)) {
        // A name with "/" cannot be one segment of a path; photosync never writes one.
        if (f.name.includes('/')) continue;
        const path = joinPath(folder.path, f.name);
        if (f.mimeType === FOLDER_MIME) {
          this.folders.remember(f.id, path);
          pending.push({ id: f.id, path });
        } else if (f.size !== null) {
          this.known.set(f.id, path);
          yield this.entryOf(path, f);
        }
      }
    }
  }

  async stat(path: string, options: CallOptions = {}): Promise<RemoteEntry | null> {
    const file = await this.find(path, options);
    return file ? this.entryOf(path, file) : null;
  }

  async read(path: string, options: CallOptions = {}): Promise<Readable> {
    const file = await this.find(path, options);
    if (!file) throw new NotFoundError(this.name, path);
    return downloadBody(this.name, path, await this.api.download(file.id, options), options.signal);
  }

  async quota(options: CallOptions = {}): Promise<Quota> {
    const q = await this.api.storageQuota(options);
    const used = q?.usage ? Number(q.usage) : null;
    // No limit: unlimited storage, so there is no free-space figure to give.
    const limit = q?.limit ? Number(q.limit) : null;
    return { usedBytes: used, freeBytes: limit === null ? null : Math.max(0, limit - (used ?? 0)) };
  }

  listChanges(cursor: string | null, options: CallOptions = {}): Promise<ListChanges> {
    return readChanges(
      { api: this.api, folders: this.folders, known: this.known, entryOf: (p, f) => this.entryOf(p, f), listAll: (o) => this.list(o) },
      cursor,
      options,
    );
  }

  async create(path: string, body: UploadBody, options: UploadOptions = {}): Promise<RemoteEntry> {
    this.check(path);
    // Two creates of one path in this process run one after the other: the second then finds the name taken.
    const previous = this.creating.get(path) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.createNow(path, body, options));
    this.creating.set(path, run);
    try {
      return await run;
    } finally {
      if (this.creating.get(path) === run) this.creating.delete(path);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async createNow(path: string, body: UploadBody, options: UploadOptions): Promise<RemoteEntry> {
    const record = new UploadRecord(options.resume ?? this.memorySlot(path), { path, sha256: body.sha256, size: body.size });
    const parentId = await this.folders.ensure(parentOf(path), options);
    const name = baseName(path);
    const isHere = (f: DriveFile | null): f is DriveFile => f !== null && !f.trashed && f.name === name && f.parents.includes(parentId);
    let saved = record.load();
    if (saved) {
      // An earlier attempt may have finished without us hearing back.
      const earlier = await this.api.get(saved.fileId, options);
      if (isHere(earlier)) return this.adopt(path, earlier, body, record);
      // Trashed, renamed or moved since: that id is spent.
      if (earlier) saved = null;
    }
    if (await this.api.child(parentId, name, 'file', options)) {
      // Someone else's file has the name: a session of ours for it can never complete.
      record.clear();
      throw new AlreadyExistsError(this.name, path);
    }
    if (!saved) {
      saved = { fileId: await this.api.newId(options), session: null, mark: null } satisfies SavedUpload;
      record.save(saved);
    }
    const metadata = { id: saved.fileId, name, parents: [parentId], mimeType: mimeTypeOf(name) };
    let file: DriveFile;
    try {
      file =
        body.size > this.tuning.resumableAbove
          ? await this.uploader.upload(metadata, body, record, saved, options)
          : await this.api.uploadSmall(metadata, body, options);
    } catch (err) {
      if (isRemoteError(err) && err.status === 409) {
        // Our own id is taken: an attempt with it that we gave up on did create the file after all.
        const earlier = await this.api.get(saved.fileId, options);
        if (isHere(earlier)) return this.adopt(path, earlier, body, record);
        record.clear();
        throw new RemoteError(this.name, 'retryable', `${path}: the id saved for this upload was used elsewhere; the next attempt takes a new one`, { cause: err });
      }
      // A source that failed (changed, vanished) leaves a session of bytes nobody vouched for.
      if (!(err instanceof PhotosyncError) && !options.signal?.aborted) record.clear();
      throw err;
    }
    record.clear();
    this.known.set(file.id, path);
    return this.verify(path, file, body);
  }

  /** A file our earlier attempt made: ours if it holds this body's content; otherwise the name is taken. */
  private adopt(path: string, file: DriveFile, body: UploadBody, record: UploadRecord): RemoteEntry {
    record.clear();
    this.known.set(file.id, path);
    if (file.size !== body.size || (file.sha256 !== null && file.sha256 !== body.sha256)) throw new AlreadyExistsError(this.name, path);
    return this.entryOf(path, file);
  }

  /** Drive's own view of the new file against what was sent. */
  private verify(path: string, file: DriveFile, body: UploadBody): RemoteEntry {
    const sent = body.digests();
    const problems: string[] = [];
    if (file.size !== body.size) problems.push(`${file.size ?? 'no'} bytes, not ${body.size}`);
    if (file.sha256 !== null && file.sha256 !== body.sha256) problems.push(`sha256 ${file.sha256}, not ${body.sha256}`);
    if (file.md5 !== null && sent.md5 !== undefined && file.md5 !== sent.md5) problems.push(`md5 ${file.md5}, not ${sent.md5}`);
    if (problems.length > 0) {
      throw new IntegrityError(this.name, `Google Drive stored other bytes for ${path} (id ${file.id}): ${problems.join(', ')}`);
    }
    return this.entryOf(path, file);
  }

  private entryOf(path: string, file: DriveFile): RemoteEntry {
    const hashes: { sha256?: string; md5?: string } = {};
    if (file.sha256 !== null) hashes.sha256 = file.sha256;
    if (file.md5 !== null) hashes.md5 = file.md5;
    return { path, size: file.size ?? 0, hashes };
  }

  /** The stored file at a path, or null (Google Docs at that name have no bytes and do not count). */
  private async find(path: string, options: CallOptions): Promise<DriveFile | null> {
    this.check(path);
    const parentId = await this.folders.lookup(parentOf(path), options);
    if (parentId === null) return null;
    const file = await this.api.child(parentId, baseName(path), 'file', options);
    if (!file || file.size === null) return null;
    this.known.set(file.id, path);
    return file;
  }

  private check(path: string): void {
    assertSafePath(this.name, path);
  }

  private memorySlot(path: string): ResumeSlot {
    return {
      load: () => this.memorySlots.get(path) ?? null,
      save: (session) => void this.memorySlots.set(path, session),
      clear: () => void this.memorySlots.delete(path),
    };
  }
}

export const definition: RemoteDefinition<GdriveRemoteConfig> = {
  create: async (config, context) =>
    new GdriveRemote(config, new OAuthTokenSource(config, context.secrets(config.tokenStore), { env: context.env }), {
      mayCreateRoot: context.firstUse,
    }),
};
