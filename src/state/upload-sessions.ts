/** Where remotes keep the sessions of unfinished uploads (see ResumeSlot in remotes/types.ts). */
import type { ResumeSlot } from '../remotes/types.ts';
import type { Db } from './store.ts';

export class UploadSessions {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** The slot for one upload: a remote, a destination, and the content it is meant to hold. */
  slot(remoteId: number, path: string, sha256: string): ResumeSlot {
    const key = [remoteId, path, sha256] as const;
    return {
      load: () =>
        (this.db.prepare(`SELECT session FROM upload_sessions WHERE remote_id = ? AND path = ? AND sha256 = ?`).pluck().get(...key) as
          | string
          | undefined) ?? null,
      save: (session) => {
        this.db
          .prepare(
            `INSERT INTO upload_sessions (remote_id, path, sha256, session, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (remote_id, path, sha256) DO UPDATE SET session = excluded.session, updated_at = excluded.updated_at`,
          )
          .run(...key, session, Date.now());
      },
      clear: () => {
        this.db.prepare(`DELETE FROM upload_sessions WHERE remote_id = ? AND path = ? AND sha256 = ?`).run(...key);
      },
    };
  }

  count(): number {
    return this.db.prepare(`SELECT count(*) FROM upload_sessions`).pluck().get() as number;
  }
}
