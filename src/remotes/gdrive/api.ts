/**
 * Drive v3 through googleapis, as photosync uses it (shared/docs/cloud-apis.md §1). Every call
 * names the API root itself (googleapis ignores an API-level rootUrl for media uploads), turns the
 * SDK's retries off (the executor's backoff decides, and gaxios ignores Retry-After anyway) and
 * carries a bearer token from photosync's token source: after a 401 the token is refreshed once
 * and the call made again; a second 401 gives the sign-in up.
 */
import type { Readable } from 'node:stream';
// The Drive API alone: `import { google } from 'googleapis'` loads ~300 APIs (1.7 s at startup).
import { drive as driveClient, type drive_v3, type MethodOptions } from 'googleapis/build/src/apis/drive/index.js';
import type { AccessTokenProvider } from '../../auth/tokens.ts';
import type { CallOptions, UploadBody, UploadOptions } from '../types.ts';
import { classifyDriveError, describeFailure } from './errors.ts';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
/** What photosync reads of a file; Drive sends only kind/id/name/mimeType unless asked. */
export const FILE_FIELDS = 'id,name,mimeType,parents,trashed,size,md5Checksum,sha256Checksum';
const PAGE_SIZE = 1000;
const ID_BATCH = 20;

export interface DriveFile {
  readonly id: string;
  readonly name: string;
  readonly mimeType: string;
  readonly parents: readonly string[];
  readonly trashed: boolean;
  /** Null for folders and Google Docs, which have no bytes of their own. */
  readonly size: number | null;
  readonly md5: string | null;
  readonly sha256: string | null;
}

export interface NewFileMetadata {
  readonly id: string;
  readonly name: string;
  readonly parents: readonly string[];
  readonly mimeType: string;
}

export function toDriveFile(f: drive_v3.Schema$File): DriveFile {
  if (!f.id || f.name === undefined || f.name === null) throw new Error(`Drive answered a file without id or name: ${JSON.stringify(f)}`);
  return {
    id: f.id,
    name: f.name,
    mimeType: f.mimeType ?? 'application/octet-stream',
    parents: f.parents ?? [],
    trashed: f.trashed ?? false,
    // int64 as a JSON string on the wire.
    size: f.size === undefined || f.size === null ? null : Number(f.size),
    md5: f.md5Checksum?.toLowerCase() ?? null,
    sha256: f.sha256Checksum?.toLowerCase() ?? null,
  };
}

/** A Drive query string literal: backslash and quote escaped (§1.3). */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export class DriveApi {
  readonly remote: string;
  /** The API root, ending in "/" ("https://www.googleapis.com/"). */
  readonly rootUrl: string;
  private readonly tokens: AccessTokenProvider;
  private readonly drive: drive_v3.Drive = driveClient({ version: 'v3' });
  private readonly ids: string[] = [];
  private idsComing: Promise<void> | null = null;

  constructor(remote: string, tokens: AccessTokenProvider, apiUrl: string) {
    this.remote = remote;
    this.tokens = tokens;
    this.rootUrl = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  }

  /**
   * Runs one request with a valid bearer token; after a 401, once more with a refreshed one.
   * Failures come back classified (errors.ts); `run` may be called twice, so it must open its
   * request body afresh each time.
   */
  async authorized<T>(what: string, run: (authorization: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let token = await this.tokens.get();
    for (let attempt = 0; ; attempt++) {
      try {
        return await run(`Bearer ${token}`);
      } catch (err) {
        if (signal?.aborted) throw signal.reason ?? err;
        if (attempt === 0 && describeFailure(err).status === 401) {
          token = await this.tokens.refresh();
          continue;
        }
        throw classifyDriveError(this.remote, what, err);
      }
    }
  }

  private options(authorization: string, signal: AbortSignal | undefined): MethodOptions {
    return { rootUrl: this.rootUrl, retry: false, signal, headers: { authorization } };
  }

  /** A file by id, trashed or not; null if Drive has none. */
  async get(fileId: string, options: CallOptions = {}): Promise<DriveFile | null> {
    try {
      return await this.authorized(
        `stat file ${fileId}`,
        async (auth) => toDriveFile((await this.drive.files.get({ fileId, fields: FILE_FIELDS }, this.options(auth, options.signal))).data),
        options.signal,
      );
    } catch (err) {
      if ((err as { failure?: string }).failure === 'not-found') return null;
      throw err;
    }
  }

  /** Files matching a query, every page of them. */
  async *search(q: string, what: string, options: CallOptions & { orderBy?: string } = {}): AsyncIterable<DriveFile> {
    let pageToken: string | undefined;
    do {
      const params: drive_v3.Params$Resource$Files$List = {
        q, pageSize: PAGE_SIZE, pageToken, spaces: 'drive', orderBy: options.orderBy, fields: `nextPageToken,files(${FILE_FIELDS})`,
      };
      const page = await this.authorized(what, async (auth) => (await this.drive.files.list(params, this.options(auth, options.signal))).data, options.signal);
      for (const f of page.files ?? []) yield toDriveFile(f);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
  }

  /** The oldest non-trashed child of that name (names are not unique on Drive); folders or files only. */
  async child(parentId: string, name: string, kind: 'folder' | 'file', options: CallOptions = {}): Promise<DriveFile | null> {
    const type = `mimeType ${kind === 'folder' ? '=' : '!='} ${quote(FOLDER_MIME)}`;
    const q = `name = ${quote(name)} and ${quote(parentId)} in parents and trashed = false and ${type}`;
    for await (const f of this.search(q, `look up ${name}`, { ...options, orderBy: 'createdTime' })) return f;
    return null;
  }

  /**
   * An id for a new file (files.generateIds, fetched in batches). Creating with it makes a retry
   * answer 409 instead of a second file with the same name (§1.3).
   */
  async newId(options: CallOptions = {}): Promise<string> {
    while (this.ids.length === 0) {
      this.idsComing ??= this.authorized(
        'generate file ids',
        async (auth) => {
          const res = await this.drive.files.generateIds({ count: ID_BATCH, space: 'drive', type: 'files' }, this.options(auth, options.signal));
          this.ids.push(...(res.data.ids ?? []));
        },
        options.signal,
      ).finally(() => {
        this.idsComing = null;
      });
      await this.idsComing;
    }
    return this.ids.shift()!;
  }

  async createFolder(metadata: NewFileMetadata, options: CallOptions = {}): Promise<DriveFile> {
    return this.authorized(
      `create folder ${metadata.name}`,
      async (auth) =>
        toDriveFile((await this.drive.files.create({ requestBody: { ...metadata, parents: [...metadata.parents] }, fields: FILE_FIELDS }, this.options(auth, options.signal))).data),
      options.signal,
    );
  }

  /**
   * A multipart upload through the SDK, the media as a stream. googleapis pipes the media into its
   * request body without forwarding errors, so a body that fails (the source changed) would leave
   * the request waiting forever: the failure aborts the request instead, and is what is thrown.
   */
  async uploadSmall(metadata: NewFileMetadata, body: UploadBody, options: UploadOptions = {}): Promise<DriveFile> {
    return this.authorized(
      `upload ${metadata.name}`,
      async (auth) => {
        const media = body.open();
        const abort = new AbortController();
        let bodyError: unknown = null;
        media.once('error', (err) => {
          bodyError = err;
          abort.abort(err);
        });
        const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
        try {
          const res = await this.drive.files.create(
            { requestBody: { ...metadata, parents: [...metadata.parents] }, media: { mimeType: metadata.mimeType, body: media }, fields: FILE_FIELDS },
            { ...this.options(auth, signal), onUploadProgress: (e: { bytesRead?: number }) => options.onProgress?.(e.bytesRead ?? 0) },
          );
          return toDriveFile(res.data);
        } catch (err) {
          throw bodyError ?? err;
        } finally {
          media.destroy();
        }
      },
      options.signal,
    );
  }

  async download(fileId: string, options: CallOptions = {}): Promise<Readable> {
    return this.authorized(
      `read file ${fileId}`,
      async (auth) =>
        (await this.drive.files.get({ fileId, alt: 'media' }, { ...this.options(auth, options.signal), responseType: 'stream' })).data as unknown as Readable,
      options.signal,
    );
  }

  async storageQuota(options: CallOptions = {}): Promise<drive_v3.Schema$About['storageQuota']> {
    return this.authorized(
      'read the storage quota',
      async (auth) => (await this.drive.about.get({ fields: 'storageQuota' }, this.options(auth, options.signal))).data.storageQuota,
      options.signal,
    );
  }

  async startPageToken(options: CallOptions = {}): Promise<string> {
    const token = await this.authorized(
      'start the changes feed',
      async (auth) => (await this.drive.changes.getStartPageToken({}, this.options(auth, options.signal))).data.startPageToken,
      options.signal,
    );
    if (!token) throw new Error('Drive answered changes.getStartPageToken without a token');
    return token;
  }

  async changesPage(pageToken: string, options: CallOptions = {}): Promise<drive_v3.Schema$ChangeList> {
    const params: drive_v3.Params$Resource$Changes$List = {
      pageToken, pageSize: PAGE_SIZE, includeRemoved: true, spaces: 'drive',
      fields: `nextPageToken,newStartPageToken,changes(fileId,removed,file(${FILE_FIELDS}))`,
    };
    return this.authorized('read the changes feed', async (auth) => (await this.drive.changes.list(params, this.options(auth, options.signal))).data, options.signal);
  }
}
