/** The human summary of a plan: per remote what is added, and the explicit "0 deletions". */
import type { PlanFile } from '../planner/plan-file.ts';
import type { PlanSummary } from '../planner/types.ts';
import type { RefreshReport } from '../pipeline/session.ts';
import { formatBytes } from '../units.ts';
import { plural } from '../report/format.ts';
import type { Output } from './output.ts';
import { groupBy } from '../group-by.ts';

const ACTIONS_SHOWN = 10;

export function renderScan(out: Output, plan: PlanFile, refreshed: readonly RefreshReport[]): void {
  const c = out.errColor;
  for (const p of plan.problems) out.warn(`${p.source}: ${p.relPath}: ${p.message}`);
  for (const r of refreshed) {
    out.note(`listed ${r.remote}: ${plural(r.listed, 'file')} (${r.added} new to photosync${r.gone > 0 ? `, ${r.gone} gone and to be uploaded again` : ''})`);
    for (const name of r.refused) out.warn(`${r.remote}: refused a listed name ${name}`);
  }
  for (const n of plan.notes) out.note(`${c.yellow('note')}: ${n.source}: ${n.relPath}: ${n.note}`);
}

/** What the sources hold, and what the plan left out as unchanged and backed up (shared with the markdown). */
export function sourcesSentence(summary: PlanSummary): string {
  const held = `Sources hold ${plural(summary.items, 'photo')} (distinct content)${summary.leftOut ? ' in the folders planned' : ''}${
    summary.duplicateFiles > 0 ? `, plus ${plural(summary.duplicateFiles, 'duplicate file')}` : ''
  }`;
  if (!summary.leftOut) return `${held}.`;
  const { files, folders } = summary.leftOut;
  return `${held}; left out: ${plural(files, 'file')} in ${plural(folders, 'folder')} unchanged since a plan found them backed up everywhere.`;
}

export function renderPlan(out: Output, plan: PlanFile): void {
  const c = out.color;
  const { summary } = plan;
  out.line(sourcesSentence(summary));
  const names = Object.keys(summary.remotes);
  const width = Math.max(0, ...names.map((n) => n.length));
  for (const name of names) {
    const r = summary.remotes[name]!;
    const parts = [
      r.uploads > 0 ? c.green(`+${r.uploads.toLocaleString('en-US')} to upload (${formatBytes(r.bytes)})`) : 'nothing to upload',
      `${r.alreadyThere.toLocaleString('en-US')} already there`,
      ...(r.renamed > 0 ? [`${r.renamed} renamed to avoid a name clash`] : []),
      ...(r.filteredOut > 0 ? [`${r.filteredOut} left out by its filters`] : []),
      ...(r.space && !r.space.fits
        ? [
            c.red(
              r.space.deferred > 0
                ? `only ${formatBytes(r.bytes)} of ${formatBytes(r.space.neededBytes)} fits (${r.space.deferred} left for later)`
                : `does not fit: needs ${formatBytes(r.space.neededBytes)}, ${formatBytes(r.space.freeBytes)} free`,
            ),
          ]
        : []),
      `${r.deletions} deletions`,
    ];
    out.line(`  ${name.padEnd(width)}  ${parts.join(', ')}`);
  }
  for (const [remote, actions] of groupBy(plan.actions, (a) => a.remote)) {
    const shown = out.verbose ? actions : actions.slice(0, ACTIONS_SHOWN);
    for (const a of shown) out.line(`    ${c.green('+')} ${remote}:${a.to}  ${c.dim(`← ${a.source}:${a.from}`)}${a.renamed ? c.yellow(' (renamed)') : ''}`);
    if (shown.length < actions.length) out.line(c.dim(`    … and ${actions.length - shown.length} more on ${remote} (--verbose lists all)`));
  }
  out.line(
    plan.actions.length === 0
      ? 'No changes: every photo is already on every remote.'
      : `Plan: ${plural(plan.actions.length, 'upload')}, ${formatBytes(plan.actions.reduce((n, a) => n + a.size, 0))}, 0 deletions, 0 overwrites.`,
  );
}
