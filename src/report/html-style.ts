/** The HTML report's stylesheet, inlined: the file must work offline and from file://. */
export const REPORT_CSS = `
:root {
  --bg: #fbfbfa; --fg: #1d2125; --muted: #5b636b; --card: #ffffff; --line: #d9dde1;
  --ok: #2e7d32; --offsite: #f0b429; --offsite-line: #8d6708; --other: #9fb3c8; --other-dot: #334e68;
  --single: #c62828; --single-line: #ffffff; --stored: #3d5a80; --planned: #98c1d9; --planned-line: #3d5a80; --free: #eef1f4;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #15181b; --fg: #e8eaed; --muted: #a3acb5; --card: #1e2226; --line: #3a4047; --free: #2a2f35; --stored: #7ea8d8; --planned-line: #7ea8d8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer { max-width: 980px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 28px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 12px; }
.lede, .muted, footer { color: var(--muted); }
footer { padding-bottom: 32px; font-size: 0.85rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 4px 20px 20px; margin-top: 20px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 0; }
.kpis div { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.kpis dt { color: var(--muted); font-size: 0.85rem; }
.kpis dd { margin: 0; font-size: 1.5rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.kpis dd small { font-size: 0.9rem; font-weight: 400; color: var(--muted); }
figure { margin: 20px 0 0; }
.chart { width: 100%; max-width: 640px; height: auto; display: block; }
.axis { font-size: 13px; fill: var(--fg); }
.outline { stroke: var(--fg); stroke-opacity: 0.45; stroke-width: 1; }
.defs { position: absolute; }
.f-meeting { fill: var(--ok); } .f-offsite { fill: var(--offsite); } .f-offsite-line { fill: var(--offsite-line); }
.f-other { fill: var(--other); } .f-other-dot { fill: var(--other-dot); }
.f-single { fill: var(--single); } .f-single-line { stroke: var(--single-line); stroke-width: 1.4; }
.f-stored { fill: var(--stored); } .f-planned { fill: var(--planned); } .f-planned-line { fill: var(--planned-line); } .f-free { fill: var(--free); }
.swatch { vertical-align: -2px; margin-right: 6px; }
table { border-collapse: collapse; width: 100%; margin-top: 12px; }
th, td { text-align: left; padding: 6px 10px 6px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar { display: block; margin-top: 4px; }
.date { white-space: nowrap; }
.warn { color: var(--single); font-weight: 600; }
.name { overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9rem; }
details { border: 1px solid var(--line); border-radius: 8px; margin-top: 8px; }
details[open] { padding-bottom: 8px; }
summary { cursor: pointer; padding: 8px 12px; display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
summary::before { content: "\\25B8"; width: 1em; }
details[open] > summary::before { content: "\\25BE"; }
summary:focus-visible { outline: 2px solid var(--stored); outline-offset: 2px; }
summary .name { flex: 1 1 260px; }
details table { margin: 0 12px; width: calc(100% - 24px); }
.legend { width: auto; }
.legend td, .legend th { padding: 4px 24px 4px 0; }
.legend th[scope=row] { font-weight: 400; color: var(--fg); font-size: 0.95rem; }
.scroll { overflow-x: auto; }
`;
