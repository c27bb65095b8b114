/** Writes a run's results: the JSON file (every number) and the markdown page (the table and how it was measured). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Machine, Versions } from './machine.ts';
import type { Sizes } from './profiles.ts';
import type { Measured, Row } from './results.ts';
import { FLAGS } from './tools.ts';

export interface Results {
  readonly command: string;
  readonly profile: string;
  readonly sizes: Sizes;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly versions: Versions;
  readonly method: Readonly<Record<string, string>>;
  readonly flags: typeof FLAGS;
  readonly rows: readonly Row[];
  /** Scenarios that could not be measured, with the reason: never silently left out. */
  readonly failures: readonly { readonly scenario: string; readonly error: string }[];
  /** Runs that crashed (killed by a signal, or exit 128+N) and were run once more: a finding about the tool. */
  readonly crashes: readonly string[];
}

export const METHOD = {
  timing: 'wall time measured by the harness with a monotonic clock from spawn to exit of each command; the median of the repetitions is reported, never a single run',
  peakRss: "GNU time's %M (/usr/bin/time -f '%e %M'): the process's ru_maxrss in KiB (worker threads share it); the largest over the repetitions is shown",
  interleaving: 'contenders alternate ABBA (A B, B A, A B…) within one run, on the same data and the same servers',
  freshness: 'first-backup scenarios get a new destination folder (or WebDAV folder / S3 prefix) and, for photosync, a new state for every repetition',
  caches:
    "warm page cache: libraries are generated just before use, the machine has room for them, and a scenario's runs follow one another within seconds; caches are not dropped (as root this is possible here, but it would measure the virtual disk of this VM rather than the tools). This VM gives idle page cache back to its host within about a minute (reading 3 GB took 0.4 s warm, 2.3 s after 40 s idle, 8.8 s cold), so a run that follows a long pause can find part of the library, the state database or node_modules cold",
  servers: 'Apache httpd with mod_dav (Basic auth) and s3rver on 127.0.0.1, started once per run by the test helpers; request counts come from Apache\'s access log and s3rver\'s request log',
} as const;

const fmt = (n: number): string => (!Number.isFinite(n) ? '–' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(n >= 1 ? 2 : 3));
const value = (m: Measured | null): string => (m ? `${fmt(m.median)} ${m.unit}` : '–');
const rss = (m: Measured | null): string => (m?.peakRssKib == null ? '–' : `${fmt((m.peakRssKib * 1024) / 1e6)} MB`);
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const verdict = (met: boolean | null): string => (met === null ? 'not judged' : met ? '**met**' : '**missed**');

export function markdown(r: Results): string {
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;
  const lines = [
    '# Benchmarks',
    '',
    'photosync against what users would otherwise run: rclone for copying, and `cp -r` as the physical limit of a local disk.',
    `Produced by \`${r.command}\` (profile \`${r.profile}\`), ${r.startedAt} → ${r.finishedAt}. Every number is in [\`bench/results/latest.json\`](../bench/results/latest.json).`,
    '',
    `**Machine:** ${r.machine.cores} cores (${r.machine.cpuModel}), ${gib(r.machine.memoryBytes)} memory, Linux ${r.machine.kernel}; ` +
      `work folder ${r.machine.workDisk.path} on ${r.machine.workDisk.device} (${r.machine.workDisk.fstype}, ${gib(r.machine.workDisk.availBytes)} free).`,
    '',
    `**Versions:** ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join('; ')}.`,
    '',
    '| scenario | photosync (median) | baseline (median) | ratio | target | result | peak RSS photosync / baseline | notes |',
    '|---|---|---|---|---|---|---|---|',
    ...r.rows.map((row) =>
      [
        `**${row.id}**: ${row.title}`,
        `${value(row.photosync)}<br>${row.photosync.label}`,
        row.baseline ? `${value(row.baseline)}<br>${row.baseline.label}` : '–',
        row.ratioText ?? (row.ratio === null ? '–' : `${fmt(row.ratio)}`),
        row.target,
        verdict(row.met),
        `${rss(row.photosync)} / ${rss(row.baseline)}`,
        row.notes.join('; '),
      ]
        .map(cell)
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    ),
    ...r.failures.map((f) => `| **${cell(f.scenario)}** | not measured | – | – | – | **error** | – | ${cell(f.error.split('\n')[0] ?? '')} |`),
    '',
    ...(r.crashes.length
      ? ['', `**Crashes** (the run was repeated once; the crash is a bug to look at, not a measurement):`, '', ...r.crashes.map((c) => `- ${cell(c.split('\n').slice(0, 2).join(' — '))}`)]
      : []),
    '',
    'The ratio is what the target is about; what it divides is in the JSON file (`ratioMeaning`) and below.',
    '',
    ...r.rows.map((row) => `- **${row.id}**: ratio = ${row.ratioMeaning}. Runs: photosync ${row.photosync.values.map(fmt).join(', ')} ${row.photosync.unit}` + (row.baseline ? `; baseline ${row.baseline.values.map(fmt).join(', ')} ${row.baseline.unit}.` : '.')),
    '',
    '## How it is measured',
    '',
    ...Object.entries(r.method).map(([k, v]) => `- **${k}**: ${v}.`),
    '',
    '## Commands and flags',
    '',
    ...Object.entries(r.flags).map(([k, v]) => `- **${k}**: \`${v}\``),
    '',
    '## Sizes',
    '',
    `\`${JSON.stringify(r.sizes)}\` — each can be changed with \`--set name=value\` or \`BENCH_<NAME>\` (see \`bench/profiles.ts\`).`,
    '',
  ];
  return lines.join('\n');
}

export function writeResults(r: Results, json: string, md: string): void {
  for (const file of [json, md]) mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, markdown(r));
}
