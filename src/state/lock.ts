/**
 * One apply at a time per state database: a lock row with pid, host and a heartbeat. A lock
 * whose process is gone (same host, pid dead) or whose heartbeat stopped is taken over, and the
 * caller is told so it can say it.
 */
import { hostname } from 'node:os';
import { LockError } from '../errors.ts';
import type { Db } from './store.ts';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: number;
  readonly heartbeatAt: number;
}

export interface HeldLock {
  /** Set when a stale lock was taken over. */
  readonly tookOverFrom: LockHolder | null;
  setRun(runId: number): void;
  release(): void;
}

export interface LockOptions {
  readonly staleAfterMs?: number;
  readonly heartbeatMs?: number;
}

export function acquireLock(db: Db, stateFile: string, options: LockOptions = {}): HeldLock {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const host = hostname();
  const pid = process.pid;

  const tookOverFrom = db.transaction((): LockHolder | null => {
    const row = db.prepare(`SELECT pid, host, acquired_at, heartbeat_at FROM lock WHERE id = 1`).get() as
      | { pid: number; host: string; acquired_at: number; heartbeat_at: number }
      | undefined;
    const now = Date.now();
    let previous: LockHolder | null = null;
    if (row) {
      const holder = { pid: row.pid, host: row.host, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at };
      const deadHere = row.host === host && (row.pid === pid || !processAlive(row.pid));
      const silent = now - row.heartbeat_at > staleAfterMs;
      if (!deadHere && !silent) {
        throw new LockError(
          `another photosync apply (pid ${row.pid} on ${row.host}, started ${new Date(row.acquired_at).toISOString()}) is using ${stateFile}`,
          {
            hint: `wait for it to finish; if that process is gone, its lock is taken over automatically ${Math.round(
              staleAfterMs / 1000,
            )} s after its last heartbeat`,
          },
        );
      }
      previous = holder;
    }
    db.prepare(
      `INSERT INTO lock (id, pid, host, run_id, acquired_at, heartbeat_at) VALUES (1, ?, ?, NULL, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, run_id = NULL,
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
    ).run(pid, host, now, now);
    return previous;
  }).immediate();

  const beat = db.prepare(`UPDATE lock SET heartbeat_at = ? WHERE id = 1 AND pid = ? AND host = ?`);
  const timer = setInterval(() => {
    try {
      beat.run(Date.now(), pid, host);
    } catch {
      // A busy database skips one heartbeat; the next one catches up long before the lock goes stale.
    }
  }, heartbeatMs);
  timer.unref();

  return {
    tookOverFrom,
    setRun(runId) {
      db.prepare(`UPDATE lock SET run_id = ? WHERE id = 1 AND pid = ? AND host = ?`).run(runId, pid, host);
    },
    release() {
      clearInterval(timer);
      db.prepare(`DELETE FROM lock WHERE id = 1 AND pid = ? AND host = ?`).run(pid, host);
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
