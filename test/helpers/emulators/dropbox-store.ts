/**
 * The state behind the Dropbox emulator: one user's namespace (files, folders, a change log for
 * list_folder cursors), upload sessions and space usage, with Dropbox's commit rules (WriteMode,
 * strict_conflict, autorename). Pure data and rules; HTTP, auth and faults live in dropbox.ts.
 * From shared/docs/cloud-apis.md §2.
 */
import { randomBytes } from 'node:crypto';
import { DropboxContentHasher } from '../../../src/hashes/dropbox.ts';

/** A Stone union value: `{".tag": ...}` with its members. */
export type Union = { readonly '.tag': string } & Record<string, unknown>;

export interface StoredFile {
  readonly kind: 'file';
  readonly pathDisplay: string;
  readonly id: string;
  readonly rev: string;
  readonly data: Buffer;
  readonly contentHash: string;
  readonly serverModified: string;
}

export interface StoredFolder {
  readonly kind: 'folder';
  readonly pathDisplay: string;
  readonly id: string;
}

type Item = StoredFile | StoredFolder;

export interface UploadSession {
  readonly id: string;
  readonly type: 'sequential' | 'concurrent';
  chunks: Buffer[];
  offset: number;
  closed: boolean;
}

export interface CommitInfo {
  readonly path: string;
  readonly mode: { readonly tag: 'add' | 'overwrite' | 'update'; readonly rev?: string };
  readonly autorename: boolean;
  readonly strictConflict: boolean;
}

/** A commit either lands (metadata) or fails with a WriteError union. */
export type CommitResult = { readonly ok: true; readonly file: StoredFile } | { readonly ok: false; readonly error: Union };

interface Change {
  readonly seq: number;
  readonly lower: string;
}

interface Cursor {
  readonly lower: string;
  readonly recursive: boolean;
  /** Changes after this sequence number are still to be reported. */
  seq: number;
  /** Entries of the listing not yet returned. */
  pending: Record<string, unknown>[];
  readonly epoch: number;
}

export const MAX_FILE_BYTES = 2 ** 41 - 2 ** 22;

export function contentHash(data: Buffer): string {
  const hasher = new DropboxContentHasher();
  hasher.update(data);
  return hasher.digest();
}

const parentOf = (lower: string): string => lower.slice(0, lower.lastIndexOf('/'));
const nameOf = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

export class DropboxNamespace {
  readonly items = new Map<string, Item>();
  readonly sessions = new Map<string, UploadSession>();
  /** Each item's latest change; deleted paths keep their display form for `deleted` entries. */
  private readonly log: Change[] = [];
  private readonly deletedDisplay = new Map<string, string>();
  private readonly cursors = new Map<string, Cursor>();
  private seq = 0;
  private cursorEpoch = 0;
  allocated = 2 * 1024 ** 4;
  team: { readonly allocated: number; readonly used: number; readonly userLimit: number } | null = null;

  get used(): number {
    let total = 0;
    for (const item of this.items.values()) if (item.kind === 'file') total += item.data.length;
    return total;
  }

  lookup(path: string): Item | undefined {
    return this.items.get(path.toLowerCase());
  }

  /** Applies Dropbox's commit rules to put `data` at `info.path`. */
  commit(info: CommitInfo, data: Buffer): CommitResult {
    const lower = info.path.toLowerCase();
    const conflict = (kind: string): CommitResult => ({ ok: false, error: { '.tag': 'conflict', conflict: { '.tag': kind } } });
    for (let parent = parentOf(lower); parent !== ''; parent = parentOf(parent)) {
      if (this.items.get(parent)?.kind === 'file') return conflict('file_ancestor');
    }
    if (this.used + data.length > this.allocated) return { ok: false, error: { '.tag': 'insufficient_space' } };
    const hash = contentHash(data);
    const existing = this.items.get(lower);
    let target = info.path;
    if (existing?.kind === 'folder') return conflict('folder');
    if (existing) {
      const same = existing.contentHash === hash;
      const mode = info.mode.tag;
      if (mode === 'overwrite' || (mode === 'update' && info.mode.rev === existing.rev)) {
        if (same) return { ok: true, file: existing };
      } else if (same && !info.strictConflict) {
        // "If there's a file with identical contents, nothing gets written; no conflict."
        return { ok: true, file: existing };
      } else if (!info.autorename) {
        return conflict('file');
      } else {
        target = this.freeName(info.path);
      }
    }
    return { ok: true, file: this.put(target, data) };
  }

  /** Writes a file, creating its folders, with a new rev (also used by tests to play another client). */
  put(path: string, data: Buffer): StoredFile {
    this.ensureFolders(path.slice(0, path.lastIndexOf('/')));
    const lower = path.toLowerCase();
    const existing = this.items.get(lower);
    const file: StoredFile = {
      kind: 'file',
      pathDisplay: existing ? existing.pathDisplay : path,
      id: existing?.id ?? `id:${randomBytes(8).toString('base64url')}`,
      rev: randomBytes(9).toString('hex'),
      data,
      contentHash: contentHash(data),
      serverModified: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    this.items.set(lower, file);
    this.changed(lower);
    return file;
  }

  /** Deletes a file or folder (and what is inside), as another client would. */
  remove(path: string): void {
    const lower = path.toLowerCase();
    for (const [key, item] of [...this.items]) {
      if (key === lower || key.startsWith(`${lower}/`)) {
        this.items.delete(key);
        this.deletedDisplay.set(key, item.pathDisplay);
        if (key === lower) this.changed(key);
      }
    }
  }

  startSession(type: UploadSession['type']): UploadSession {
    const session: UploadSession = { id: `pid_upload_session:${randomBytes(18).toString('base64url')}`, type, chunks: [], offset: 0, closed: false };
    this.sessions.set(session.id, session);
    return session;
  }

  /** Makes every cursor handed out so far answer `reset`, as Dropbox may at any time. */
  resetCursors(): void {
    this.cursorEpoch++;
  }

  /** A listing of `lower` (recursive or not) from its current state, as a cursor to page through. */
  openListing(lower: string, recursive: boolean): string {
    const entries: Record<string, unknown>[] = [];
    if (lower !== '' && recursive) entries.push(this.metadata(this.items.get(lower)!, true));
    const keys = [...this.items.keys()].filter((k) => this.isUnder(k, lower, recursive)).sort();
    for (const key of keys) entries.push(this.metadata(this.items.get(key)!, true));
    return this.newCursor({ lower, recursive, seq: this.seq, pending: entries, epoch: this.cursorEpoch });
  }

  /** The next page of a cursor: what is left of its listing, else the changes since it. */
  continueListing(cursorId: string, limit: number): { entries: Record<string, unknown>[]; cursor: string; hasMore: boolean } | 'reset' | 'unknown' {
    const cursor = this.cursors.get(cursorId);
    if (!cursor) return 'unknown';
    if (cursor.epoch !== this.cursorEpoch) return 'reset';
    if (cursor.pending.length === 0) {
      const since = new Set(this.log.filter((c) => c.seq > cursor.seq && this.isUnder(c.lower, cursor.lower, cursor.recursive)).map((c) => c.lower));
      cursor.pending = [...since].sort().map((lower) => {
        const item = this.items.get(lower);
        if (item) return this.metadata(item, true);
        const display = this.deletedDisplay.get(lower) ?? lower;
        return { '.tag': 'deleted', name: nameOf(display), path_lower: lower, path_display: display };
      });
      cursor.seq = this.seq;
    }
    const entries = cursor.pending.slice(0, limit);
    const next = this.newCursor({ ...cursor, pending: cursor.pending.slice(limit) });
    return { entries, cursor: next, hasMore: cursor.pending.length > limit };
  }

  /** Metadata as Dropbox serialises it: tagged where the declared type is `Metadata`, bare for `FileMetadata`. */
  metadata(item: Item, tagged: boolean): Record<string, unknown> {
    const common = { name: nameOf(item.pathDisplay), id: item.id, path_lower: item.pathDisplay.toLowerCase(), path_display: item.pathDisplay };
    if (item.kind === 'folder') return { '.tag': 'folder', ...common };
    const file = {
      ...common,
      client_modified: item.serverModified,
      server_modified: item.serverModified,
      rev: item.rev,
      size: item.data.length,
      is_downloadable: true,
      content_hash: item.contentHash,
    };
    return tagged ? { '.tag': 'file', ...file } : file;
  }

  private isUnder(key: string, lower: string, recursive: boolean): boolean {
    if (lower !== '' && !key.startsWith(`${lower}/`)) return false;
    return recursive || parentOf(key) === lower;
  }

  private newCursor(cursor: Cursor): string {
    const id = `AAF${randomBytes(24).toString('base64url')}`;
    this.cursors.set(id, cursor);
    return id;
  }

  private changed(lower: string): void {
    this.log.push({ seq: ++this.seq, lower });
  }

  private ensureFolders(path: string): void {
    if (path === '') return;
    const lower = path.toLowerCase();
    if (this.items.has(lower)) return;
    this.ensureFolders(path.slice(0, path.lastIndexOf('/')));
    this.items.set(lower, { kind: 'folder', pathDisplay: path, id: `id:${randomBytes(8).toString('base64url')}` });
    this.changed(lower);
  }

  private freeName(path: string): string {
    const dot = path.lastIndexOf('.');
    const [stem, ext] = dot > path.lastIndexOf('/') ? [path.slice(0, dot), path.slice(dot)] : [path, ''];
    for (let n = 2; ; n++) {
      const candidate = `${stem} (${n})${ext}`;
      if (!this.items.has(candidate.toLowerCase())) return candidate;
    }
  }
}
