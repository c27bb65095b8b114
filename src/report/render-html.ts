/**
 * The coverage report as one self-contained HTML file: inline CSS and SVG, no script, nothing
 * fetched (a Content-Security-Policy forbids it), so it opens offline from file:// and can be
 * mailed or attached as is. Every string from the library goes through the `html` template,
 * which escapes it. Key numbers carry data-testid and data-value (the raw number) for tests and
 * scripts; at-risk folders are <details> elements, collapsible without script.
 */
import { compareText } from './at-risk.ts';
import type { AtRiskGroup, AtRiskItem, CoverageReport, CoverageSnapshot, RemoteCoverage } from './coverage.ts';
import { chartSegments, count, dateRange, percent, plural, ruleName, ruleWords } from './format.ts';
import { coverageChart, patternDefs, quotaBar, storedBar, swatch } from './html-charts.ts';
import { REPORT_CSS } from './html-style.ts';
import { html, trusted, type Html } from './html.ts';
import { formatBytes } from '../units.ts';
import { groupBy } from '../group-by.ts';

export interface HtmlOptions {
  /** When the report was made (ISO 8601); the renderer has no clock. */
  readonly generatedAt?: string | undefined;
  /** Shown in the footer. */
  readonly photosyncVersion?: string | undefined;
  /** Items listed in one at-risk folder (the rest are counted). */
  readonly maxItemsPerGroup?: number | undefined;
}

export function renderCoverageHtml(report: CoverageReport, options: HtmlOptions = {}): string {
  const rule = ruleName(report.policy);
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Backup report: ${percent(report.now.meeting, report.now.items)} meet ${rule}</title>
<style>${trusted(REPORT_CSS)}</style>
</head>
<body>
${patternDefs()}
<header>
<h1>Backup report</h1>
<p class="lede">The rule <strong data-testid="rule">${rule}</strong>: ${ruleWords(report.policy)}.${
    options.generatedAt ? html` Made <time data-testid="generated-at" datetime="${options.generatedAt}">${options.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>.` : ''
  }</p>
</header>
<main>
${coverageSection(report)}
${remotesSection(report)}
${sourcesSection(report)}
${atRiskSection(report, options.maxItemsPerGroup ?? 500)}
</main>
<footer><p>Made by photosync${options.photosyncVersion ? ` ${options.photosyncVersion}` : ''}. The same figures as JSON: <code>photosync report --format json</code>.</p></footer>
</body>
</html>
`;
  return page.value;
}

function figure(testid: string, value: number, extra?: Html | string): Html {
  return html`<dd data-testid="${testid}" data-value="${value}">${count(value)}${extra ? html` <small>${extra}</small>` : ''}</dd>`;
}

function coverageSection(report: CoverageReport): Html {
  const { now, afterPlan } = report;
  const rows: { label: string; key: string; snapshot: CoverageSnapshot }[] = [
    { label: 'Now', key: 'now', snapshot: now },
    ...(afterPlan ? [{ label: 'After the plan', key: 'after', snapshot: afterPlan }] : []),
  ];
  const segmentRows = chartSegments(now).map((segment, i) =>
    html`<tr><th scope="row">${swatch(segment.key)}${segment.label}</th>${rows.map(({ key, snapshot }) => {
      const value = chartSegments(snapshot)[i]?.value ?? 0;
      return html`<td class="n" data-testid="segment-${segment.key}-${key}" data-value="${value}">${count(value)}</td>`;
    })}</tr>`,
  );
  return html`<section aria-labelledby="coverage-heading">
<h2 id="coverage-heading">Coverage</h2>
<dl class="kpis">
<div><dt>Photos (distinct content)</dt>${figure('items', now.items)}</div>
<div><dt>Meet ${ruleName(report.policy)} now</dt>${figure('meeting-now', now.meeting, percent(now.meeting, now.items))}</div>
${afterPlan ? html`<div><dt>After the plan</dt>${figure('meeting-after', afterPlan.meeting, percent(afterPlan.meeting, afterPlan.items))}</div>` : html`<div><dt>After the plan</dt><dd>no plan</dd></div>`}
<div><dt>At risk now</dt>${figure('at-risk-total', report.atRiskTotal)}</div>
</dl>
<figure>
${coverageChart(rows)}
<figcaption>
<table class="legend">
<thead><tr><th scope="col">photos</th>${rows.map((r) => html`<th scope="col" class="n">${r.label.toLowerCase()}</th>`)}</tr></thead>
<tbody>
${segmentRows}
<tr><th scope="row">with only one copy (any)</th>${rows.map(({ key, snapshot }) => html`<td class="n" data-testid="single-copy-${key}" data-value="${snapshot.singleCopy}">${count(snapshot.singleCopy)}</td>`)}</tr>
<tr><th scope="row">with no offsite copy (any)</th>${rows.map(({ key, snapshot }) => html`<td class="n" data-testid="no-offsite-${key}" data-value="${snapshot.noOffsite}">${count(snapshot.noOffsite)}</td>`)}</tr>
</tbody>
</table>
</figcaption>
</figure>
</section>`;
}

function bytesCell(testid: string, n: number | null | undefined): Html {
  return n === null || n === undefined
    ? html`<td class="n" data-testid="${testid}">unknown</td>`
    : html`<td class="n" data-testid="${testid}" data-value="${n}">${formatBytes(n)}</td>`;
}

function remotesSection(report: CoverageReport): Html {
  const scale = Math.max(0, ...report.remotes.map((r) => r.bytes + r.plannedBytes));
  const row = (r: RemoteCoverage): Html => {
    const quota = r.quota;
    const basis = quota ? (quota.basis === 'config' ? 'quota from the config' : 'as the remote reports') : 'not known';
    return html`<tr data-testid="remote" data-name="${r.name}">
<th scope="row">${r.name}<br><small class="muted">${r.media ?? 'unknown media'}, ${r.offsite ? 'offsite' : 'at home'}</small></th>
<td class="n" data-testid="remote-files" data-value="${r.files}">${count(r.files)}${r.unidentified > 0 ? html`<br><small class="muted">${count(r.unidentified)} not identified</small>` : ''}</td>
<td class="n" data-testid="remote-bytes" data-value="${r.bytes}">${formatBytes(r.bytes)}${storedBar(r, scale)}</td>
<td class="n" data-testid="remote-planned-uploads" data-value="${r.plannedUploads}">${r.plannedUploads === 0 ? '—' : `+${count(r.plannedUploads)} (${formatBytes(r.plannedBytes)})`}${quota?.planFits === false ? html`<br><span class="warn">does not fit</span>` : ''}</td>
${bytesCell('remote-quota-used', quota?.usedBytes)}
${bytesCell('remote-quota-free', quota?.freeBytes)}
${bytesCell('remote-quota-total', quota?.totalBytes)}
<td>${quotaBar(r) ?? ''}<small class="muted">${basis}</small></td>
</tr>`;
  };
  return html`<section aria-labelledby="remotes-heading">
<h2 id="remotes-heading">Remotes</h2>
<p class="muted">${swatch('stored')}stored ${swatch('planned')}the plan adds ${swatch('free')}free</p>
<div class="scroll"><table>
<thead><tr><th scope="col">remote</th><th scope="col" class="n">files</th><th scope="col" class="n">stored</th><th scope="col" class="n">to upload</th><th scope="col" class="n">used</th><th scope="col" class="n">free</th><th scope="col" class="n">total</th><th scope="col">quota use</th></tr></thead>
<tbody>
${report.remotes.map(row)}
</tbody>
</table></div>
</section>`;
}

function sourcesSection(report: CoverageReport): Html {
  return html`<section aria-labelledby="sources-heading">
<h2 id="sources-heading">Sources</h2>
<table>
<thead><tr><th scope="col">source</th><th scope="col">media</th><th scope="col" class="n">files</th><th scope="col" class="n">photos</th><th scope="col" class="n">size</th></tr></thead>
<tbody>
${report.sources.map(
  (s) => html`<tr data-testid="source" data-name="${s.name}"><th scope="row">${s.name}</th><td>${s.media ?? 'unknown'}${s.offsite ? ', offsite' : ''}</td><td class="n" data-testid="source-files" data-value="${s.files}">${count(s.files)}</td><td class="n" data-testid="source-items" data-value="${s.items}">${count(s.items)}</td><td class="n" data-testid="source-bytes" data-value="${s.bytes}">${formatBytes(s.bytes)}</td></tr>`,
)}
</tbody>
</table>
</section>`;
}

function atRiskSection(report: CoverageReport, maxItems: number): Html {
  const byFolder = groupBy(report.atRisk, (item) => item.folder);
  const group = (g: AtRiskGroup): Html => {
    // By date within the folder, undated last, then by name: the order a person looks for a photo in.
    const listed = (byFolder.get(g.folder) ?? [])
      .toSorted((a, b) => compareDates(a.date, b.date) || compareText(a.where, b.where))
      .slice(0, maxItems);
    const rest = g.items - listed.length;
    return html`<details data-testid="at-risk-group" data-folder="${g.folder}">
<summary><span class="name">${g.folder}</span><span data-testid="at-risk-group-count" data-value="${g.items}">${plural(g.items, 'photo')}</span><span>${dateRange(g) || 'no date'}</span><span class="muted">${count(g.singleCopy)} with one copy, ${count(g.noOffsite)} with no offsite copy</span></summary>
<table>
<thead><tr><th scope="col">file</th><th scope="col">date</th><th scope="col" class="n">copies</th><th scope="col">why</th></tr></thead>
<tbody>
${listed.map((item) => html`<tr data-testid="at-risk-item"><td class="name">${nameIn(item, g.folder)}</td><td class="date">${item.date ?? '—'}</td><td class="n">${item.copies}</td><td>${item.reasons.join(', ')}</td></tr>`)}
</tbody>
</table>
${rest > 0 ? html`<p class="muted">… and ${count(rest)} more; <code>photosync report --format json</code> lists them all.</p>` : ''}
</details>`;
  };
  const groups = report.atRiskGroups;
  return html`<section aria-labelledby="at-risk-heading">
<h2 id="at-risk-heading">At risk</h2>
${
  report.atRiskTotal === 0
    ? html`<p>No photo is at risk: every one has more than one copy, and one offsite.</p>`
    : html`<p><span data-testid="at-risk-count">${plural(report.atRiskTotal, 'photo')}</span> in <span data-testid="at-risk-folders" data-value="${groups.length}">${plural(groups.length, 'folder')}</span> ${report.atRiskTotal === 1 ? 'has' : 'have'} only one copy or no offsite copy. Open a folder to see its photos.</p>
${groups.map(group)}`
}
</section>`;
}

/** The item's name inside its folder ("IMG_0001.JPG" in "phone:DCIM/100APPLE"). */
function nameIn(item: AtRiskItem, folder: string): string {
  return item.where.startsWith(`${folder}/`) ? item.where.slice(folder.length + 1) : item.where.slice(item.where.indexOf(':') + 1);
}

function compareDates(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareText(a, b);
}
