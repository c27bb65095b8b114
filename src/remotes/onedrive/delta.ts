/**
 * Incremental listing through Graph's delta feed (cloud-apis.md §3.1). Delta items carry no
 * parentReference.path and, on deletes, often no name: they are tracked by id. The cursor is the
 * deltaLink plus what the remote knew at that point (id → path of every folder and file under
 * the root), deflated: without it a deleted id could not be named. Anything the feed cannot say
 * incrementally (an expired token, a folder renamed or moved, the root replaced) ends in a full
 * relist, diffed against what was known.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { isRemoteError } from '../errors.ts';
import { isSafeRelativePath } from '../safe-path.ts';
import type { ListChanges, RemoteEntry } from '../types.ts';
import type { DriveItem, GraphApi } from './api.ts';
import { fromDriveName } from './names.ts';

interface Known {
  /** Path under the remote's root. */
  readonly p: string;
  /** Set for folders. */
  readonly f?: 1;
}

interface Cursor {
  readonly v: 1;
  readonly link: string;
  /** Id of the remote's root folder when the cursor was made. */
  readonly root: string;
  readonly known: Record<string, Known>;
}

export interface WalkedItem {
  readonly item: DriveItem;
  readonly path: string;
  readonly folder: boolean;
}

/** What the feed needs from the remote. */
export interface DeltaHost {
  readonly api: GraphApi;
  /** The delta URL for this root: the folder itself on Personal, the drive root on Business (the only place ODB offers delta). */
  deltaUrl(rootId: string): string;
  /** Every folder and file under the root, with its path. */
  walk(rootId: string, signal?: AbortSignal): AsyncIterable<WalkedItem>;
  entryOf(item: DriveItem, path: string): RemoteEntry;
}

const PREFIX = 'od1.';

export function encodeCursor(cursor: Cursor): string {
  return PREFIX + deflateRawSync(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string): Cursor | null {
  if (!text.startsWith(PREFIX)) return null;
  try {
    const cursor = JSON.parse(inflateRawSync(Buffer.from(text.slice(PREFIX.length), 'base64url')).toString('utf8')) as Cursor;
    return cursor.v === 1 ? cursor : null;
  } catch {
    return null;
  }
}

/** The cursor of a remote whose root folder does not exist yet: the next call relists. */
export const EMPTY_CURSOR = encodeCursor({ v: 1, link: '', root: '', known: {} });

export async function listChanges(host: DeltaHost, rootId: string, cursorText: string | null, signal?: AbortSignal): Promise<ListChanges> {
  const previous = cursorText === null ? null : decodeCursor(cursorText);
  if (!previous || previous.link === '' || previous.root !== rootId) return relist(host, rootId, previous, signal);
  const items: DriveItem[] = [];
  let link: string | null;
  try {
    const pages = host.api.pages<DriveItem>(previous.link, 'changes', signal);
    let step = await pages.next();
    for (; !step.done; step = await pages.next()) items.push(...step.value);
    link = step.value;
  } catch (err) {
    // 410 Gone: the token expired (resyncRequired); the Location it offers is a full enumeration anyway.
    if (isRemoteError(err) && err.status === 410) return relist(host, rootId, previous, signal);
    throw err;
  }
  if (link === null) return relist(host, rootId, previous, signal);
  const applied = await applyDelta(previous.known, items, rootId, (id) => itemById(host.api, id, signal), host.entryOf);
  if (applied === 'relist') return relist(host, rootId, previous, signal);
  return { entries: applied.entries, removed: applied.removed, complete: false, cursor: encodeCursor({ v: 1, link, root: rootId, known: applied.known }) };
}

async function relist(host: DeltaHost, rootId: string, previous: Cursor | null, signal?: AbortSignal): Promise<ListChanges> {
  // Taken before the walk: a change during it shows up (again) next time rather than never.
  const latest = await host.api.get<{ '@odata.deltaLink'?: string }>(`${host.deltaUrl(rootId)}?token=latest`, 'changes', signal);
  const known: Record<string, Known> = {};
  const entries: RemoteEntry[] = [];
  for await (const { item, path, folder } of host.walk(rootId, signal)) {
    known[item.id] = folder ? { p: path, f: 1 } : { p: path };
    if (!folder) entries.push(host.entryOf(item, path));
  }
  const present = new Set(entries.map((e) => e.path));
  const removed = previous ? Object.values(previous.known).filter((k) => !k.f && !present.has(k.p)).map((k) => k.p) : [];
  // Complete: anything not listed is gone; `removed` still names what the cursor knew, for whoever wants it.
  return { entries, removed, complete: true, cursor: encodeCursor({ v: 1, link: latest['@odata.deltaLink'] ?? '', root: rootId, known }) };
}

async function itemById(api: GraphApi, id: string, signal?: AbortSignal): Promise<DriveItem | null> {
  try {
    return await api.get<DriveItem>(`/me/drive/items/${encodeURIComponent(id)}?$select=id,name,folder,parentReference`, `item ${id}`, signal);
  } catch (err) {
    if (isRemoteError(err, 'not-found')) return null;
    throw err;
  }
}

export interface AppliedDelta {
  readonly entries: RemoteEntry[];
  readonly removed: string[];
  readonly known: Record<string, Known>;
}

/**
 * Applies a page run of delta items (the latest state of each, in feed order) to what was known.
 * `fetchItem` looks up a folder the feed names as a parent but that is not known yet (new, or,
 * on a Business drive-root feed, perhaps outside the root altogether).
 */
export async function applyDelta(
  known: Readonly<Record<string, Known>>,
  items: readonly DriveItem[],
  rootId: string,
  fetchItem: (id: string) => Promise<DriveItem | null>,
  entryOf: (item: DriveItem, path: string) => RemoteEntry,
): Promise<AppliedDelta | 'relist'> {
  const next: Record<string, Known> = { ...known };
  const entries = new Map<string, RemoteEntry>();
  const removed = new Set<string>();
  const outside = new Set<string>();
  const drop = (p: string): void => {
    entries.delete(p);
    removed.add(p);
  };
  const forget = (id: string): void => {
    const k = next[id];
    if (!k) return;
    delete next[id];
    if (!k.f) return drop(k.p);
    for (const [other, o] of Object.entries(next)) {
      if (!o.p.startsWith(`${k.p}/`)) continue;
      delete next[other];
      if (!o.f) drop(o.p);
    }
  };
  const folderPath = async (id: string): Promise<string | null> => {
    if (id === rootId) return '';
    const k = next[id];
    if (k?.f) return k.p;
    if (outside.has(id)) return null;
    const item = await fetchItem(id);
    const parent = item?.folder && item.name && item.parentReference?.id ? await folderPath(item.parentReference.id) : null;
    if (parent === null || !item?.name) {
      outside.add(id);
      return null;
    }
    const p = join(parent, fromDriveName(item.name));
    next[id] = { p, f: 1 };
    return p;
  };

  for (const item of items) {
    if (item.id === rootId) {
      if (item.deleted) return 'relist';
      continue;
    }
    if (item.deleted) {
      forget(item.id);
      continue;
    }
    const parentId = item.parentReference?.id;
    const parent = parentId === undefined ? null : await folderPath(parentId);
    if (parent === null || !item.name) {
      // Outside the root (a Business feed covers the whole drive), or moved out of it.
      forget(item.id);
      continue;
    }
    const p = join(parent, fromDriveName(item.name));
    const before = next[item.id];
    if (item.folder) {
      // A folder renamed or moved takes its whole subtree along: relisting is simpler and surer.
      if (before && before.p !== p) return 'relist';
      next[item.id] = { p, f: 1 };
    } else if (item.file) {
      if (before && before.p !== p) drop(before.p);
      next[item.id] = { p };
      if (isSafeRelativePath(p)) {
        removed.delete(p);
        entries.set(p, entryOf(item, p));
      }
    }
  }
  return { entries: [...entries.values()], removed: [...removed], known: next };
}

function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}
