/**
 * photosync plan: scan, diff against every remote, print the summary and (with --out) save the
 * plan for review. --detailed-exitcode: 0 no changes, 1 error, 2 changes.
 */
import path from 'node:path';
import { ExitCode } from '../../exit-codes.ts';
import { makePlanFile } from '../../pipeline/make-plan.ts';
import { serializePlan } from '../../planner/plan-file.ts';
import { assertPlanFits } from '../../pipeline/space.ts';
import type { CommandContext } from '../context.ts';
import { scanProgressReporter } from '../progress.ts';
import { resolveFormat, type FormatFlags } from '../format-option.ts';
import { renderPlanMarkdown } from '../render-plan-markdown.ts';
import { renderPlan, renderScan } from '../render-plan.ts';
import { writeFileAtomic } from '../write-file.ts';

export const PLAN_FORMATS = ['text', 'markdown', 'json'] as const;

/** Actions listed per remote in the markdown form without --verbose (a PR comment has a size limit). */
const MARKDOWN_ACTIONS_SHOWN = 20;

export interface PlanOptions extends FormatFlags {
  readonly out?: string | undefined;
  readonly detailedExitcode?: boolean | undefined;
  readonly refresh?: boolean | undefined;
  readonly allowPartial?: boolean | undefined;
}

export async function planCommand(ctx: CommandContext, options: PlanOptions): Promise<ExitCode> {
  // --out is the plan file itself (always JSON), so it says nothing about how to print.
  const format = resolveFormat(PLAN_FORMATS, options);
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
      await writeFileAtomic(file, text);
    }
    if (format === 'json') {
      ctx.out.result(made.plan);
    } else if (format === 'markdown') {
      renderScan(ctx.out, made.plan, made.refreshed);
      ctx.io.stdout.write(renderPlanMarkdown(made.plan, { actionsShown: ctx.out.verbose ? Infinity : MARKDOWN_ACTIONS_SHOWN }));
      if (options.out) ctx.out.note(`Saved the plan to ${options.out}.`);
    } else {
      renderScan(ctx.out, made.plan, made.refreshed);
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
