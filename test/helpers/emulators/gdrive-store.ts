/**
 * What the Drive emulator stores: files and folders by id (names are not unique, as on Drive),
 * the ids handed out by files.generateIds, the changes feed and the storage quota. Both the HTTP
 * side and the tests ("another client") change it only through these methods, so every change is
 * in the feed.
 */
import { createHash } from 'node:crypto';
import { DRIVE_ERRORS, WireError, driveId } from './gdrive-wire.ts';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
export const ROOT_ID = '0AEmulatorMyDriveRootFolderIdXXXX';

export interface StoredFile {
  readonly id: string;
  name: string;
  readonly mimeType: string;
  parents: string[];
  trashed: boolean;
  readonly createdTime: string;
  modifiedTime: string;
  /** Null for folders (and other content-less Google types). */
  readonly content: Buffer | null;
  readonly md5: string | null;
  readonly sha1: string | null;
  readonly sha256: string | null;
}

export interface NewFile {
  readonly id?: string | undefined;
  readonly name: string;
  readonly mimeType: string;
  readonly parents: readonly string[];
  readonly content: Buffer | null;
}

interface Change {
  readonly seq: number;
  readonly fileId: string;
  readonly time: string;
}

const METADATA_KEYS = new Set(['id', 'name', 'mimeType', 'parents']);

export class DriveStore {
  readonly files = new Map<string, StoredFile>();
  /** Ids from generateIds not used yet; Drive refuses a client-chosen id it did not issue. */
  private readonly issued = new Set<string>();
  private readonly changes: Change[] = [];
  private clock = Date.parse('2024-06-01T00:00:00Z');
  quotaLimit: number | null;
  baseUsage: number;

  constructor(quotaLimit: number | null, baseUsage = 0) {
    this.quotaLimit = quotaLimit;
    this.baseUsage = baseUsage;
    const now = this.tick();
    this.files.set(ROOT_ID, {
      id: ROOT_ID, name: 'My Drive', mimeType: FOLDER_MIME, parents: [], trashed: false, createdTime: now, modifiedTime: now,
      content: null, md5: null, sha1: null, sha256: null,
    });
  }

  /** Strictly increasing times, so createdTime orders files the way they were made. */
  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  resolveId = (id: string): string => (id === 'root' ? ROOT_ID : id);

  get(id: string): StoredFile | undefined {
    return this.files.get(this.resolveId(id));
  }

  generateIds(count: number): string[] {
    const ids = Array.from({ length: count }, () => driveId());
    for (const id of ids) this.issued.add(id);
    return ids;
  }

  get changeSeq(): number {
    return this.changes.length;
  }

  usage(): number {
    let total = this.baseUsage;
    for (const f of this.files.values()) total += f.content?.length ?? 0;
    return total;
  }

  trashUsage(): number {
    let total = 0;
    for (const f of this.files.values()) if (f.trashed) total += f.content?.length ?? 0;
    return total;
  }

  /** Metadata from a create request, checked as Drive checks it; throws the WireError Drive would answer. */
  validate(meta: Record<string, unknown>, mediaType: string | null, size: number): NewFile {
    for (const key of Object.keys(meta)) {
      if (!METADATA_KEYS.has(key)) throw DRIVE_ERRORS.badRequest(`emulator: unexpected file metadata field ${JSON.stringify(key)}`);
    }
    const { id, name, mimeType, parents } = meta;
    if (id !== undefined && typeof id !== 'string') throw DRIVE_ERRORS.badRequest('id must be a string');
    if (name !== undefined && typeof name !== 'string') throw DRIVE_ERRORS.badRequest('name must be a string');
    if (mimeType !== undefined && typeof mimeType !== 'string') throw DRIVE_ERRORS.badRequest('mimeType must be a string');
    if (parents !== undefined && (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string'))) {
      throw DRIVE_ERRORS.badRequest('parents must be an array of ids');
    }
    if (Array.isArray(parents) && parents.length > 1) {
      throw DRIVE_ERRORS.badRequest('A shared drive item must have exactly one parent.');
    }
    if (typeof id === 'string') {
      if (this.files.has(id)) throw DRIVE_ERRORS.idInUse();
      if (!this.issued.has(id)) throw new WireError(400, 'fileIdNotUsable', 'The provided file ID is not usable.');
    }
    const parentIds = ((parents as string[] | undefined) ?? ['root']).map(this.resolveId);
    for (const p of parentIds) {
      const parent = this.files.get(p);
      if (!parent || parent.trashed || parent.mimeType !== FOLDER_MIME) throw DRIVE_ERRORS.notFound(p);
    }
    const type = (mimeType as string | undefined) ?? mediaType ?? 'application/octet-stream';
    if (type !== FOLDER_MIME && this.quotaLimit !== null && this.usage() + size > this.quotaLimit) {
      throw DRIVE_ERRORS.storageQuotaExceeded();
    }
    return { id: id as string | undefined, name: (name as string | undefined) ?? 'Untitled', mimeType: type, parents: parentIds, content: null };
  }

  create(file: NewFile): StoredFile {
    const id = file.id ?? driveId();
    if (this.files.has(id)) throw DRIVE_ERRORS.idInUse();
    if (file.id !== undefined) {
      if (!this.issued.has(file.id)) throw new WireError(400, 'fileIdNotUsable', 'The provided file ID is not usable.');
      this.issued.delete(file.id);
    }
    const now = this.tick();
    const content = file.mimeType === FOLDER_MIME ? null : (file.content ?? Buffer.alloc(0));
    const digest = (alg: string): string | null => (content ? createHash(alg).update(content).digest('hex') : null);
    const stored: StoredFile = {
      id, name: file.name, mimeType: file.mimeType, parents: [...file.parents], trashed: false, createdTime: now, modifiedTime: now,
      content, md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256'),
    };
    this.files.set(id, stored);
    this.changed(id);
    return stored;
  }

  changed(fileId: string): void {
    this.changes.push({ seq: this.changes.length + 1, fileId, time: this.tick() });
  }

  /** Changes from `token` on, the latest per file (as Drive collapses them), in feed order. */
  changesSince(token: number): { seq: number; fileId: string; time: string }[] {
    const latest = new Map<string, Change>();
    for (const c of this.changes.slice(token - 1)) {
      latest.delete(c.fileId);
      latest.set(c.fileId, c);
    }
    return [...latest.values()];
  }

  /** Children of a folder, oldest first. */
  children(parentId: string): StoredFile[] {
    const id = this.resolveId(parentId);
    return [...this.files.values()].filter((f) => f.parents.includes(id));
  }

  /** Non-trashed files at a "/"-separated path under My Drive (several: names are not unique). */
  lookup(path: string): StoredFile[] {
    let current = [this.files.get(ROOT_ID)!];
    for (const segment of path.split('/')) {
      current = current.flatMap((dir) => this.children(dir.id).filter((f) => !f.trashed && f.name === segment));
    }
    return current;
  }

  /** The folder at a path, made where missing (reusing the oldest of duplicates), as another client would. */
  folder(path: string): StoredFile {
    let dir = this.files.get(ROOT_ID)!;
    for (const segment of path.split('/').filter((s) => s !== '')) {
      dir =
        this.children(dir.id).find((f) => !f.trashed && f.name === segment && f.mimeType === FOLDER_MIME) ??
        this.create({ name: segment, mimeType: FOLDER_MIME, parents: [dir.id], content: null });
    }
    return dir;
  }
}

export function fileResource(f: StoredFile): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: 'drive#file', id: f.id, name: f.name, mimeType: f.mimeType, parents: f.parents, trashed: f.trashed,
    createdTime: f.createdTime, modifiedTime: f.modifiedTime,
  };
  if (f.content) {
    // int64 as a JSON string, hashes as lowercase hex: as Drive sends them.
    out['size'] = String(f.content.length);
    out['md5Checksum'] = f.md5;
    out['sha1Checksum'] = f.sha1;
    out['sha256Checksum'] = f.sha256;
  }
  return out;
}

export const FILE_FIELDS = [
  'kind', 'id', 'name', 'mimeType', 'parents', 'trashed', 'createdTime', 'modifiedTime', 'size', 'md5Checksum', 'sha1Checksum', 'sha256Checksum',
] as const;
