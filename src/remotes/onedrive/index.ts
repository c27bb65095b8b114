/**
 * OneDrive (Personal and Business) through Microsoft Graph v1.0 and the official client
 * (cloud-apis.md §3). Files are addressed by path under the configured folder; every write says
 * conflictBehavior=fail, so nothing is ever replaced or renamed; every upload is checked against
 * the quickXorHash (both drive types) and sha256Hash (Personal only) OneDrive reports.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { OAuthTokenSource, type AccessTokenProvider } from '../../auth/tokens.ts';
import type { OnedriveRemoteConfig } from '../../config/types.ts';
import { AlreadyExistsError, IntegrityError, RemoteError, isRemoteError } from '../errors.ts';
import { downloadBody } from '../download.ts';
import { remoteIdentity } from '../identity.ts';
import type { RemoteDefinition } from '../registry.ts';
import { assertSafePath, unsafePathReason } from '../safe-path.ts';
import type { CallOptions, ListChanges, Quota, Remote, RemoteEntry, UploadBody, UploadOptions } from '../types.ts';
import { GraphApi, type DriveItem, type DriveQuota } from './api.ts';
import { EMPTY_CURSOR, listChanges, type WalkedItem } from './delta.ts';
import { driveAddress, fromDriveName, toDriveName } from './names.ts';
import { checkUploadSettings, DEFAULT_UPLOAD_SETTINGS, DriveUploader, type UploadSettings } from './upload.ts';

export interface OneDriveRemoteOptions {
  readonly tokens: AccessTokenProvider;
  /** Nothing is recorded on this remote yet, so its folder may be created; later, a missing folder is an error. */
  readonly mayCreateRoot: boolean;
  /** The fetch for API calls, upload URLs and downloads; the global one by default. */
  readonly fetch?: typeof fetch;
  /** Fragment and simple-upload sizes (tests shrink them to exercise fragments cheaply). */
  readonly upload?: Partial<UploadSettings>;
}

export class OneDriveRemote implements Remote {
  readonly type = 'onedrive';
  readonly hashes = ['quickxor'] as const;
  readonly name: string;
  readonly identity: string;
  private readonly api: GraphApi;
  private readonly uploader: DriveUploader;
  /** The configured folder as a drive path ("/Photos"; "" for the drive root). */
  private readonly rootPath: string;
  private readonly driveType: OnedriveRemoteConfig['driveType'];
  private readonly mayCreateRoot: boolean;
  private readonly folders = new Map<string, Promise<void>>();
  private knownRootId: string | undefined;

  constructor(config: OnedriveRemoteConfig, options: OneDriveRemoteOptions) {
    this.name = config.name;
    this.identity = remoteIdentity(config);
    this.rootPath = config.path.replace(/\/+$/, '');
    this.driveType = config.driveType;
    this.mayCreateRoot = options.mayCreateRoot;
    const settings = { ...DEFAULT_UPLOAD_SETTINGS, ...options.upload };
    checkUploadSettings(settings);
    const fetchImpl = options.fetch ?? fetch;
    this.api = new GraphApi({ remote: config.name, apiUrl: config.apiUrl, tokens: options.tokens, fetch: fetchImpl });
    this.uploader = new DriveUploader(config.name, this.api, fetchImpl, settings);
  }

  async *list(options: CallOptions = {}): AsyncIterable<RemoteEntry> {
    const rootId = await this.rootId(options.signal);
    if (rootId === null) return;
    for await (const { item, path, folder } of this.walk(rootId, options.signal)) {
      if (!folder) yield this.entryOf(item, path);
    }
  }

  async stat(p: string, options: CallOptions = {}): Promise<RemoteEntry | null> {
    try {
      const item = await this.api.get<DriveItem>(this.address(p), p, options.signal);
      return item.file ? this.entryOf(item, p) : null;
    } catch (err) {
      if (isRemoteError(err, 'not-found')) return null;
      throw err;
    }
  }

  async create(p: string, body: UploadBody, options: UploadOptions = {}): Promise<RemoteEntry> {
    const address = this.address(p);
    await this.ensureFolder(p.split('/').slice(0, -1).join('/'), options.signal);
    const item = await this.uploader.upload(address, p, body, options);
    return this.verified(p, item, body);
  }

  async read(p: string, options: CallOptions = {}): Promise<Readable> {
    const body = await this.api.getStream(`${this.address(p)}/content`, p, options.signal);
    if (!body) return Readable.from([]);
    return downloadBody(this.name, p, Readable.fromWeb(body as NodeReadableStream<Uint8Array>), options.signal);
  }

  async listChanges(cursor: string | null, options: CallOptions = {}): Promise<ListChanges> {
    const rootId = await this.rootId(options.signal);
    if (rootId === null) return { entries: [], removed: [], complete: true, cursor: EMPTY_CURSOR };
    const host = {
      api: this.api,
      // Business drives offer delta on the drive root only; Personal on any folder.
      deltaUrl: (id: string) => (this.driveType === 'business' || this.rootPath === '' ? '/me/drive/root/delta' : `/me/drive/items/${encodeURIComponent(id)}/delta`),
      walk: (id: string, signal?: AbortSignal) => this.walk(id, signal),
      entryOf: (item: DriveItem, path: string) => this.entryOf(item, path),
    };
    return listChanges(host, rootId, cursor, options.signal);
  }

  async quota(options: CallOptions = {}): Promise<Quota> {
    const drive = await this.api.get<{ quota?: DriveQuota }>('/me/drive?$select=quota', 'quota', options.signal);
    return { usedBytes: drive.quota?.used ?? null, freeBytes: drive.quota?.remaining ?? null };
  }

  close(): Promise<void> {
    return this.uploader.close();
  }

  /** The Graph address of a path under the root, refusing paths that could leave it. */
  private address(p: string): string {
    assertSafePath(this.name, p);
    return driveAddress(this.drivePath(p));
  }

  private drivePath(p: string): string {
    return p === '' ? this.rootPath : `${this.rootPath}/${p.split('/').map(toDriveName).join('/')}`;
  }

  /** The root folder's id; null if it does not exist yet and may still be created. */
  private async rootId(signal?: AbortSignal): Promise<string | null> {
    if (this.knownRootId !== undefined) return this.knownRootId;
    try {
      const item = await this.api.get<DriveItem>(driveAddress(this.rootPath), this.rootPath || '/', signal);
      if (!item.folder) throw new RemoteError(this.name, 'unavailable', `${this.rootPath} on ${this.name} is a file, not a folder`);
      this.knownRootId = item.id;
      return item.id;
    } catch (err) {
      if (!isRemoteError(err, 'not-found')) throw err;
      if (this.mayCreateRoot) return null;
      throw new RemoteError(
        this.name,
        'unavailable',
        `the folder of remote "${this.name}" (${this.rootPath}) is missing from OneDrive, though photosync recorded files there: was it moved or deleted?`,
      );
    }
  }

  /** Creates a folder (and its parents) once per run; an existing folder is fine, an existing file is not. */
  private ensureFolder(dir: string, signal?: AbortSignal): Promise<void> {
    let ready = this.folders.get(dir);
    if (!ready) {
      ready = (async () => {
        if (dir === '') {
          if ((await this.rootId(signal)) === null) await this.makeRoot(signal);
          return;
        }
        const slash = dir.lastIndexOf('/');
        await this.ensureFolder(slash < 0 ? '' : dir.slice(0, slash), signal);
        await this.makeFolder(this.drivePath(slash < 0 ? '' : dir.slice(0, slash)), toDriveName(dir.slice(slash + 1)), dir, signal);
      })();
      ready.catch(() => this.folders.delete(dir));
      this.folders.set(dir, ready);
    }
    return ready;
  }

  /** The configured folder path, segment by segment from the drive root (its names are the user's, used as they are). */
  private async makeRoot(signal?: AbortSignal): Promise<void> {
    const segments = this.rootPath.split('/').filter((s) => s !== '');
    for (let i = 0; i < segments.length; i++) {
      const parent = segments.slice(0, i).map((s) => `/${s}`).join('');
      await this.makeFolder(parent, segments[i]!, `/${segments.slice(0, i + 1).join('/')}`, signal);
    }
  }

  private async makeFolder(parentDrivePath: string, name: string, label: string, signal?: AbortSignal): Promise<void> {
    const body = { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' };
    try {
      await this.api.post(`${driveAddress(parentDrivePath)}/children`, body, label, signal);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const existing = await this.api.get<DriveItem>(driveAddress(`${parentDrivePath}/${name}`), label, signal);
      if (!existing.folder) throw new RemoteError(this.name, 'fatal', `${label} on ${this.name} is a file, so it cannot hold files`);
    }
  }

  /** Every folder and file under the folder `rootId`, following each listing's @odata.nextLink. */
  private async *walk(rootId: string, signal?: AbortSignal): AsyncGenerator<WalkedItem> {
    const folders = [{ id: rootId, path: '' }];
    for (let folder = folders.pop(); folder; folder = folders.pop()) {
      const url = `/me/drive/items/${encodeURIComponent(folder.id)}/children?$select=id,name,size,file,folder`;
      for await (const page of this.api.pages<DriveItem>(url, folder.path || '/', signal)) {
        for (const item of page) {
          if (!item.name) continue;
          const path = folder.path === '' ? fromDriveName(item.name) : `${folder.path}/${fromDriveName(item.name)}`;
          // A name that cannot be a safe relative path is never used to build one.
          if (unsafePathReason(path)) continue;
          if (item.folder) {
            folders.push({ id: item.id, path });
            yield { item, path, folder: true };
          } else if (item.file) yield { item, path, folder: false };
        }
      }
    }
  }

  private entryOf(item: DriveItem, path: string): RemoteEntry {
    const hashes = item.file?.hashes;
    return {
      path,
      size: item.size ?? 0,
      hashes: {
        ...(hashes?.quickXorHash ? { quickxor: hashes.quickXorHash } : {}),
        ...(hashes?.sha256Hash ? { sha256: hashes.sha256Hash.toLowerCase() } : {}),
      },
    };
  }

  /** OneDrive's own view of the new file against the bytes sent. Hashes may be missing for a while; present ones must match. */
  private verified(p: string, item: DriveItem, body: UploadBody): RemoteEntry {
    const entry = this.entryOf(item, p);
    const sent = body.digests();
    const problem =
      entry.size !== body.size
        ? `stored ${entry.size} bytes, ${body.size} were sent`
        : entry.hashes.quickxor !== undefined && entry.hashes.quickxor !== sent.quickxor
          ? `reports quickXorHash ${entry.hashes.quickxor}, the bytes sent hash to ${sent.quickxor}`
          : entry.hashes.sha256 !== undefined && entry.hashes.sha256 !== body.sha256
            ? `reports sha256Hash ${entry.hashes.sha256}, the bytes sent hash to ${body.sha256}`
            : null;
    if (problem) throw new IntegrityError(this.name, `${p}: ${this.name} ${problem}`);
    return entry;
  }
}

export const definition: RemoteDefinition<OnedriveRemoteConfig> = {
  create: async (config, context) =>
    new OneDriveRemote(config, {
      tokens: new OAuthTokenSource(config, context.secrets(config.tokenStore), { env: context.env }),
      mayCreateRoot: context.firstUse,
    }),
};
