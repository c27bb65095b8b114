/**
 * Inline SVG charts for the HTML report. Each is an image with a text alternative (role="img" and
 * a label saying every number), and categories differ by pattern as well as by colour, so the
 * charts read in greyscale and to a screen reader.
 */
import type { CoverageSnapshot, RemoteCoverage } from './coverage.ts';
import { chartSegments, count, percent } from './format.ts';
import { formatBytes } from '../units.ts';
import { html, type Html } from './html.ts';

export type SegmentKey = ReturnType<typeof chartSegments>[number]['key'];

/** Fills shared by every chart of the page: defined once, referenced by id. */
export function patternDefs(): Html {
  return html`<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>
<pattern id="fill-meeting" width="8" height="8" patternUnits="userSpaceOnUse"><rect class="f-meeting" width="8" height="8"/></pattern>
<pattern id="fill-tooFewOffsite" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="f-offsite" width="8" height="8"/><rect class="f-offsite-line" width="3" height="8"/></pattern>
<pattern id="fill-other" width="6" height="6" patternUnits="userSpaceOnUse"><rect class="f-other" width="6" height="6"/><circle class="f-other-dot" cx="3" cy="3" r="1.3"/></pattern>
<pattern id="fill-singleCopy" width="8" height="8" patternUnits="userSpaceOnUse"><rect class="f-single" width="8" height="8"/><path class="f-single-line" d="M0 0L8 8M8 0L0 8"/></pattern>
<pattern id="fill-stored" width="8" height="8" patternUnits="userSpaceOnUse"><rect class="f-stored" width="8" height="8"/></pattern>
<pattern id="fill-planned" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="f-planned" width="6" height="6"/><rect class="f-planned-line" width="2" height="6"/></pattern>
<pattern id="fill-free" width="8" height="8" patternUnits="userSpaceOnUse"><rect class="f-free" width="8" height="8"/></pattern>
</defs></svg>`;
}

export function swatch(fill: SegmentKey | 'stored' | 'planned' | 'free'): Html {
  return html`<svg class="swatch" width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="url(#fill-${fill})" class="outline"/></svg>`;
}

const WIDTH = 640;
const LABEL = 120;
const BAR = 26;
const GAP = 14;

/** Stacked bars, one per snapshot: meeting the rule, then each kind of shortfall. */
export function coverageChart(rows: readonly { label: string; snapshot: CoverageSnapshot }[]): Html {
  const barWidth = WIDTH - LABEL - 70;
  const height = rows.length * (BAR + GAP) + GAP;
  const alt = rows
    .map(({ label, snapshot }) => `${label}: ${chartSegments(snapshot).map((s) => `${count(s.value)} ${s.label}`).join(', ')}`)
    .join('. ');
  const bars = rows.map(({ label, snapshot }, i) => {
    const y = GAP + i * (BAR + GAP);
    let x = LABEL;
    const segments = chartSegments(snapshot).map((s) => {
      const w = snapshot.items === 0 ? 0 : (s.value / snapshot.items) * barWidth;
      const rect = html`<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${BAR}" fill="url(#fill-${s.key})"><title>${label}: ${count(s.value)} ${s.label}</title></rect>`;
      x += w;
      return rect;
    });
    return html`<text x="0" y="${y + BAR / 2 + 5}" class="axis">${label}</text>${segments}<rect x="${LABEL}" y="${y}" width="${barWidth}" height="${BAR}" class="outline" fill="none"/><text x="${LABEL + barWidth + 8}" y="${y + BAR / 2 + 5}" class="axis">${percent(snapshot.meeting, snapshot.items)}</text>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${`Photos by coverage. ${alt}.`}">${bars}</svg>`;
}

/** One remote's bytes: stored, then what the plan adds, on a scale shared by all remotes. */
export function storedBar(r: RemoteCoverage, scale: number): Html {
  const w = 140;
  const stored = scale === 0 ? 0 : (r.bytes / scale) * w;
  const planned = scale === 0 ? 0 : (r.plannedBytes / scale) * w;
  const label = `${formatBytes(r.bytes)} stored${r.plannedBytes > 0 ? `, the plan adds ${formatBytes(r.plannedBytes)}` : ''}`;
  return html`<svg class="bar" width="${w}" height="14" viewBox="0 0 ${w} 14" role="img" aria-label="${label}"><rect width="${stored.toFixed(2)}" height="14" fill="url(#fill-stored)"/><rect x="${stored.toFixed(2)}" width="${planned.toFixed(2)}" height="14" fill="url(#fill-planned)"/></svg>`;
}

/** Quota use: used, the plan's uploads, free, as shares of the total. Only where the total is known. */
export function quotaBar(r: RemoteCoverage): Html | null {
  const q = r.quota;
  if (!q || q.totalBytes === null || q.totalBytes === 0 || q.usedBytes === null) return null;
  const w = 150;
  const used = Math.min(1, q.usedBytes / q.totalBytes) * w;
  const planned = Math.min(w - used, (r.plannedBytes / q.totalBytes) * w);
  const label = `${formatBytes(q.usedBytes)} of ${formatBytes(q.totalBytes)} used (${percent(q.usedBytes, q.totalBytes)})${
    r.plannedBytes > 0 ? `, the plan adds ${formatBytes(r.plannedBytes)}${q.planFits === false ? ', which does not fit' : ''}` : ''
  }`;
  return html`<svg class="bar" width="${w}" height="14" viewBox="0 0 ${w} 14" role="img" aria-label="${label}"><rect width="${w}" height="14" fill="url(#fill-free)"/><rect width="${used.toFixed(2)}" height="14" fill="url(#fill-stored)"/><rect x="${used.toFixed(2)}" width="${planned.toFixed(2)}" height="14" fill="url(#fill-planned)"/><rect width="${w}" height="14" class="outline" fill="none"/></svg>`;
}
