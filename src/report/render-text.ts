/** The coverage report as plain text for a terminal or a log. */
import { formatBytes } from '../units.ts';
import type { CoverageReport } from './coverage.ts';
import { ruleName, ruleWords, share } from './format.ts';

export function renderCoverageText(report: CoverageReport): string {
  const { policy } = report;
  const lines: string[] = [];
  const rule = ruleName(policy);
  lines.push(`Backup rule ${rule}: ${ruleWords(policy)}.`);
  lines.push(`  now:              ${share(report.now)} meet it`);
  if (report.afterPlan) lines.push(`  after the plan:   ${share(report.afterPlan)} meet it`);
  lines.push(`  only one copy:    ${report.now.singleCopy.toLocaleString('en-US')}`);
  lines.push(`  no offsite copy:  ${report.now.noOffsite.toLocaleString('en-US')}`);
  lines.push('');
  lines.push('Sources:');
  for (const s of report.sources) lines.push(`  ${s.name}: ${s.items.toLocaleString('en-US')} photos, ${formatBytes(s.bytes)}`);
  lines.push('Remotes:');
  for (const r of report.remotes) {
    const extra = [
      r.plannedUploads > 0 ? `${r.plannedUploads} to upload (${formatBytes(r.plannedBytes)})` : null,
      r.unidentified > 0 ? `${r.unidentified} files not identified` : null,
      r.quota?.basis === 'config' && r.quota.totalBytes !== null
        ? `${formatBytes(r.quota.usedBytes ?? 0)} of its ${formatBytes(r.quota.totalBytes)} quota used, ${formatBytes(r.quota.freeBytes ?? 0)} free`
        : r.freeBytes !== null
          ? `${formatBytes(r.freeBytes)} free`
          : null,
    ].filter((x): x is string => x !== null);
    lines.push(`  ${r.name}: holds ${r.items.toLocaleString('en-US')} photos, ${formatBytes(r.bytes)}${extra.length ? `; ${extra.join(', ')}` : ''}`);
  }
  if (report.atRiskTotal > 0) {
    lines.push('');
    lines.push(`At risk (${report.atRiskTotal.toLocaleString('en-US')}):`);
    for (const item of report.atRisk) {
      lines.push(`  ${item.where}${item.date ? ` (${item.date})` : ''}: ${item.reasons.join(', ')}`);
    }
    if (report.atRisk.length < report.atRiskTotal) lines.push(`  … and ${report.atRiskTotal - report.atRisk.length} more (--json lists them all)`);
  }
  return `${lines.join('\n')}\n`;
}
