/**
 * photosync report: how many photos meet the backup rule (3-2-1 unless the config says
 * otherwise), now and after the pending plan, and which ones are at risk.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { makePlanFile } from '../../pipeline/make-plan.ts';
import { parsePlanFile } from '../../planner/plan-file.ts';
import type { UploadAction } from '../../planner/types.ts';
import { computeCoverage, type Place, type RemoteHoldings } from '../../report/coverage.ts';
import { renderCoverageText } from '../../report/render-text.ts';
import type { RemoteHandle } from '../../pipeline/session.ts';
import type { Quota } from '../../remotes/types.ts';
import type { CommandContext } from '../context.ts';
import { scanProgressReporter } from '../progress.ts';

export interface ReportOptions {
  readonly plan?: string | undefined;
}

export async function reportCommand(ctx: CommandContext, options: ReportOptions): Promise<ExitCode> {
  const session = await ctx.openSession();
  try {
    const { config } = session;
    const progress = scanProgressReporter(ctx.out);
    const made = await makePlanFile(session, { onScanProgress: (p) => progress.update(p) });
    progress.stop();
    let pending: readonly UploadAction[] = made.plan.actions;
    if (options.plan) {
      const file = path.resolve(ctx.io.cwd, options.plan);
      const { plan, problems } = parsePlanFile(await readFile(file, 'utf8').catch(() => ''));
      if (!plan) throw new InputError(`${file} is not a readable photosync plan: ${problems.join('; ')}`);
      pending = plan.actions;
    }

    const places: Place[] = [
      ...config.sources.map((s) => ({ name: s.name, kind: 'source' as const, media: s.media, offsite: s.offsite })),
      ...config.remotes.map((r) => ({ name: r.name, kind: 'remote' as const, media: r.media, offsite: r.offsite })),
    ];
    const holdings: RemoteHoldings[] = [];
    for (const handle of session.remotes) {
      const contents = new Map<string, string>();
      let bytes = 0;
      let files = 0;
      let unidentified = 0;
      for (const row of session.state.inventories.rows(handle.record.id)) {
        files++;
        bytes += row.size;
        if (row.sha256 === null) unidentified++;
        else if (!contents.has(row.sha256)) contents.set(row.sha256, row.path);
      }
      holdings.push({
        name: handle.config.name,
        contents,
        bytes,
        files,
        unidentified,
        reported: await reportedSpace(handle),
        quotaBytes: handle.config.quotaBytes,
      });
    }
    const report = computeCoverage({ policy: config.policy, places, files: made.snapshot.files, remotes: holdings, plan: pending });
    if (ctx.out.json) ctx.out.result(report);
    else ctx.io.stdout.write(renderCoverageText(report));
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}

async function reportedSpace(handle: RemoteHandle): Promise<Quota | null> {
  try {
    const remote = await handle.open();
    return remote.quota ? await remote.quota() : null;
  } catch {
    // Free space is a nice-to-have in a report; an unreachable remote shows as unknown.
    return null;
  }
}
