/**
 * Making a local remote's writes survive a power cut, cheaply. fsync per file costs a disk flush
 * each (several milliseconds on many disks); syncing the whole file system once for a batch of
 * files costs about one. On Linux, `sync --file-system` (syncfs(2)) does that, and the executor
 * journals a batch only after it. Where it is not available, every file is fsynced before its
 * name is linked, and every new name's folder after.
 */
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';

export interface Durability {
  /** Whether files must be fsynced one by one (no file-system sync here). */
  readonly perFile: boolean;
  /** Makes everything written so far on the file system durable. */
  barrier(): Promise<void>;
}

export async function durabilityFor(root: string): Promise<Durability> {
  if (process.platform !== 'linux' || !(await syncFileSystem(root).then(() => true, () => false))) {
    return { perFile: true, barrier: async () => {} };
  }
  // Coalescing: a caller waits for a sync that started after it called; callers arriving while one
  // runs share the next.
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const run = (): Promise<void> => {
    running = syncFileSystem(root).finally(() => {
      running = null;
    });
    return running;
  };
  return {
    perFile: false,
    barrier() {
      if (!running) return run();
      next ??= running.catch(() => {}).then(() => {
        next = null;
        return run();
      });
      return next;
    },
  };
}

function syncFileSystem(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['--file-system', path], (err) => (err ? reject(err) : resolve()));
  });
}

/** fsync of a folder, so a new name in it is durable; not every platform can open a folder. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort: Windows cannot fsync a directory handle */
  }
}
