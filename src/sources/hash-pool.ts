/**
 * Hashes files on every core with worker threads (Piscina). A handful of files is hashed on the
 * main thread instead: starting workers costs more than it saves.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { BatchResult, HashResult, HashTask } from './hash-worker.ts';

const INLINE_BELOW_FILES = 16;
const INLINE_BELOW_BYTES = 32 * 1024 * 1024;
/** Files per worker message: enough to amortise the message, few enough to spread the work. */
const BATCH_FILES = 32;
const BATCH_BYTES = 16 * 1024 * 1024;

export interface HashPool {
  hash(task: HashTask, size?: number): Promise<HashResult>;
  close(): Promise<void>;
}

export async function createHashPool(expected: { files: number; bytes: number }, threads?: number): Promise<HashPool> {
  const workers = threads ?? availableParallelism();
  if (workers <= 1 || (expected.files < INLINE_BELOW_FILES && expected.bytes < INLINE_BELOW_BYTES)) {
    const { hashFile } = await import('./hash-worker.ts');
    return { hash: (task) => hashFile(task), close: async () => {} };
  }
  // Under the test runner this module is TypeScript source; its workers then need tsx to load.
  const fromSource = import.meta.url.endsWith('.ts');
  const pool = new Piscina<readonly HashTask[], BatchResult[]>({
    filename: new URL(fromSource ? './hash-worker.ts' : './hash-worker.js', import.meta.url).href,
    maxThreads: workers,
    minThreads: Math.min(workers, 2),
    idleTimeout: 1000,
    ...(fromSource ? { execArgv: ['--import', 'tsx'] } : {}),
  });

  // Tasks gather into batches; a batch leaves when full or when the current turn of the event loop ends.
  let batch: { task: HashTask; resolve: (r: HashResult) => void; reject: (e: Error) => void }[] = [];
  let batchBytes = 0;
  let scheduled = false;
  const send = (): void => {
    scheduled = false;
    const items = batch;
    batch = [];
    batchBytes = 0;
    if (items.length === 0) return;
    pool.run(items.map((i) => i.task)).then(
      (results) =>
        results.forEach((r, n) => {
          const item = items[n]!;
          if ('ok' in r) item.resolve(r.ok);
          else item.reject(new Error(r.error));
        }),
      (err: unknown) => items.forEach((i) => i.reject(err as Error)),
    );
  };
  return {
    hash: (task, size = 0) =>
      new Promise<HashResult>((resolve, reject) => {
        batch.push({ task, resolve, reject });
        batchBytes += size;
        if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) send();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(send);
        }
      }),
    close: () => pool.destroy(),
  };
}
