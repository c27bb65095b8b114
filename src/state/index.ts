/** The state store as the rest of photosync sees it. */
import { Inventories } from './inventory.ts';
import { Journal } from './journal.ts';
import { acquireLock, type HeldLock, type LockOptions } from './lock.ts';
import { ScanCache } from './scan-cache.ts';
import { SettledFolders } from './settled-folders.ts';
import { UploadSessions } from './upload-sessions.ts';
import { StateError } from '../errors.ts';
import { bumpSerial, openDatabase, readBasis, REBUILD_HINT, type Db, type StateBasis } from './store.ts';

export class State {
  readonly scanCache: ScanCache;
  readonly inventories: Inventories;
  readonly journal: Journal;
  readonly uploadSessions: UploadSessions;
  readonly settledFolders: SettledFolders;

  readonly file: string;
  private readonly db: Db;

  private constructor(file: string, db: Db) {
    this.file = file;
    this.db = db;
    this.scanCache = new ScanCache(db);
    this.inventories = new Inventories(db);
    this.journal = new Journal(db, this.inventories);
    this.uploadSessions = new UploadSessions(db);
    this.settledFolders = new SettledFolders(db);
  }

  static open(file: string): State {
    const db = openDatabase(file);
    try {
      return new State(file, db);
    } catch (err) {
      db.close();
      // The statements are prepared here: a table without the columns they name means the file's
      // schema is not the one its version number promises (a development build's database).
      if ((err as { code?: unknown }).code === 'SQLITE_ERROR') {
        throw new StateError(`the state database ${file} does not have the tables this photosync expects`, { hint: REBUILD_HINT, cause: err });
      }
      throw err;
    }
  }

  basis(): StateBasis {
    return readBasis(this.db);
  }

  /** Marks that what remotes hold is about to change; returns the new serial. */
  bumpSerial(): number {
    return this.db.transaction(() => bumpSerial(this.db)).immediate();
  }

  /** A small value kept with the state (not part of what remotes hold: the serial does not move). */
  getMeta(key: string): string | null {
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(`x:${key}`) as string | undefined;
    return row ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare(`DELETE FROM meta WHERE key = ?`).run(`x:${key}`);
    else this.db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(`x:${key}`, value);
  }

  /** Runs `fn` in one transaction (nested calls join it). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  lock(options?: LockOptions): HeldLock {
    return acquireLock(this.db, this.file, options);
  }

  close(): void {
    this.db.close();
  }
}

export type { StateBasis } from './store.ts';
export type { InventoryRow, RemoteRecord } from './inventory.ts';
