/**
 * `photosync state rebuild`: when the state database is damaged, foreign or lost, start a new one
 * from the truth: list every remote, identify what it holds, and scan the sources. The old file
 * is moved aside, never deleted. Nothing on any remote or source is changed.
 */
import { existsSync, renameSync } from 'node:fs';
import type { Config } from '../config/types.ts';
import { StateError } from '../errors.ts';
import { scanSources, type ScanProgress } from '../sources/scan.ts';
import { State } from '../state/index.ts';
import { Session, type RefreshReport } from './session.ts';

export interface RebuildReport {
  readonly movedAside: readonly string[];
  readonly remotes: readonly (RefreshReport & { identified: number })[];
  readonly sourceFiles: number;
}

export async function rebuildState(
  config: Config,
  env: NodeJS.ProcessEnv,
  options: { onRemote?: (name: string) => void; onScanProgress?: (p: ScanProgress) => void; now?: () => Date } = {},
): Promise<RebuildReport> {
  refuseWhileApplying(config.statePath);
  const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const movedAside: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    const file = `${config.statePath}${suffix}`;
    if (!existsSync(file)) continue;
    const aside = `${config.statePath}.broken-${stamp}${suffix}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      throw new StateError(`cannot move ${file} aside (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'check that its folder is writable',
        cause: err,
      });
    }
    movedAside.push(aside);
  }
  const session = await Session.open(config, env);
  try {
    const snapshot = await scanSources(config.sources, session.state.scanCache, {
      ...(options.onScanProgress ? { onProgress: options.onScanProgress } : {}),
    });
    const sizes = new Set(snapshot.files.map((f) => f.size));
    const remotes: (RefreshReport & { identified: number })[] = [];
    for (const handle of session.remotes) {
      options.onRemote?.(handle.config.name);
      const listed = await session.refresh(handle);
      remotes.push({ ...listed, identified: await session.identifyUnknown(handle, sizes) });
    }
    return { movedAside, remotes, sourceFiles: snapshot.files.length };
  } finally {
    await session.close();
  }
}

/**
 * A state that still opens may be in use by a scheduled apply: moving it aside under that apply
 * would split its journal from the new state. Its lock says (exit code 4, as for apply); a state
 * too damaged to open has nobody writing to it.
 */
function refuseWhileApplying(file: string): void {
  if (!existsSync(file)) return;
  let state: State;
  try {
    state = State.open(file);
  } catch {
    return;
  }
  try {
    state.lock().release();
  } finally {
    state.close();
  }
}
