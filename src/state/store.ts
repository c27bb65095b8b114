/**
 * The state database: SQLite in WAL mode, opened only here. It holds the scan cache, what every
 * remote holds, the run journal and the lock, plus a lineage (fixed when the database is created)
 * and a serial (raised by every run that changes what remotes hold) that saved plans are checked
 * against.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from '../errors.ts';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export interface StateBasis {
  readonly lineage: string;
  readonly serial: number;
}

const APP_ID = 'photosync';

export const REBUILD_HINT =
  'run "photosync state rebuild": it moves this file aside, re-lists the remotes and re-scans the sources (no photo is touched)';

export function openDatabase(file: string): Db {
  let db: Db;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new StateError(`cannot create the folder of the state database ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'point "state:" in the config, or PHOTOSYNC_STATE_DIR, at a folder you can write to',
      cause: err,
    });
  }
  try {
    db = new Database(file, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives process crashes without losing commits; after a power cut the
    // last commits may be lost but never corrupt the file, and the next run finds those uploads
    // on the remote by their hash.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    checkIdentity(db, file);
    migrate(db);
  } catch (err) {
    throw asStateError(err, file);
  }
  return db;
}

function checkIdentity(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
  if (version === 0 && tables.length > 0) {
    throw new StateError(`${file} is an SQLite database, but not photosync's state`, {
      hint: 'point "state:" in the config at another file, or ' + REBUILD_HINT,
    });
  }
  if (version > MIGRATIONS.length) {
    throw new StateError(`${file} was written by a newer photosync (state schema ${version}, this one knows ${MIGRATIONS.length})`, {
      hint: 'upgrade photosync',
    });
  }
  if (version > 0) {
    const app = db.prepare(`SELECT value FROM meta WHERE key = 'app'`).get() as { value: string } | undefined;
    if (app?.value !== APP_ID) {
      throw new StateError(`${file} is not photosync's state database`, { hint: REBUILD_HINT });
    }
  }
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === MIGRATIONS.length) return;
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] ?? '');
    }
    if (version === 0) {
      const put = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`);
      put.run('app', APP_ID);
      put.run('lineage', randomUUID());
      put.run('serial', '0');
      put.run('created_at', new Date().toISOString());
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

export function readBasis(db: Db): StateBasis {
  const get = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck();
  return { lineage: String(get.get('lineage')), serial: Number(get.get('serial')) };
}

/** Raises the serial: any plan made before this point becomes stale. */
export function bumpSerial(db: Db): number {
  const next = readBasis(db).serial + 1;
  db.prepare(`UPDATE meta SET value = ? WHERE key = 'serial'`).run(String(next));
  return next;
}

/** SQLite's "not a database" / "malformed" errors become a StateError saying what to do. */
export function asStateError(err: unknown, file: string): unknown {
  if (err instanceof StateError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CORRUPT_VTAB') {
    return new StateError(`the state database ${file} is damaged or not a database`, { hint: REBUILD_HINT, cause: err });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new StateError(`cannot open the state database ${file} for writing`, {
      hint: 'check that its folder exists and is writable, or set "state:" / PHOTOSYNC_STATE_DIR',
      cause: err,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new StateError(`the disk holding the state database ${file} is full`, { hint: 'free some space and run again', cause: err });
  }
  return err;
}
