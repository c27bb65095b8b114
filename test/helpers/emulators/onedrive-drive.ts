/**
 * The drive behind the OneDrive emulator: folders and files by id, names unique per folder
 * case-insensitively (as OneDrive's are), conflictBehavior fail / replace / rename, the hashes
 * OneDrive reports (quickXorHash on both drive types, sha256Hash on Personal only, upper-case
 * hex), and a change log for delta with tombstones for deleted items.
 */
import { createHash, randomBytes } from 'node:crypto';
import { QuickXorHasher } from '../../../src/hashes/quickxor.ts';

export type DriveType = 'personal' | 'business';
export type ConflictBehavior = 'fail' | 'replace' | 'rename';

export interface EmuItem {
  readonly id: string;
  name: string;
  parentId: string | null;
  readonly folder: boolean;
  content: Buffer;
  quickXorHash: string;
  sha256Hash: string;
  /** Change sequence of the last change (delta tokens are sequence numbers). */
  changed: number;
  deleted: boolean;
  /** For tombstones: the folders it was under when deleted (delta scopes deletes by them). */
  ancestorsAtDeletion: string[];
  readonly created: string;
  modified: string;
}

/** Characters OneDrive refuses in names (Personal and Business). */
const INVALID_NAME = /["*:<>?/\\|]/;

export class DriveError extends Error {
  readonly status: number;
  readonly code: string;
  /** Photosync should never cause this one: the emulator records it as a protocol violation. */
  readonly violation: boolean;

  constructor(status: number, code: string, message: string, violation = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.violation = violation;
  }
}

export function quickXor(data: Buffer): string {
  const h = new QuickXorHasher();
  h.update(data);
  return h.digest();
}

export class EmulatedDrive {
  readonly driveType: DriveType;
  readonly driveId = randomBytes(8).toString('hex');
  readonly rootId: string;
  quotaTotal: number;
  private readonly items = new Map<string, EmuItem>();
  private seq = 0;

  constructor(driveType: DriveType, quotaTotal: number) {
    this.driveType = driveType;
    this.quotaTotal = quotaTotal;
    this.rootId = this.add(null, 'root', true, Buffer.alloc(0)).id;
  }

  get sequence(): number {
    return this.seq;
  }

  get usedBytes(): number {
    let used = 0;
    for (const item of this.items.values()) if (!item.deleted && !item.folder) used += item.content.length;
    return used;
  }

  get(id: string): EmuItem | null {
    const item = this.items.get(id);
    return item && !item.deleted ? item : null;
  }

  children(id: string): EmuItem[] {
    return [...this.items.values()].filter((i) => i.parentId === id && !i.deleted).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  child(parentId: string, name: string): EmuItem | null {
    const key = name.toLowerCase();
    return this.children(parentId).find((i) => i.name.toLowerCase() === key) ?? null;
  }

  /** The item at decoded path segments from the root, or null. */
  resolve(segments: readonly string[]): EmuItem | null {
    let item = this.get(this.rootId);
    for (const s of segments) item = item?.folder ? this.child(item.id, s) : null;
    return item;
  }

  /** "/drive/root:/Photos/2024" style path of an item (as parentReference.path shows its parent). */
  pathOf(id: string): string {
    const names: string[] = [];
    for (let item = this.items.get(id); item && item.parentId !== null; item = this.items.get(item.parentId)) names.unshift(item.name);
    return names.map((n) => `/${n}`).join('');
  }

  ancestors(id: string): string[] {
    const out: string[] = [];
    for (let item = this.items.get(id); item?.parentId; item = this.items.get(item.parentId)) out.push(item.parentId);
    return out;
  }

  isUnder(id: string, scopeId: string): boolean {
    return id === scopeId || this.ancestors(id).includes(scopeId);
  }

  checkName(name: string): void {
    if (name === '' || INVALID_NAME.test(name) || name !== name.trim()) {
      throw new DriveError(400, 'invalidRequest', `the name ${JSON.stringify(name)} contains characters OneDrive does not allow`, true);
    }
  }

  /** Places a new folder or file under `parentId`, honouring conflictBehavior. */
  place(parentId: string, name: string, folder: boolean, content: Buffer, behavior: ConflictBehavior): { item: EmuItem; status: 200 | 201 } {
    this.checkName(name);
    const parent = this.get(parentId);
    if (!parent?.folder) throw new DriveError(404, 'itemNotFound', 'the parent folder does not exist');
    const existing = this.child(parentId, name);
    if (existing && behavior === 'fail') throw new DriveError(409, 'nameAlreadyExists', 'The specified item name already exists. Copy');
    const freed = existing && !existing.folder && behavior === 'replace' ? existing.content.length : 0;
    if (!folder && this.usedBytes - freed + content.length > this.quotaTotal) {
      throw new DriveError(507, 'quotaLimitReached', 'Insufficient Space Available');
    }
    if (!existing) return { item: this.add(parentId, name, folder, content), status: 201 };
    if (behavior === 'rename') return { item: this.add(parentId, this.freeName(parentId, name), folder, content), status: 201 };
    if (existing.folder !== folder) throw new DriveError(409, 'nameAlreadyExists', 'an item of another kind has that name');
    if (!folder) this.setContent(existing, content);
    return { item: existing, status: 200 };
  }

  /** Test-side changes, as another client of the drive would make them. */
  putFile(drivePath: string, content: Buffer): EmuItem {
    const segments = drivePath.split('/').filter((s) => s !== '');
    let parent = this.get(this.rootId)!;
    for (const s of segments.slice(0, -1)) parent = this.child(parent.id, s) ?? this.place(parent.id, s, true, Buffer.alloc(0), 'fail').item;
    return this.place(parent.id, segments.at(-1)!, false, content, 'replace').item;
  }

  remove(id: string): void {
    const item = this.get(id);
    if (!item) throw new DriveError(404, 'itemNotFound', 'no such item');
    for (const c of this.children(id)) this.remove(c.id);
    item.ancestorsAtDeletion = this.ancestors(id);
    item.deleted = true;
    item.changed = ++this.seq;
  }

  rename(id: string, name: string): void {
    const item = this.get(id)!;
    item.name = name;
    item.changed = ++this.seq;
  }

  /** Live items under `scopeId` (itself first, parents before children), or changed ones after `since`. */
  changesSince(scopeId: string, since: number | null): EmuItem[] {
    if (since === null) {
      const out: EmuItem[] = [];
      const walk = (id: string): void => {
        const item = this.get(id);
        if (!item) return;
        out.push(item);
        for (const c of this.children(id)) walk(c.id);
      };
      walk(scopeId);
      return out;
    }
    return [...this.items.values()]
      .filter((i) => i.changed > since && (i.deleted ? i.ancestorsAtDeletion.includes(scopeId) : this.isUnder(i.id, scopeId)))
      .sort((a, b) => a.changed - b.changed);
  }

  /** A driveItem as the API returns it; `delta` leaves out what delta leaves out (§3.1). */
  json(item: EmuItem, delta = false): Record<string, unknown> {
    const parentReference: Record<string, unknown> = { driveId: this.driveId, driveType: this.driveType };
    if (item.parentId !== null) parentReference['id'] = item.parentId;
    if (item.parentId !== null && !delta) parentReference['path'] = `/drive/root:${this.pathOf(item.parentId)}`;
    if (item.deleted) {
      // Deletes carry no size; ODB leaves out the name as well.
      return { id: item.id, ...(this.driveType === 'personal' ? { name: item.name } : {}), deleted: { state: 'deleted' }, parentReference };
    }
    const facet = item.folder
      ? { folder: { childCount: this.children(item.id).length } }
      : {
          file: {
            mimeType: 'application/octet-stream',
            hashes: { quickXorHash: item.quickXorHash, ...(this.driveType === 'personal' ? { sha256Hash: item.sha256Hash } : {}) },
          },
        };
    return {
      id: item.id,
      name: item.name,
      size: item.folder ? 0 : item.content.length,
      eTag: `"{${item.id}},${item.changed}"`,
      ...(delta && this.driveType === 'business' ? {} : { cTag: `"c:{${item.id}},${item.changed}"` }),
      createdDateTime: item.created,
      lastModifiedDateTime: item.modified,
      parentReference,
      ...(item.id === this.rootId ? { root: {} } : {}),
      ...facet,
    };
  }

  private add(parentId: string | null, name: string, folder: boolean, content: Buffer): EmuItem {
    const now = new Date().toISOString();
    const item: EmuItem = {
      id: `${this.driveId.slice(0, 6).toUpperCase()}!${randomBytes(6).toString('hex')}`,
      name,
      parentId,
      folder,
      content: Buffer.alloc(0),
      quickXorHash: '',
      sha256Hash: '',
      changed: 0,
      deleted: false,
      ancestorsAtDeletion: [],
      created: now,
      modified: now,
    };
    this.items.set(item.id, item);
    this.setContent(item, content);
    return item;
  }

  private setContent(item: EmuItem, content: Buffer): void {
    item.content = Buffer.from(content);
    item.quickXorHash = quickXor(content);
    item.sha256Hash = createHash('sha256').update(content).digest('hex').toUpperCase();
    item.modified = new Date().toISOString();
    item.changed = ++this.seq;
  }

  private freeName(parentId: string, name: string): string {
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 1; ; n++) if (!this.child(parentId, `${stem} ${n}${ext}`)) return `${stem} ${n}${ext}`;
  }
}
