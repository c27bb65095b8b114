/**
 * Source folders a plan found entirely backed up (see migration 5): while a folder lists the same
 * under the same config, the next plan leaves it out. Forgotten as a whole by the database itself
 * whenever an inventory loses a file.
 */
import type { Db } from './store.ts';

export interface FolderNote {
  readonly relPath: string;
  readonly note: string;
}

export interface SettledFolder {
  readonly source: string;
  /** "/"-separated path inside the source; '' is its top. */
  readonly folder: string;
  /** Fingerprint of the folder's listing when it was found backed up. */
  readonly listing: string;
  readonly notes: readonly FolderNote[];
}

/** The key scans and plans use for a folder: source name and folder path. */
export function folderKey(source: string, folder: string): string {
  return `${source}\0${folder}`;
}

type RawRow = [string, string, string, string | null];

export class SettledFolders {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** How many times an inventory lost a file; read before planning, handed back to replace(). */
  losses(): number {
    return this.db.prepare(`SELECT count FROM inventory_losses`).pluck().get() as number;
  }

  /** The folders settled under this basis (see migration 5), by folderKey. */
  load(basis: string): Map<string, SettledFolder> {
    const rows = this.db
      .prepare(`SELECT source, folder, listing, notes FROM settled_folders WHERE basis = ?`)
      .raw()
      .all(basis) as RawRow[];
    const map = new Map<string, SettledFolder>();
    for (const [source, folder, listing, notes] of rows) {
      map.set(folderKey(source, folder), { source, folder, listing, notes: notes === null ? [] : (JSON.parse(notes) as FolderNote[]) });
    }
    return map;
  }

  /**
   * After a plan: the settled folders are those it left out (`kept`, still settled) and those it
   * found backed up (`settled`); every other row (folders that changed, are gone, or were settled
   * under another basis) goes. If an inventory lost a file since `lossesBefore` was read (while
   * the plan looked), nothing is settled: what the plan saw may no longer hold.
   */
  replace(basis: string, kept: Iterable<string>, settled: readonly SettledFolder[], lossesBefore: number): void {
    const keep = new Set(kept);
    const upsert = this.db.prepare(
      `INSERT INTO settled_folders (source, folder, listing, basis, notes) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source, folder) DO UPDATE SET listing = excluded.listing, basis = excluded.basis,
         notes = excluded.notes`,
    );
    const remove = this.db.prepare(`DELETE FROM settled_folders WHERE source = ? AND folder = ?`);
    this.db.transaction(() => {
      if (this.losses() !== lossesBefore) {
        this.db.prepare(`DELETE FROM settled_folders`).run();
        return;
      }
      const existing = this.db.prepare(`SELECT source, folder, basis FROM settled_folders`).raw().all() as [string, string, string][];
      for (const [source, folder, made] of existing) {
        if (made !== basis || !keep.has(folderKey(source, folder))) remove.run(source, folder);
      }
      for (const f of settled) {
        upsert.run(f.source, f.folder, f.listing, basis, f.notes.length === 0 ? null : JSON.stringify(f.notes));
      }
    })();
  }
}
