/**
 * The run journal: one row per run and one per finished plan action. Finishing an action writes
 * its journal row and the remote's inventory row in one transaction, so what a crash interrupts
 * is exactly what was not finished.
 */
import { hostname } from 'node:os';
import type { Inventories, InventoryOrigin } from './inventory.ts';
import type { Db } from './store.ts';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'crashed';

export interface ActionOutcome {
  readonly actionId: number;
  readonly remoteId: number;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly hashes: Readonly<Record<string, string>>;
  /** uploaded: photosync wrote it now; found: it was already there (an earlier, unjournalled upload). */
  readonly status: Extract<InventoryOrigin, 'uploaded' | 'found'>;
  readonly captured?: string | undefined;
}

export interface RunRecord {
  readonly id: number;
  readonly kind: string;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: RunStatus;
  readonly serial: number;
  readonly summary: string | null;
}

export class Journal {
  private readonly db: Db;
  private readonly inventories: Inventories;
  private readonly insertAction;

  constructor(db: Db, inventories: Inventories) {
    this.db = db;
    this.inventories = inventories;
    this.insertAction = db.prepare(
      `INSERT INTO journal (run_id, action_id, remote_id, path, sha256, size, status, error, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  startRun(kind: string, serial: number, planSha256: string | null, configHash: string | null): number {
    // A run left 'running' by a process that no longer holds the lock was cut off (kill -9, power).
    this.db.prepare(`UPDATE runs SET status = 'crashed' WHERE status = 'running'`).run();
    const info = this.db
      .prepare(
        `INSERT INTO runs (kind, started_at, status, serial, plan_sha256, config_hash, pid, host)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(kind, Date.now(), serial, planSha256, configHash, process.pid, hostname());
    return Number(info.lastInsertRowid);
  }

  finishRun(runId: number, status: Exclude<RunStatus, 'running' | 'crashed'>, summary: unknown): void {
    this.db
      .prepare(`UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?`)
      .run(Date.now(), status, JSON.stringify(summary), runId);
  }

  /** Journals a finished action and records what the remote now holds, atomically. */
  finished(runId: number, outcome: ActionOutcome): void {
    const now = Date.now();
    this.db.transaction(() => {
      this.inventories.record(outcome.remoteId, {
        path: outcome.path,
        size: outcome.size,
        sha256: outcome.sha256,
        hashes: outcome.hashes,
        origin: outcome.status,
        runId,
        writtenAt: now,
        captured: outcome.captured,
      });
      this.insertAction.run(runId, outcome.actionId, outcome.remoteId, outcome.path, outcome.sha256, outcome.size, outcome.status, null, now);
    })();
  }

  /** Records a file found on a remote that photosync did not put there (it now counts as taken). */
  noteExisting(runId: number, remoteId: number, entry: { path: string; size: number; hashes: Readonly<Record<string, string | undefined>> }): void {
    const { sha256, ...others } = entry.hashes;
    this.inventories.record(remoteId, {
      path: entry.path,
      size: entry.size,
      sha256: sha256 ?? null,
      hashes: Object.fromEntries(Object.entries(others).filter((kv): kv is [string, string] => kv[1] !== undefined)),
      origin: 'found',
      runId,
    });
  }

  failed(runId: number, actionId: number, remoteId: number, path: string, sha256: string, size: number, error: string): void {
    this.insertAction.run(runId, actionId, remoteId, path, sha256, size, 'failed', error, Date.now());
  }

  recentRuns(limit: number): RunRecord[] {
    const rows = this.db
      .prepare(`SELECT id, kind, started_at, finished_at, status, serial, summary FROM runs ORDER BY id DESC LIMIT ?`)
      .all(limit) as {
      id: number;
      kind: string;
      started_at: number;
      finished_at: number | null;
      status: RunStatus;
      serial: number;
      summary: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
      serial: r.serial,
      summary: r.summary,
    }));
  }
}
