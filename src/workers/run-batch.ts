/** The worker side of a batch pool (kept apart so workers do not load Piscina). */

export type BatchOutcome<R> = { readonly ok: R } | { readonly error: string; readonly code?: string | undefined };

/** A worker's batch loop: runs each task, turning a throw into that task's `{ error }`. */
export async function runBatch<T, R>(tasks: readonly T[], one: (task: T) => R | Promise<R>): Promise<BatchOutcome<R>[]> {
  const results: BatchOutcome<R>[] = [];
  for (const task of tasks) {
    try {
      results.push({ ok: await one(task) });
    } catch (err) {
      results.push({ error: err instanceof Error ? err.message : String(err), code: (err as NodeJS.ErrnoException).code });
    }
  }
  return results;
}
