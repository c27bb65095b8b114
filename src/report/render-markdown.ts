/**
 * The coverage report as GitHub-flavoured markdown for a pull-request comment: a headline with the
 * rule and the share meeting it now → after the plan, a table of the figures, a table of the
 * remotes, and the at-risk folders in a collapsed block. GitHub cuts comments at 65,536
 * characters, so folders are listed up to a limit, and single items not at all (the HTML and
 * JSON reports have them).
 */
import { code, details, table, text } from '../markdown.ts';
import { formatBytes } from '../units.ts';
import type { CoverageReport, RemoteCoverage } from './coverage.ts';
import { count, dateRange, percent, ruleName, ruleWords } from './format.ts';

export interface MarkdownOptions {
  /** Folders listed in the at-risk block (the rest are counted). */
  readonly maxGroups?: number;
}

export function renderCoverageMarkdown(report: CoverageReport, options: MarkdownOptions = {}): string {
  const { now, afterPlan, policy } = report;
  const blocks: string[] = [];
  const pct = (s: { meeting: number; items: number }): string => percent(s.meeting, s.items);
  blocks.push(
    `### Backup rule ${ruleName(policy)}: ${pct(now)} of photos meet it${afterPlan ? ` now → ${pct(afterPlan)} after the plan` : ''}`,
  );
  blocks.push(`The rule: ${ruleWords(policy)}. Counted over ${count(now.items)} photos (distinct content) in the sources and on the remotes.`);

  const figure = (label: string, pick: (s: typeof now) => string): string[] => [label, pick(now), ...(afterPlan ? [pick(afterPlan)] : [])];
  blocks.push(
    table(
      ['photos', ['now', 'right'], ...(afterPlan ? [['after the plan', 'right'] as [string, 'right']] : [])],
      [
        figure('meet the rule', (s) => `${count(s.meeting)} (${pct(s)})`),
        figure('only one copy', (s) => count(s.singleCopy)),
        figure('no offsite copy', (s) => count(s.noOffsite)),
        figure('total', (s) => count(s.items)),
      ],
    ),
  );

  if (report.remotes.length > 0) {
    blocks.push(
      table(
        ['remote', 'media', 'offsite', ['files', 'right'], ['stored', 'right'], ['to upload', 'right'], ['quota used', 'right'], ['free', 'right'], ['total', 'right']],
        report.remotes.map((r) => [
          text(r.name),
          r.media ?? '?',
          r.offsite ? 'yes' : 'no',
          count(r.files),
          formatBytes(r.bytes),
          toUpload(r),
          bytesOrDash(r.quota?.usedBytes),
          bytesOrDash(r.quota?.freeBytes),
          bytesOrDash(r.quota?.totalBytes),
        ]),
      ),
    );
  }

  if (report.atRiskTotal === 0) {
    blocks.push('No photo is at risk: every one has more than one copy, and one offsite.');
  } else {
    const max = options.maxGroups ?? 50;
    const groups = report.atRiskGroups;
    const rows = groups
      .slice(0, max)
      .map((g) => [code(g.folder), count(g.items), dateRange(g), count(g.singleCopy), count(g.noOffsite)]);
    const more = groups.length > max ? `\n\n… and ${count(groups.length - max)} more folders: \`photosync report --format html\` lists them all.` : '';
    blocks.push(
      details(
        `${count(report.atRiskTotal)} photos at risk in ${count(groups.length)} folders (only one copy, or no offsite copy)`,
        table(['folder', ['photos', 'right'], 'dates', ['only one copy', 'right'], ['no offsite copy', 'right']], rows) + more,
      ),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

function toUpload(r: RemoteCoverage): string {
  if (r.plannedUploads === 0) return '—';
  const fits = r.quota?.planFits === false ? ' **does not fit**' : '';
  return `+${count(r.plannedUploads)} (${formatBytes(r.plannedBytes)})${fits}`;
}

function bytesOrDash(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : formatBytes(n);
}
