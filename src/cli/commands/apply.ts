/**
 * photosync apply [plan.json]: carries out a saved plan exactly, or plans and applies in one go.
 * Ctrl-C (SIGINT) or SIGTERM stops starting new uploads and lets those in flight finish; a second
 * signal abandons them too. Either way, everything finished is journalled.
 */
import path from 'node:path';
import { ApplyFailedError, AuthError, UsageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { BandwidthLimiter, parseBwLimit } from '../../executor/bandwidth.ts';
import type { ApplyResult } from '../../executor/execute.ts';
import { applyPlan, withApplyLock, type AppliedPlan } from '../../pipeline/apply-plan.ts';
import type { Session } from '../../pipeline/session.ts';
import { makePlanFile } from '../../pipeline/make-plan.ts';
import { assertPlanFits } from '../../pipeline/space.ts';
import type { PlanFile } from '../../planner/plan-file.ts';
import type { HeldLock } from '../../state/lock.ts';
import { formatBytes, parseDuration, parseSize } from '../../units.ts';
import type { CommandContext } from '../context.ts';
import { ApplyProgress, scanProgressReporter } from '../progress.ts';
import { stopControl, type StopControl } from '../stop-control.ts';
import { readPlan } from '../read-plan.ts';
import { renderPlan, renderScan } from '../render-plan.ts';
import { plural } from '../../report/format.ts';

export interface ApplyCommandOptions {
  readonly refresh?: boolean | undefined;
  readonly maxTransfer?: string | undefined;
  readonly maxDuration?: string | undefined;
  readonly transfers?: string | undefined;
  readonly bwlimit?: string | undefined;
  readonly allowPartial?: boolean | undefined;
}

export async function applyCommand(ctx: CommandContext, planPath: string | undefined, options: ApplyCommandOptions): Promise<ExitCode> {
  const limits = parseLimits(options);
  const session = await ctx.openSession();
  try {
    return await withApplyLock(session, async (lock) => {
      const out = ctx.out;
      if (lock.tookOverFrom) {
        const t = lock.tookOverFrom;
        out.warn(`took over the lock of an earlier apply that is gone (pid ${t.pid} on ${t.host}, last seen ${new Date(t.heartbeatAt).toISOString()})`);
        ctx.log.warn('apply.lock-taken-over', { pid: t.pid, host: t.host, heartbeatAt: new Date(t.heartbeatAt).toISOString() });
      }
      const control = stopControl(out, limits.maxDurationMs);
      try {
        if (planPath) {
          const { plan, sha } = await readPlan(path.resolve(ctx.io.cwd, planPath));
          const applied = await applyRound(ctx, session, lock, plan, sha, planPath, limits, control);
          if (applied.runId === null && !out.json) {
            ctx.log.info('apply.result', { ...NOTHING_DONE, deletions: 0 });
            out.line('The plan has nothing to do.');
            return ExitCode.Ok;
          }
          return finish(ctx, applied.result, control.reason());
        }
        // Planned here, so planned again when names turn out to be taken by files the state did
        // not know of (uploaded by a run killed before it journalled them): the fresh plan knows
        // them, and either finds the content there or picks another name.
        let total: ApplyResult = NOTHING_DONE;
        for (let round = 1; ; round++) {
          const plan = await planHere(ctx, session, options, round === 1);
          const applied = await applyRound(ctx, session, lock, plan, null, undefined, { ...limits, maxBytes: remaining(limits.maxBytes, total) }, control);
          if (applied.runId === null && round === 1 && !out.json) {
            ctx.log.info('apply.result', { ...NOTHING_DONE, deletions: 0 });
            return ExitCode.Ok;
          }
          total = addRound(total, applied.result);
          const taken = applied.result.failed.filter((f) => f.reason === 'name-taken').length;
          if (taken === 0 || round === MAX_ROUNDS || total.stoppedBy || control.reason()) break;
          out.note(`${plural(taken, 'name')} held other content the state did not know of; planning again`);
          ctx.log.info('apply.replan', { round, namesTaken: taken });
        }
        return finish(ctx, total, control.reason());
      } finally {
        control.release();
      }
    });
  } finally {
    await session.close();
  }
}

const NOTHING_DONE: ApplyResult = { uploaded: 0, found: 0, bytes: 0, failed: [], notStarted: 0, stoppedBy: null };

/** Rounds of planning and applying one `apply` makes at most (see applyCommand). */
const MAX_ROUNDS = 3;

/** Plans from the sources and the state as they are now, showing what was scanned and planned. */
async function planHere(ctx: CommandContext, session: Session, options: ApplyCommandOptions, first: boolean): Promise<PlanFile> {
  const progress = scanProgressReporter(ctx.out);
  const made = await makePlanFile(session, {
    refresh: first && (options.refresh ?? false),
    allowPartial: options.allowPartial ?? false,
    onScanProgress: (p) => progress.update(p),
  });
  progress.stop();
  // The scheduled job runs with --quiet, which keeps warnings off stderr (cron would mail them
  // every night): its log file is where they are kept.
  const refused = made.refreshed.flatMap((r) => r.refused.map((name) => ({ remote: r.remote, name })));
  if (first && (made.plan.problems.length > 0 || refused.length > 0)) ctx.log.warn('scan.problems', { problems: made.plan.problems, refused });
  // Worded only to be shown: --quiet and --json show none of it.
  if (first && !ctx.out.json && !ctx.out.quiet) {
    renderScan(ctx.out, made.plan, made.refreshed);
    renderPlan(ctx.out, made.plan);
  }
  return made.plan;
}

/** Checks that a plan fits, logs it, and carries it out with progress shown. */
async function applyRound(
  ctx: CommandContext,
  session: Session,
  lock: HeldLock,
  plan: PlanFile,
  sha: string | null,
  planPath: string | undefined,
  limits: Limits,
  control: StopControl,
): Promise<AppliedPlan> {
  assertPlanFits(plan);
  ctx.log.info('apply.plan', { planFile: planPath ? path.resolve(ctx.io.cwd, planPath) : null, ...planFacts(plan) });
  const progress = new ApplyProgress(ctx.out, plan.actions);
  try {
    return await applyPlan(session, lock, plan, sha, {
      stop: control.stop,
      abort: control.abort,
      maxBytes: limits.maxBytes,
      transfers: limits.transfers,
      bandwidth: limits.bandwidth,
      onEvent: (e) => progress.handle(e),
    });
  } finally {
    progress.stop();
  }
}

/** A later round's result added to the earlier ones: its failures are the ones that stand. */
function addRound(total: ApplyResult, round: ApplyResult): ApplyResult {
  return {
    uploaded: total.uploaded + round.uploaded,
    found: total.found + round.found,
    bytes: total.bytes + round.bytes,
    failed: round.failed,
    notStarted: round.notStarted,
    stoppedBy: round.stoppedBy ?? total.stoppedBy,
  };
}

function remaining(maxBytes: number | undefined, done: ApplyResult): number | undefined {
  return maxBytes === undefined ? undefined : Math.max(1, maxBytes - done.bytes);
}

function finish(ctx: CommandContext, result: ApplyResult, stopReason: 'signal' | 'max-duration' | null): ExitCode {
  const out = ctx.out;
  const stoppedBy = result.stoppedBy === 'max-transfer' ? 'max-transfer' : stopReason;
  const summary = {
    uploaded: result.uploaded,
    found: result.found,
    bytes: result.bytes,
    failed: result.failed.map((f) => ({ remote: f.action.remote, to: f.action.to, from: `${f.action.source}:${f.action.from}`, error: f.error })),
    notStarted: result.notStarted,
    stoppedBy,
    deletions: 0,
  };
  ctx.log[result.failed.length > 0 ? 'warn' : 'info']('apply.result', summary);
  if (out.json) {
    out.result(summary);
  } else {
    out.line(
      `Applied: ${plural(result.uploaded, 'upload')} (${formatBytes(result.bytes)}), ${result.found} already there, ${
        result.failed.length
      } failed${result.notStarted > 0 ? `, ${result.notStarted} left for the next run` : ''}. 0 deletions, 0 overwrites.`,
    );
  }
  if (result.failed.length > 0) {
    const lines = result.failed.slice(0, 50).map((f) => `  ${f.action.remote}: ${f.action.to} (from ${f.action.source}:${f.action.from}): ${f.error}`);
    if (!out.json) for (const line of lines) ctx.io.stderr.write(`${line}\n`);
    const signedOut = [...new Set(result.failed.filter((f) => f.reason === 'auth').map((f) => f.action.remote))];
    const message = `${plural(result.failed.length, 'item')} failed; everything else was done and journalled`;
    if (signedOut.length > 0) {
      // Exit code 5, so a scheduled run tells its owner what to do rather than just "failed".
      throw new AuthError(message, {
        hint: `${signedOut.join(', ')} need${signedOut.length === 1 ? 's' : ''} signing in again ("photosync auth login NAME", or "photosync auth set NAME" for a WebDAV password), then run "photosync apply" again`,
      });
    }
    throw new ApplyFailedError(message, { hint: 'run "photosync apply" again to retry them (failures that repeat say what needs fixing)' });
  }
  if (stoppedBy === 'signal') return ExitCode.Interrupted;
  if (stoppedBy === 'max-duration' || stoppedBy === 'max-transfer') return ExitCode.LimitReached;
  return ExitCode.Ok;
}

/** What the log keeps of a plan: its size per remote (the actions themselves are in the journal). */
function planFacts(plan: PlanFile): { uploads: number; bytes: number; remotes: Record<string, { uploads: number; bytes: number }> } {
  const remotes: Record<string, { uploads: number; bytes: number }> = {};
  for (const a of plan.actions) {
    const r = (remotes[a.remote] ??= { uploads: 0, bytes: 0 });
    r.uploads++;
    r.bytes += a.size;
  }
  return { uploads: plan.actions.length, bytes: plan.actions.reduce((n, a) => n + a.size, 0), remotes };
}

interface Limits {
  maxBytes?: number;
  maxDurationMs?: number;
  transfers?: number;
  bandwidth?: BandwidthLimiter;
}

function parseLimits(options: ApplyCommandOptions): Limits {
  const limits: Limits = {};
  if (options.maxTransfer !== undefined) {
    const n = parseSize(options.maxTransfer);
    if (n === null || n <= 0) throw new UsageError(`--max-transfer ${options.maxTransfer} is not a size`, { hint: 'e.g. --max-transfer 50G' });
    limits.maxBytes = n;
  }
  if (options.maxDuration !== undefined) {
    const ms = parseDuration(options.maxDuration);
    if (ms === null || ms <= 0) throw new UsageError(`--max-duration ${options.maxDuration} is not a duration`, { hint: 'e.g. --max-duration 2h or 1h30m' });
    limits.maxDurationMs = ms;
  }
  if (options.transfers !== undefined) {
    const n = Number(options.transfers);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--transfers ${options.transfers} must be a whole number from 1 to 64`);
    limits.transfers = n;
  }
  if (options.bwlimit !== undefined) {
    const schedule = parseBwLimit(options.bwlimit);
    if (!schedule) {
      throw new UsageError(`--bwlimit ${options.bwlimit} is neither a rate nor a timetable`, {
        hint: 'e.g. --bwlimit 4M, or --bwlimit "08:00,512k 19:00,10M 23:00,off" (days: "Mon-08:00,1M Sat-00:00,off")',
      });
    }
    limits.bandwidth = new BandwidthLimiter(schedule);
  }
  return limits;
}
