/**
 * photosync report: how many photos meet the backup rule (3-2-1 unless the config says
 * otherwise), now and after the pending plan, and which ones are at risk; as text, markdown (for
 * a pull-request comment), JSON or one self-contained HTML file.
 */
import path from 'node:path';
import { ExitCode } from '../../exit-codes.ts';
import { makePlanFile } from '../../pipeline/make-plan.ts';
import type { PlanFile } from '../../planner/plan-file.ts';
import type { UploadAction } from '../../planner/types.ts';
import { computeCoverage, type CoverageReport, type Place, type RemoteHoldings } from '../../report/coverage.ts';
import { renderCoverageHtml } from '../../report/render-html.ts';
import { renderCoverageMarkdown } from '../../report/render-markdown.ts';
import { renderCoverageText } from '../../report/render-text.ts';
import { VERSION } from '../../version.ts';
import type { CommandContext } from '../context.ts';
import { resolveFormat, type FormatFlags } from '../format-option.ts';
import { scanProgressReporter } from '../progress.ts';
import { writeFileAtomic } from '../write-file.ts';
import { readPlan } from '../read-plan.ts';

export const REPORT_FORMATS = ['text', 'markdown', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions extends FormatFlags {
  readonly plan?: string | undefined;
  readonly out?: string | undefined;
}

/**
 * At-risk items listed by name, per format. Text keeps a terminal readable; markdown lists only
 * folders (GitHub cuts comments at 64 KiB); JSON lists every one; HTML lists every one, and
 * caps what it shows per folder itself.
 */
const AT_RISK_LISTED: Record<ReportFormat, number> = { text: 100, markdown: 0, json: Infinity, html: Infinity };

export async function reportCommand(ctx: CommandContext, options: ReportOptions): Promise<ExitCode> {
  const format = resolveFormat(REPORT_FORMATS, options, options.out);
  const outFile = options.out === undefined ? undefined : path.resolve(ctx.io.cwd, options.out);
  // A plan file that cannot be used is said before the scan, not after it.
  const saved = options.plan === undefined ? null : (await readPlan(path.resolve(ctx.io.cwd, options.plan))).plan;
  const session = await ctx.openSession();
  try {
    const { config } = session;
    const progress = scanProgressReporter(ctx.out);
    const made = await makePlanFile(session, { needFiles: true, onScanProgress: (p) => progress.update(p) });
    progress.stop();
    let pending: readonly UploadAction[] = made.plan.actions;
    if (saved) {
      if (!sameBasis(saved, made.plan)) {
        ctx.out.warn(`${options.plan} was made from another state or config; "after the plan" counts it as it is, but apply would refuse it`);
      }
      pending = saved.actions;
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
        reported: await session.reportedSpace(handle),
        quotaBytes: handle.config.quotaBytes,
      });
    }
    const report = computeCoverage({
      policy: config.policy,
      places,
      files: made.snapshot?.files ?? [],
      remotes: holdings,
      plan: pending,
      atRiskLimit: AT_RISK_LISTED[format],
    });
    const text = render(report, format);
    if (outFile) {
      await writeFileAtomic(outFile, text);
      ctx.out.line(`Wrote the ${format} report to ${options.out}.`);
    } else {
      ctx.io.stdout.write(text);
    }
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}

function render(report: CoverageReport, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return renderCoverageText(report);
    case 'markdown':
      return renderCoverageMarkdown(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'html':
      return renderCoverageHtml(report, { generatedAt: new Date().toISOString(), photosyncVersion: VERSION });
  }
}

function sameBasis(a: PlanFile, b: PlanFile): boolean {
  return a.config.hash === b.config.hash && a.state.lineage === b.state.lineage && a.state.serial === b.state.serial;
}
