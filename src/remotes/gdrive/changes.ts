/**
 * Incremental listing from Drive's changes feed (shared/docs/cloud-apis.md §1.1): page with
 * changes.list from the cursor until a page carries newStartPageToken, which is the next cursor.
 * A change names a file id, so paths come from the file's parents (folder paths are cached by the
 * folder tree) and, for where a file was before, from the ids this remote has seen in this
 * process. Where that is not enough to say which recorded paths went away (a file removed for
 * good that was never seen here, a folder moved, renamed or trashed with its files), the answer
 * falls back to a complete listing. A file never seen here that was renamed keeps its old path
 * recorded too (its content is still there; the old name is merely avoided), and one moved out of
 * the backup folder cannot be told from an unrelated file: `photosync verify` finds it missing.
 */
import type { CallOptions, ListChanges, RemoteEntry } from '../types.ts';
import { FOLDER_MIME, toDriveFile, type DriveApi, type DriveFile } from './api.ts';
import { joinPath, type FolderTree } from './folders.ts';

export interface ChangeContext {
  readonly api: DriveApi;
  readonly folders: FolderTree;
  /** File id → path under the backup folder, for every file this remote has listed, read or written. */
  readonly known: Map<string, string>;
  entryOf(path: string, file: DriveFile): RemoteEntry;
  listAll(options: CallOptions): AsyncIterable<RemoteEntry>;
}

export async function readChanges(ctx: ChangeContext, cursor: string | null, options: CallOptions = {}): Promise<ListChanges> {
  if (cursor === null) {
    // The cursor is taken before the listing, so nothing that changes during it is missed.
    const start = await ctx.api.startPageToken(options);
    return complete(ctx, start, options);
  }
  const entries = new Map<string, RemoteEntry>();
  const removed = new Set<string>();
  let lost = false;
  let token = cursor;
  for (;;) {
    const page = await ctx.api.changesPage(token, options);
    for (const change of page.changes ?? []) {
      const id = change.fileId;
      if (!id) continue;
      const file = change.file ? toDriveFile(change.file) : null;
      if (file?.mimeType === FOLDER_MIME || (!file && ctx.folders.cachedPath(id) !== undefined)) {
        // A folder moved, renamed or trashed takes its files along without a change for each of
        // them: when one that was in the backup folder did, list it all.
        const cached = ctx.folders.cachedPath(id);
        ctx.folders.forget(id);
        // Where it is now by its parents (a trashed folder keeps them).
        const place = file ? await ctx.folders.pathOf(id, options) : null;
        const gone = change.removed === true || !file || file.trashed;
        if (gone ? (cached ?? place) !== null : cached !== undefined && cached !== null && cached !== place) lost = true;
        continue;
      }
      const before = ctx.known.get(id);
      const gone = change.removed === true || !file || file.trashed;
      // A trashed file keeps its parents, so where it was can still be told.
      const where = file ? await pathOfFile(ctx, file, options) : null;
      const now = gone || file?.size === null ? null : where;
      const was = before ?? (gone ? where : null);
      if (gone && was === null && !file) lost = true;
      if (was !== null && was !== now) {
        removed.add(was);
        entries.delete(was);
      }
      if (now !== null && file) {
        entries.set(now, ctx.entryOf(now, file));
        removed.delete(now);
        ctx.known.set(id, now);
      } else ctx.known.delete(id);
    }
    if (page.newStartPageToken) {
      token = page.newStartPageToken;
      break;
    }
    if (!page.nextPageToken) throw new Error('Drive answered a changes page with neither nextPageToken nor newStartPageToken');
    token = page.nextPageToken;
  }
  if (lost) return complete(ctx, token, options);
  return { entries: [...entries.values()], removed: [...removed], complete: false, cursor: token };
}

async function complete(ctx: ChangeContext, cursor: string, options: CallOptions): Promise<ListChanges> {
  const entries: RemoteEntry[] = [];
  for await (const entry of ctx.listAll(options)) entries.push(entry);
  return { entries, removed: [], cursor, complete: true };
}

async function pathOfFile(ctx: ChangeContext, file: DriveFile, options: CallOptions): Promise<string | null> {
  const parent = file.parents[0];
  if (parent === undefined || file.name.includes('/')) return null;
  const dir = await ctx.folders.pathOf(parent, options);
  return dir === null ? null : joinPath(dir, file.name);
}
