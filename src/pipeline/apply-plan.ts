/**
 * apply = take the lock, refuse a stale plan, raise the serial (every earlier plan is now stale),
 * execute, and close the run in the journal.
 */
import path from 'node:path';
import { StalePlanError, InputError } from '../errors.ts';
import { executePlan, type ApplyOptions, type ApplyResult, type RemoteTarget } from '../executor/execute.ts';
import type { PlanFile } from '../planner/plan-file.ts';
import type { HeldLock } from '../state/lock.ts';
import type { Session } from './session.ts';
import { stateRecorder } from './state-recorder.ts';

export interface AppliedPlan {
  readonly result: ApplyResult;
  /** The journal's run, or null when the plan had nothing to do (no run is recorded). */
  readonly runId: number | null;
}

/** Throws StalePlanError unless the plan was made from this state and this config. */
export function checkPlanIsCurrent(session: Session, plan: PlanFile): void {
  const basis = session.state.basis();
  const hint = 'run "photosync plan" again (or "photosync apply" without a plan file to plan and apply in one go)';
  if (plan.state.lineage !== basis.lineage) {
    throw new StalePlanError(`plan is stale: it was made from another state database (lineage ${plan.state.lineage}, this one is ${basis.lineage})`, {
      hint,
    });
  }
  if (plan.state.serial !== basis.serial) {
    throw new StalePlanError(
      `plan is stale: the state changed since it was made (serial ${plan.state.serial}, now ${basis.serial})`,
      { hint },
    );
  }
  if (plan.config.hash !== session.config.hash) {
    throw new StalePlanError(`plan is stale: it was made from another config (or the config changed since)`, { hint });
  }
}

/** A plan is reviewed data, but still input: it may only read from the configured sources and write to configured remotes. */
function checkPlanTargets(session: Session, plan: PlanFile): void {
  const sources = new Map(session.config.sources.map((s) => [s.name, s.path]));
  const remotes = new Set(session.config.remotes.map((r) => r.name));
  for (const action of plan.actions) {
    const root = sources.get(action.source);
    const rel = root === undefined ? '..' : path.relative(root, action.origin.split('#')[0] ?? '');
    if (rel.startsWith('..') || path.isAbsolute(rel) || !remotes.has(action.remote)) {
      throw new InputError(`plan action ${action.id} reads or writes outside the configured sources and remotes`, {
        hint: 'make the plan again with "photosync plan"; do not edit plan files by hand',
      });
    }
  }
}

/** Runs `fn` holding the state's apply lock (taking over a stale one, which `lock.tookOverFrom` reports). */
export async function withApplyLock<T>(session: Session, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const lock = session.state.lock();
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}

/** Carries out a plan; the caller holds the apply lock. */
export async function applyPlan(
  session: Session,
  lock: HeldLock,
  plan: PlanFile,
  planSha256: string | null,
  options: ApplyOptions & { readonly transfers?: number | undefined } = {},
): Promise<AppliedPlan> {
  // Staleness first: a plan made before a source or remote was renamed is stale (exit code 3),
  // not a hand-edited one.
  checkPlanIsCurrent(session, plan);
  checkPlanTargets(session, plan);
  if (plan.actions.length === 0) {
    return { result: { uploaded: 0, found: 0, bytes: 0, failed: [], notStarted: 0, stoppedBy: null }, runId: null };
  }
  const { state } = session;
  const serial = state.bumpSerial();
  const runId = state.journal.startRun('apply', serial, planSha256, session.config.hash);
  lock.setRun(runId);

  const targets = new Map<string, RemoteTarget>();
  const remoteIds = new Map<string, number>();
  for (const handle of session.remotes) {
    if (!plan.actions.some((a) => a.remote === handle.config.name)) continue;
    targets.set(handle.config.name, { remote: await handle.open(), transfers: options.transfers ?? handle.config.transfers });
    remoteIds.set(handle.config.name, handle.record.id);
  }
  let result: ApplyResult;
  try {
    result = await executePlan(plan.actions, targets, stateRecorder(state, runId, remoteIds), options);
  } catch (err) {
    state.journal.finishRun(runId, 'failed', { error: (err as Error).message });
    throw err;
  }
  state.journal.finishRun(runId, result.failed.length > 0 ? 'failed' : result.notStarted > 0 ? 'stopped' : 'succeeded', {
    uploaded: result.uploaded,
    found: result.found,
    failed: result.failed.length,
    notStarted: result.notStarted,
    bytes: result.bytes,
  });
  return { result, runId };
}
