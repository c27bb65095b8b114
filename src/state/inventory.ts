/** What each remote holds, as recorded by uploads and listings. */
import { pathKey } from '../planner/path-key.ts';
import type { RemoteInventory } from '../planner/types.ts';
import type { Db } from './store.ts';

export type InventoryOrigin = 'uploaded' | 'found' | 'listed';

export interface InventoryRow {
  readonly path: string;
  readonly size: number;
  readonly sha256: string | null;
  /** Hashes in the remote's own terms (md5, dropbox content hash, quickxor…), by name. */
  readonly hashes: Readonly<Record<string, string>>;
  readonly origin: InventoryOrigin;
  readonly runId: number | null;
  readonly writtenAt: number;
  /** Capture date of the content ("YYYY-MM-DDTHH:MM:SS", local wall clock), when known. */
  readonly captured?: string | null | undefined;
  readonly verifiedAt?: number | null | undefined;
}

export interface RemoteRecord {
  readonly id: number;
  readonly identity: string;
  readonly listedAt: number | null;
  readonly listCursor: string | null;
}

interface Row {
  path: string;
  size: number;
  sha256: string | null;
  hashes: string | null;
  origin: InventoryOrigin;
  run_id: number | null;
  written_at: number;
  captured: string | null;
  verified_at: number | null;
}

const COLUMNS = 'path, size, sha256, hashes, origin, run_id, written_at, captured, verified_at';

function fromRow(r: Row): InventoryRow {
  return {
    path: r.path,
    size: r.size,
    sha256: r.sha256,
    hashes: r.hashes ? (JSON.parse(r.hashes) as Record<string, string>) : {},
    origin: r.origin,
    runId: r.run_id,
    writtenAt: r.written_at,
    captured: r.captured,
    verifiedAt: r.verified_at,
  };
}

export class Inventories {
  private readonly db: Db;
  private readonly upsertRow;

  constructor(db: Db) {
    this.db = db;
    this.upsertRow = db.prepare(
      `INSERT INTO inventory (remote_id, path, path_key, size, sha256, hashes, origin, run_id, written_at, captured)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (remote_id, path) DO UPDATE SET size = excluded.size,
         sha256 = coalesce(excluded.sha256, inventory.sha256), hashes = excluded.hashes,
         captured = coalesce(excluded.captured, inventory.captured),
         origin = CASE WHEN inventory.origin = 'listed' THEN excluded.origin ELSE inventory.origin END,
         run_id = coalesce(inventory.run_id, excluded.run_id), written_at = inventory.written_at`,
    );
  }

  /** The remote's row, created on first use. `identity` says what the remote is (type + place). */
  remote(identity: string, name: string, type: string): RemoteRecord {
    this.db
      .prepare(
        `INSERT INTO remotes (identity, name, type) VALUES (?, ?, ?)
         ON CONFLICT (identity) DO UPDATE SET name = excluded.name`,
      )
      .run(identity, name, type);
    const row = this.db
      .prepare(`SELECT id, identity, listed_at, list_cursor FROM remotes WHERE identity = ?`)
      .get(identity) as { id: number; identity: string; listed_at: number | null; list_cursor: string | null };
    return { id: row.id, identity: row.identity, listedAt: row.listed_at, listCursor: row.list_cursor };
  }

  *rows(remoteId: number): Generator<InventoryRow> {
    const stmt = this.db.prepare(`SELECT ${COLUMNS} FROM inventory WHERE remote_id = ? ORDER BY path`);
    for (const r of stmt.iterate(remoteId) as Iterable<Row>) yield fromRow(r);
  }

  /** Just what a listing is compared with, [path, size] per file. */
  *sizes(remoteId: number): Generator<[path: string, size: number]> {
    const stmt = this.db.prepare(`SELECT path, size FROM inventory WHERE remote_id = ?`).raw();
    yield* stmt.iterate(remoteId) as Iterable<[string, number]>;
  }

  /** Just what planning needs, [path, sha256] per file: the cheap way through a big inventory. */
  *contents(remoteId: number): Generator<{ path: string; sha256: string | null }> {
    // In the order of the inventory_contents index, which answers this from itself.
    const stmt = this.db.prepare(`SELECT path, sha256 FROM inventory WHERE remote_id = ? ORDER BY sha256, path`).raw();
    for (const [path, sha256] of stmt.iterate(remoteId) as Iterable<[string, string | null]>) yield { path, sha256 };
  }

  /**
   * The inventory answering the planner's questions one query each, for a plan over a few files:
   * a lookup costs about as much as loading one row, so this beats loading the whole inventory
   * while the files planned are a small part of it. Same answers as a MemoryInventory of contents()
   * (a content held at several paths is at the first of them by path).
   */
  lookup(remoteId: number): RemoteInventory {
    const byContent = this.db.prepare(`SELECT path FROM inventory WHERE remote_id = ? AND sha256 = ? ORDER BY path LIMIT 1`).pluck();
    const byKey = this.db.prepare(`SELECT 1 FROM inventory WHERE remote_id = ? AND path_key = ? LIMIT 1`).pluck();
    return {
      pathOf: (sha256) => byContent.get(remoteId, sha256) as string | undefined,
      isTaken: (key) => byKey.get(remoteId, key) !== undefined,
    };
  }

  /** Files whose content photosync does not know (listed, not written by it). */
  *unidentified(remoteId: number): Generator<InventoryRow> {
    const stmt = this.db.prepare(`SELECT ${COLUMNS} FROM inventory WHERE remote_id = ? AND sha256 IS NULL`);
    for (const r of stmt.iterate(remoteId) as Iterable<Row>) yield fromRow(r);
  }

  /** Bytes of every file recorded on the remote. */
  totalSize(remoteId: number): number {
    return this.db.prepare(`SELECT coalesce(sum(size), 0) FROM inventory WHERE remote_id = ?`).pluck().get(remoteId) as number;
  }

  /** Whether anything is recorded on the remote (one index probe, where count() reads them all). */
  holdsAny(remoteId: number): boolean {
    return this.db.prepare(`SELECT 1 FROM inventory WHERE remote_id = ? LIMIT 1`).pluck().get(remoteId) !== undefined;
  }

  count(remoteId: number): number {
    return this.db.prepare(`SELECT count(*) FROM inventory WHERE remote_id = ?`).pluck().get(remoteId) as number;
  }

  byPath(remoteId: number, path: string): InventoryRow | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM inventory WHERE remote_id = ? AND path = ?`).get(remoteId, path);
    return r ? fromRow(r as Row) : undefined;
  }

  /** Records (or completes) one file. Existing rows keep when and by which run they were first written. */
  record(remoteId: number, row: Omit<InventoryRow, 'writtenAt'> & { writtenAt?: number }): void {
    // The SHA-256 has its own column; the rest (the remote's own hashes) is kept as JSON.
    let others: string | null = null;
    for (const [name, value] of Object.entries(row.hashes)) {
      if (name === 'sha256') continue;
      others = others === null ? `{${JSON.stringify(name)}:${JSON.stringify(value)}` : `${others},${JSON.stringify(name)}:${JSON.stringify(value)}`;
    }
    this.upsertRow.run(
      remoteId,
      row.path,
      pathKey(row.path),
      row.size,
      row.sha256,
      others === null ? null : `${others}}`,
      row.origin,
      row.runId,
      row.writtenAt ?? Date.now(),
      row.captured ?? null,
    );
  }

  /** Forgets paths and everything under them (a deleted folder); returns how many rows went. */
  forgetUnder(remoteId: number, paths: readonly string[]): number {
    const exact = this.db.prepare(`DELETE FROM inventory WHERE remote_id = ? AND path = ?`);
    // "/" + 1 is "0": the range holds exactly the paths below the folder.
    const below = this.db.prepare(`DELETE FROM inventory WHERE remote_id = ? AND path >= ? AND path < ?`);
    let n = 0;
    this.db.transaction(() => {
      for (const p of paths) n += exact.run(remoteId, p).changes + below.run(remoteId, `${p}/`, `${p}0`).changes;
    })();
    return n;
  }

  recordMany(remoteId: number, rows: readonly (Omit<InventoryRow, 'writtenAt'> & { writtenAt?: number })[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const row of rows) this.record(remoteId, row);
    })();
  }

  /** Drops rows for files a listing showed are no longer on the remote (the state forgets; the remote is not touched). */
  forget(remoteId: number, paths: readonly string[]): void {
    if (paths.length === 0) return;
    const del = this.db.prepare(`DELETE FROM inventory WHERE remote_id = ? AND path = ?`);
    this.db.transaction(() => {
      for (const p of paths) del.run(remoteId, p);
    })();
  }

  markVerified(remoteId: number, path: string, at: number): void {
    this.db.prepare(`UPDATE inventory SET verified_at = ? WHERE remote_id = ? AND path = ?`).run(at, remoteId, path);
  }

  /** What verify found at a path: other bytes than recorded. The row now says what is really there. */
  correct(remoteId: number, path: string, size: number, sha256: string | null): void {
    this.db.prepare(`UPDATE inventory SET size = ?, sha256 = ?, hashes = NULL, verified_at = NULL WHERE remote_id = ? AND path = ?`).run(size, sha256, remoteId, path);
  }

  markListed(remoteId: number, cursor: string | null): void {
    this.db.prepare(`UPDATE remotes SET listed_at = ?, list_cursor = ? WHERE id = ?`).run(Date.now(), cursor, remoteId);
  }
}
