/**
 * The backup folder's tree on Drive, where paths have to be turned into folder ids one name at a
 * time. Ids are looked up once and cached; a missing folder is created with a pre-generated id.
 * Drive allows several folders of one name under one parent: the oldest is used and no second
 * one is ever made (concurrent ensures of one path share one promise).
 */
import { RemoteError } from '../errors.ts';
import type { CallOptions } from '../types.ts';
import { FOLDER_MIME, type DriveApi } from './api.ts';

const MY_DRIVE = 'root';

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

export class FolderTree {
  private readonly api: DriveApi;
  /** The backup folder under My Drive, as segments. */
  private readonly rootSegments: readonly string[];
  private readonly rootLabel: string;
  private readonly mayCreateRoot: boolean;
  /** Folder path under the backup folder ("" is the backup folder) → id, for folders known to exist. */
  private readonly ids = new Map<string, string>();
  private readonly ensuring = new Map<string, Promise<string>>();
  /** Folder id → its path under the backup folder, or null when it is elsewhere (for the changes feed). */
  private readonly paths = new Map<string, string | null>();

  constructor(api: DriveApi, folder: string, options: { mayCreateRoot: boolean }) {
    this.api = api;
    this.rootSegments = folder.split('/').filter((s) => s !== '');
    this.rootLabel = folder === '' ? 'My Drive' : `My Drive/${folder}`;
    this.mayCreateRoot = options.mayCreateRoot;
  }

  remember(id: string, path: string): void {
    this.ids.set(path, id);
    this.paths.set(id, path);
  }

  /** The id of the folder at `dir`, or null where it does not exist (nothing is created). */
  async lookup(dir: string, options: CallOptions = {}): Promise<string | null> {
    const known = this.ids.get(dir);
    if (known !== undefined) return known;
    if (dir === '') return this.lookupRoot(options);
    const parent = await this.lookup(parentOf(dir), options);
    if (parent === null) return null;
    const folder = await this.api.child(parent, baseName(dir), 'folder', options);
    if (!folder) return null;
    this.remember(folder.id, dir);
    return folder.id;
  }

  /** The id of the folder at `dir`, created (with its parents) where missing. */
  ensure(dir: string, options: CallOptions = {}): Promise<string> {
    let pending = this.ensuring.get(dir);
    if (!pending) {
      pending = (async () => {
        const existing = await this.lookup(dir, options);
        if (existing !== null) return existing;
        if (dir === '') return this.createRoot(options);
        const parent = await this.ensure(parentOf(dir), options);
        const id = await this.createFolder(parent, baseName(dir), options);
        this.remember(id, dir);
        return id;
      })();
      // A failure is not cached: the next call tries again.
      pending.catch(() => this.ensuring.delete(dir));
      this.ensuring.set(dir, pending);
    }
    return pending;
  }

  /**
   * The path under the backup folder of a folder id, walking up its parents (cached); null when
   * it is not inside the backup folder.
   */
  async pathOf(folderId: string, options: CallOptions = {}): Promise<string | null> {
    if (this.paths.has(folderId)) return this.paths.get(folderId)!;
    if ((await this.lookup('', options)) === folderId) return '';
    const folder = await this.api.get(folderId, options);
    const parent = folder?.mimeType === FOLDER_MIME ? folder.parents[0] : undefined;
    const parentPath = parent === undefined ? null : await this.pathOf(parent, options);
    const path = parentPath === null || !folder ? null : joinPath(parentPath, folder.name);
    this.paths.set(folderId, path);
    return path;
  }

  /** The folder's path as cached (undefined: never looked up; null: outside the backup folder). */
  cachedPath(folderId: string): string | null | undefined {
    return this.paths.get(folderId);
  }

  /** Forgets a folder's place (it was renamed or moved by someone). */
  forget(folderId: string): void {
    const path = this.paths.get(folderId);
    this.paths.delete(folderId);
    if (path === undefined || path === null || path === '') return;
    for (const [p, id] of this.ids) {
      if (p === path || p.startsWith(`${path}/`)) {
        this.ids.delete(p);
        this.ensuring.delete(p);
        this.paths.delete(id);
      }
    }
  }

  private async lookupRoot(options: CallOptions): Promise<string | null> {
    let id = MY_DRIVE;
    for (const segment of this.rootSegments) {
      const folder = await this.api.child(id, segment, 'folder', options);
      if (!folder) {
        if (this.mayCreateRoot) return null;
        throw new RemoteError(
          this.api.remote,
          'unavailable',
          `the folder "${this.rootLabel}" of remote "${this.api.remote}" is missing from Google Drive, though photosync recorded files there`,
          { hint: 'was it moved, renamed or deleted in Google Drive? Put it back, or sign in to the Google account that holds it' },
        );
      }
      id = folder.id;
    }
    // The backup folder is My Drive itself: the changes feed names it by its real id, not "root".
    if (id === MY_DRIVE) id = (await this.api.get(MY_DRIVE, options))?.id ?? MY_DRIVE;
    this.remember(id, '');
    return id;
  }

  private async createRoot(options: CallOptions): Promise<string> {
    let id = MY_DRIVE;
    for (const segment of this.rootSegments) {
      id = (await this.api.child(id, segment, 'folder', options))?.id ?? (await this.createFolder(id, segment, options));
    }
    this.remember(id, '');
    return id;
  }

  private async createFolder(parentId: string, name: string, options: CallOptions): Promise<string> {
    const id = await this.api.newId(options);
    return (await this.api.createFolder({ id, name, parents: [parentId], mimeType: FOLDER_MIME }, options)).id;
  }
}
