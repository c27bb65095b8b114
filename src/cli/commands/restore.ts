/**
 * photosync restore --from REMOTE --to DIR [--since DATE] [--until DATE] [--path GLOB…]:
 * copy photos back, checked byte for byte, never overwriting a file already in DIR.
 */
import path from 'node:path';
import { ApplyFailedError, UsageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { planRestore, runRestore, type RestoreOptions } from '../../pipeline/restore.ts';
import { formatBytes } from '../../units.ts';
import type { CommandContext } from '../context.ts';
import { ApplyProgress } from '../progress.ts';
import { stopControl } from '../stop-control.ts';
import { plural } from '../../report/format.ts';

export interface RestoreCommandOptions {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly path?: readonly string[] | undefined;
  readonly transfers?: string | undefined;
}

export async function restoreCommand(ctx: CommandContext, options: RestoreCommandOptions): Promise<ExitCode> {
  if (!options.from || !options.to) throw new UsageError('restore needs --from REMOTE and --to DIR');
  for (const [flag, value] of [['--since', options.since], ['--until', options.until]] as const) {
    if (value !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))) {
      throw new UsageError(`${flag} ${value} is not a date`, { hint: `write it as YYYY-MM-DD, e.g. ${flag} 2024-01-01` });
    }
  }
  // Same-format dates compare as text.
  if (options.since !== undefined && options.until !== undefined && options.since > options.until) {
    throw new UsageError(`--since ${options.since} is after --until ${options.until}: no photo is in between`, { hint: 'swap them' });
  }
  const transfers = options.transfers === undefined ? undefined : Number(options.transfers);
  if (transfers !== undefined && (!Number.isInteger(transfers) || transfers < 1 || transfers > 64)) {
    throw new UsageError(`--transfers ${options.transfers} must be a whole number from 1 to 64`);
  }
  const session = await ctx.openSession();
  try {
    if (!session.remotes.some((h) => h.config.name === options.from)) {
      throw new UsageError(`no remote named "${options.from}"`, { hint: `remotes: ${session.remotes.map((h) => h.config.name).join(', ')}` });
    }
    const control = stopControl(ctx.out);
    const request: RestoreOptions = {
      from: options.from,
      to: path.resolve(ctx.io.cwd, options.to),
      since: options.since,
      until: options.until,
      paths: options.path,
      transfers,
      stop: control.stop,
      abort: control.abort,
    };
    const plan = await planRestore(session, request);
    const progress = new ApplyProgress(ctx.out, plan.actions);
    let result;
    try {
      result = await runRestore(session, plan, { ...request, onEvent: (e) => progress.handle(e) });
    } finally {
      progress.stop();
      control.release();
    }
    const renamed = plan.actions.filter((a) => a.renamed).length;
    if (ctx.out.json) {
      ctx.out.result({ restored: result.uploaded, bytes: result.bytes, alreadyThere: plan.alreadyThere + result.found, renamed, undated: plan.undated, unidentified: plan.unidentified, failed: result.failed.map((f) => ({ path: f.action.from, error: f.error })), notStarted: result.notStarted });
    } else {
      ctx.out.line(
        `Restored ${plural(result.uploaded, 'file')} (${formatBytes(result.bytes)}) into ${request.to}; ${plan.alreadyThere + result.found} already there` +
          `${renamed > 0 ? `, ${renamed} beside a different file of the same name (hash suffix)` : ''}.`,
      );
      if (plan.undated > 0) ctx.out.warn(`${plural(plan.undated, 'file')} left out: capture date unknown (restore them with --path instead of dates)`);
      if (plan.unidentified > 0) ctx.out.warn(`${plural(plan.unidentified, 'file')} left out: photosync does not know their content (run "photosync verify" or "state rebuild")`);
    }
    if (result.failed.length > 0) {
      for (const f of result.failed.slice(0, 50)) ctx.io.stderr.write(`  ${f.action.from}: ${f.error}\n`);
      throw new ApplyFailedError(`${plural(result.failed.length, 'file')} could not be restored`, { hint: 'run the restore again; what is already there is skipped' });
    }
    return control.reason() === 'signal' ? ExitCode.Interrupted : ExitCode.Ok;
  } finally {
    await session.close();
  }
}
