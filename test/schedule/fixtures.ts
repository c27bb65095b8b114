/** Jobs to render in the scheduler tests: paths with spaces, quotes, $, % and backslashes. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import { scheduledJobs, type Host, type ScheduledJob } from '../../src/schedule/jobs.ts';
import { parseWhen, type When } from '../../src/schedule/when.ts';

/** A config file name a user could really have. */
export const AWKWARD_DIR = `/home/ann/My Photos/it's 100% "mine" $HOME \\ (2024)`;

export function when(every: string | undefined, at?: string): When {
  const r = parseWhen(every, at, '02:30');
  if (!r.ok) throw new Error(r.message);
  return r.when;
}

export interface JobsFixture {
  readonly jobs: ScheduledJob[];
  readonly configFile: string;
}

/**
 * apply and verify jobs for a config in `dir`. The entry is a script printing its argv and
 * PHOTOSYNC_STATE_DIR as JSON, so a test can run the job's command line and see what arrived.
 */
export function jobsFor(dir: string, options: { apply?: When; verify?: string; env?: NodeJS.ProcessEnv; configDir?: string } = {}): JobsFixture {
  const configFile = path.join(options.configDir ?? dir, 'photosync.yaml');
  const yaml = `version: 1
sources:
  phone: { type: local, path: ./DCIM }
remotes:
  usb: { type: local, path: /mnt/usb }
${options.verify ?? 'verify: { every: 7d, sample: "5%" }'}
`;
  const env = options.env ?? { PHOTOSYNC_STATE_DIR: path.join(dir, 'state dir') };
  const config = parseConfig(configFile, yaml, env);
  const entry = path.join(dir, 'dump args.mjs');
  writeFileSync(entry, 'process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), state: process.env.PHOTOSYNC_STATE_DIR ?? null }));\n');
  const jobs = scheduledJobs({ config, apply: options.apply ?? when(undefined), invocation: { node: process.execPath, entry }, env });
  return { jobs, configFile };
}

export function fakeHost(home: string, env: NodeJS.ProcessEnv = {}): Host {
  return {
    home,
    env,
    exec: () => Promise.reject(new Error('rendering must not run anything')),
  };
}

/**
 * Every minute in [from, from + days) at which a job with this schedule runs, in UTC: the
 * reference the schedulers' own parsers are compared with.
 */
export function expectedRuns(w: When, from: Date, count: number): string[] {
  const day = 24 * 60;
  const period = Math.min(w.everyMinutes, day);
  const runs: string[] = [];
  for (let t = Math.floor(from.getTime() / 60_000) + 1; runs.length < count; t++) {
    const d = new Date(t * 60_000);
    const minuteOfDay = d.getUTCHours() * 60 + d.getUTCMinutes();
    const weekdayOk = w.everyMinutes < 7 * day || d.getUTCDay() === 0;
    if (weekdayOk && minuteOfDay % period === w.atMinutes % period && minuteOfDay >= w.atMinutes % period) runs.push(d.toISOString());
  }
  return runs;
}

export const SCHEDULES: readonly [string | undefined, string | undefined][] = [
  [undefined, undefined],
  [undefined, '07:05'],
  ['5m', undefined],
  ['15m', '00:07'],
  ['30m', undefined],
  ['1h', '00:45'],
  ['2h', undefined],
  ['6h', undefined],
  ['6h', '14:30'],
  ['8h', '23:10'],
  ['12h', '09:00'],
  ['1d', undefined],
  ['7d', undefined],
  ['7d', '04:30'],
];
