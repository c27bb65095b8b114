/**
 * Worker threads (Piscina) fed in batches: posting one message per small file costs more than
 * the work, so tasks gather into batches that leave when full or when the current turn of the
 * event loop ends. A worker module default-exports `(tasks) => results`, one result per task, in
 * order: `{ ok }` or `{ error }`.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { BatchOutcome } from './run-batch.ts';


export interface BatchPool<T, R> {
  run(task: T, size?: number): Promise<R>;
  close(): Promise<void>;
}

/** A worker module beside `caller` (its import.meta.url): TypeScript under the test runner, built JavaScript otherwise. */
export function workerBeside(caller: string, name: string): URL {
  return new URL(`./${name}${caller.endsWith('.ts') ? '.ts' : '.js'}`, caller);
}

export interface BatchPoolOptions {
  /** The worker module, as a URL relative to the caller's module (".ts" under the test runner, ".js" built). */
  readonly worker: URL;
  readonly threads?: number | undefined;
  readonly batchFiles?: number;
  readonly batchBytes?: number;
}

/** An error a worker reported, with its errno code kept so callers can classify it. */
export class WorkerTaskError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/**
 * piscina loads a worker with require() first and import() if that throws. On Node 20.19+
 * require() of an ES module (our workers) is allowed but can abort the whole process ("IsGraphAsync
 * must be used on an instantiated module", seen once in a benchmark run); with require(esm) off in
 * the worker, require throws and piscina takes the import() path, which is sound.
 */
const ESM_BY_IMPORT = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [];

export function createBatchPool<T, R>(options: BatchPoolOptions): BatchPool<T, R> {
  const threads = options.threads ?? availableParallelism();
  // Under the test runner the worker is TypeScript source and needs tsx to load.
  const fromSource = options.worker.pathname.endsWith('.ts');
  const pool = new Piscina<readonly T[], BatchOutcome<R>[]>({
    filename: options.worker.href,
    maxThreads: threads,
    minThreads: Math.min(threads, 2),
    idleTimeout: 1000,
    execArgv: [...(fromSource ? ['--import', 'tsx'] : []), ...ESM_BY_IMPORT],
  });
  const batchFiles = options.batchFiles ?? 32;
  const batchBytes = options.batchBytes ?? 16 * 1024 * 1024;
  let batch: { task: T; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];
  let bytes = 0;
  let scheduled = false;
  const send = (): void => {
    scheduled = false;
    const items = batch;
    batch = [];
    bytes = 0;
    if (items.length === 0) return;
    pool.run(items.map((i) => i.task)).then(
      (results) =>
        results.forEach((r, n) => {
          const item = items[n]!;
          if ('ok' in r) item.resolve(r.ok);
          else item.reject(new WorkerTaskError(r.error, r.code));
        }),
      (err: unknown) => items.forEach((i) => i.reject(err as Error)),
    );
  };
  return {
    run: (task, size = 0) =>
      new Promise<R>((resolve, reject) => {
        batch.push({ task, resolve, reject });
        bytes += size;
        if (batch.length >= batchFiles || bytes >= batchBytes) send();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(send);
        }
      }),
    close: () => pool.destroy(),
  };
}
