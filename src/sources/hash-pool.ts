/**
 * Hashes files on every core with worker threads (Piscina). A handful of files is hashed on the
 * main thread instead: starting workers costs more than it saves.
 */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import type { HashResult, HashTask } from './hash-worker.ts';

const INLINE_BELOW_FILES = 16;
const INLINE_BELOW_BYTES = 32 * 1024 * 1024;

export interface HashPool {
  hash(task: HashTask): Promise<HashResult>;
  close(): Promise<void>;
}

export async function createHashPool(expected: { files: number; bytes: number }, threads?: number): Promise<HashPool> {
  const workers = threads ?? availableParallelism();
  if (workers <= 1 || (expected.files < INLINE_BELOW_FILES && expected.bytes < INLINE_BELOW_BYTES)) {
    const { default: hashFile } = await import('./hash-worker.ts');
    // A few reads in flight overlap I/O; more would only open more files at once.
    const limit = pLimit(4);
    return { hash: (task) => limit(() => hashFile(task)), close: async () => {} };
  }
  // Under the test runner this module is TypeScript source; its workers then need tsx to load.
  const fromSource = import.meta.url.endsWith('.ts');
  const pool = new Piscina<HashTask, HashResult>({
    filename: new URL(fromSource ? './hash-worker.ts' : './hash-worker.js', import.meta.url).href,
    maxThreads: workers,
    minThreads: Math.min(workers, 2),
    idleTimeout: 1000,
    ...(fromSource ? { execArgv: ['--import', 'tsx'] } : {}),
  });
  return {
    hash: (task) => pool.run(task),
    close: () => pool.destroy(),
  };
}
