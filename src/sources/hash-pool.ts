/**
 * Hashes files on every core with worker threads, in batches. A small scan is hashed on the
 * main thread instead: starting the workers (each loads its modules) takes ~100 ms, while the
 * main thread hashes 32 MiB in ~25 ms and opens a file in a few dozen microseconds.
 */
import { availableParallelism } from 'node:os';
import { createBatchPool, workerBeside } from '../workers/batch-pool.ts';
import type { HashResult, HashTask } from './hash-worker.ts';

const INLINE_BELOW_FILES = 2000;
const INLINE_BELOW_BYTES = 32 * 1024 * 1024;

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
  const pool = createBatchPool<HashTask, HashResult>({
    worker: workerBeside(import.meta.url, 'hash-worker'),
    threads: workers,
  });
  return { hash: (task, size) => pool.run(task, size), close: () => pool.close() };
}
