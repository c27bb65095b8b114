/**
 * photosync plan: scan, diff against every remote, print the summary and (with --out) save the
 * plan for review. --detailed-exitcode: 0 no changes, 1 error, 2 changes.
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode } from '../../exit-codes.ts';
import { makePlanFile } from '../../pipeline/make-plan.ts';
import { serializePlan } from '../../planner/plan-file.ts';
import { assertPlanFits } from '../../pipeline/space.ts';
import type { CommandContext } from '../context.ts';
import { scanProgressReporter } from '../progress.ts';
import { renderPlan, renderScan } from '../render-plan.ts';

export interface PlanOptions {
  readonly out?: string | undefined;
  readonly detailedExitcode?: boolean | undefined;
  readonly refresh?: boolean | undefined;
  readonly allowPartial?: boolean | undefined;
}

export async function planCommand(ctx: CommandContext, options: PlanOptions): Promise<ExitCode> {
  const session = await ctx.openSession();
  try {
    const progress = scanProgressReporter(ctx.out);
    const made = await makePlanFile(session, {
      refresh: options.refresh ?? false,
      allowPartial: options.allowPartial ?? false,
      onScanProgress: (p) => progress.update(p),
      onRefresh: (remote) => ctx.out.note(`listing ${remote} (first use or --refresh)…`),
    });
    progress.stop();
    const text = serializePlan(made.plan);
    if (options.out) {
      const file = path.resolve(ctx.io.cwd, options.out);
      // Written whole or not at all: a half-written plan must never be applied.
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    }
    if (ctx.out.json) {
      ctx.out.result(made.plan);
    } else {
      renderScan(ctx.out, made.snapshot, made.refreshed);
      renderPlan(ctx.out, made.plan);
      if (options.out && made.plan.actions.length > 0) {
        ctx.out.line(`Saved the plan to ${options.out}. Review it, then run: photosync apply ${options.out}`);
      }
    }
    assertPlanFits(made.plan);
    if (options.detailedExitcode) return made.plan.actions.length > 0 ? ExitCode.Changes : ExitCode.Ok;
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}
