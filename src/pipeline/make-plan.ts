/**
 * plan = scan the sources, bring inventories up to date where needed, then call the pure planner
 * and wrap its result with the state basis and config hash.
 */
import { fitToSpace } from '../planner/fit-space.ts';
import { backedUpEverywhere } from '../planner/backed-up.ts';
import { makePlan } from '../planner/plan.ts';
import { toPlanFile, type PlanFile } from '../planner/plan-file.ts';
import type { RemoteInventory } from '../planner/types.ts';
import { scanSources, type ScanProgress } from '../sources/scan.ts';
import type { SourceSnapshot } from '../sources/types.ts';
import { VERSION } from '../version.ts';
import { recallNoop, rememberPlan } from './noop-memo.ts';
import { settledFolders } from './settle.ts';
import type { RefreshReport, Session } from './session.ts';

export interface MakePlanOptions {
  /** Re-list every remote, not only those never listed before. */
  readonly refresh?: boolean;
  /** Keep what fits on a remote that is short of space, instead of planning it all. */
  readonly allowPartial?: boolean;
  /** The caller needs the source files themselves (a report), so the no-op shortcut is off. */
  readonly needFiles?: boolean;
  readonly onScanProgress?: (p: ScanProgress) => void;
  readonly onRefresh?: (remote: string) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export interface MadePlan {
  readonly plan: PlanFile;
  /** The source files, or null when the no-op shortcut stopped the scan early (see noop-memo.ts). */
  readonly snapshot: SourceSnapshot | null;
  readonly refreshed: readonly RefreshReport[];
}

export async function makePlanFile(session: Session, options: MakePlanOptions = {}): Promise<MadePlan> {
  const { config, state } = session;
  // A refresh or a report looks at everything; so does a plan with a remote not yet listed.
  const whole = options.refresh || options.needFiles || session.unlisted().length > 0;
  const memo = whole ? null : recallNoop(state, config.hash);
  // Folders settled under another config or another photosync are looked at again.
  const basis = `${config.hash} ${VERSION}`;
  const losses = state.settledFolders.losses();
  const settled = whole ? undefined : state.settledFolders.load(basis);
  const scan = await scanSources(config.sources, state.scanCache, {
    unchangedSince: memo?.fingerprint,
    settled,
    ...(options.onScanProgress ? { onProgress: options.onScanProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (scan.unchanged && memo) {
    return { plan: { ...memo.plan, createdAt: (options.now?.() ?? new Date()).toISOString() }, snapshot: null, refreshed: [] };
  }
  const snapshot: SourceSnapshot = scan;

  const refreshed: RefreshReport[] = [];
  for (const handle of options.refresh ? session.remotes : session.unlisted()) {
    options.onRefresh?.(handle.config.name);
    refreshed.push(await session.refresh(handle));
  }
  const sizes = new Set(snapshot.files.map((f) => f.size));
  for (const handle of session.remotes) await session.identifyUnknown(handle, sizes);

  // A plan asks two or three questions per file (held? name taken? backed up?); the remotes hold
  // at least the files left out as settled. Few questions against a large inventory: ask the database.
  const oneByOne = snapshot.files.length * 3 < scan.leftOut.files;
  const inventories = new Map<string, RemoteInventory>();
  for (const remote of config.remotes) inventories.set(remote.name, session.inventory(remote.name, oneByOne));
  const planned = makePlan({ remotes: config.remotes, files: snapshot.files, inventories });
  // Free space is asked only of remotes the plan adds to: a run with nothing to do makes no request.
  const free = new Map<string, number | null>();
  for (const handle of session.remotes) {
    if ((planned.summary.remotes[handle.config.name]?.bytes ?? 0) > 0) free.set(handle.config.name, await session.freeSpace(handle));
  }
  const body = fitToSpace(planned, free, options.allowPartial ?? false);

  const leftOut = scan.leftOut.keys.map((key) => settled?.get(key)).filter((f) => f !== undefined);
  const notes = snapshot.files.flatMap((f) => (f.notes ?? []).map((note) => ({ source: f.source, relPath: f.relPath, note })));
  for (const folder of leftOut) for (const n of folder.notes) notes.push({ source: folder.source, ...n });
  const plan = toPlanFile(
    leftOut.length === 0 ? body : { ...body, summary: { ...body.summary, leftOut: { folders: leftOut.length, files: scan.leftOut.files } } },
    {
      photosyncVersion: VERSION,
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      config: { file: config.file, hash: config.hash },
      state: state.basis(),
      problems: snapshot.problems,
      notes,
    },
  );
  state.transaction(() => {
    rememberPlan(state, scan.fingerprint, plan);
    state.settledFolders.replace(basis, scan.leftOut.keys, settledFolders(scan, backedUpEverywhere(config.remotes, inventories)), losses);
  });
  return { plan, snapshot, refreshed };
}
