/**
 * Commits of finished upload sessions, grouped. Every commit takes a lock on the Dropbox
 * namespace; many commits at once fail with too_many_write_operations, and Dropbox's answer is
 * to commit many files in one upload_session/finish_batch_v2 call (data-ingress guide). Finishes
 * that arrive within `delayMs` of each other go out together (at once when `maxEntries` are
 * waiting); each caller gets its own entry's metadata or failure. A lone finish uses
 * upload_session/finish. finish_batch_v2 wants closed sessions, which upload.ts guarantees.
 */
import { DropboxResponseError, type files } from 'dropbox';
import type { DropboxApi } from './api.ts';

export interface BatcherOptions {
  /** Flush as soon as this many commits wait (Dropbox takes at most 1000). */
  readonly maxEntries: number;
  /** How long the first waiting commit waits for company. */
  readonly delayMs: number;
}

interface Pending {
  readonly entry: files.UploadSessionFinishArg;
  readonly resolve: (metadata: files.FileMetadata) => void;
  readonly reject: (err: unknown) => void;
}

export const MAX_BATCH_ENTRIES = 1000;

export class CommitBatcher {
  private readonly api: DropboxApi;
  private readonly options: BatcherOptions;
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(api: DropboxApi, options: BatcherOptions) {
    if (!(options.maxEntries >= 1 && options.maxEntries <= MAX_BATCH_ENTRIES)) throw new Error(`batch size must be 1..${MAX_BATCH_ENTRIES}`);
    this.api = api;
    this.options = options;
  }

  /** Commits one closed session; resolves with the new file's metadata. */
  finish(entry: files.UploadSessionFinishArg): Promise<files.FileMetadata> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length >= this.options.maxEntries) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.delayMs);
    });
  }

  /** Sends whatever waits now (also on close). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) void this.single(batch[0]!);
    else if (batch.length > 1) void this.many(batch);
  }

  private async single(one: Pending): Promise<void> {
    try {
      one.resolve(await this.api.call((sdk) => sdk.filesUploadSessionFinish({ ...one.entry, contents: Buffer.alloc(0) })));
    } catch (err) {
      one.reject(err);
    }
  }

  private async many(batch: Pending[]): Promise<void> {
    let results: files.UploadSessionFinishBatchResultEntry[];
    try {
      const answer = await this.api.call((sdk) => sdk.filesUploadSessionFinishBatchV2({ entries: batch.map((p) => p.entry) }));
      results = answer.entries;
    } catch (err) {
      // The whole call failed (429, 5xx, network): every caller retries its own commit.
      for (const p of batch) p.reject(err);
      return;
    }
    if (results.length !== batch.length) {
      const err = new Error(`finish_batch_v2 answered ${results.length} entries for ${batch.length}`);
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const result = results[i]!;
      if (result['.tag'] === 'success') {
        const { '.tag': _tag, ...metadata } = result;
        p.resolve(metadata);
      } else {
        // Shaped like upload_session/finish's own 409, so one classifier serves both.
        const failure = result['.tag'] === 'failure' ? result.failure : result;
        p.reject(new DropboxResponseError(409, new Headers(), { error_summary: 'finish_batch_v2 entry failed', error: failure }));
      }
    });
  }
}
