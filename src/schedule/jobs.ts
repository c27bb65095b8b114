/**
 * The jobs a schedule runs, independent of the scheduler: `photosync apply` (always) and
 * `photosync verify` (when the config has `verify:`), each with an absolute command line that
 * works without a global install, and a rotated JSON log in the state directory. Each scheduler
 * kind (cron.ts, systemd.ts, launchd.ts, windows.ts) renders these into its own format.
 */
import { writeFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../config/types.ts';
import { defaultStatePath } from '../config/normalize.ts';
import { mustRun, type Exec } from './exec.ts';
import type { When } from './when.ts';

export type ScheduleKind = 'cron' | 'systemd' | 'launchd' | 'windows';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['cron', 'systemd', 'launchd', 'windows'];

export type JobName = 'apply' | 'verify';
export const JOB_NAMES: readonly JobName[] = ['apply', 'verify'];

export interface ScheduledJob {
  readonly name: JobName;
  /** One line for people: what the job does and for which config. */
  readonly description: string;
  readonly when: When;
  /** Program and arguments, with absolute paths: node, photosync's entry, the command. */
  readonly argv: readonly string[];
  /** Variables the job needs that a scheduler would not pass on from the user's shell. */
  readonly env: Readonly<Record<string, string>>;
  /** The --log-file it writes (a rotated series, see log/file-log.ts). */
  readonly logFile: string;
}

export interface ScheduleFile {
  readonly path: string;
  readonly contents: string;
  /** Task Scheduler reads its XML most reliably as UTF-16 with a byte-order mark. */
  readonly encoding: 'utf8' | 'utf16le';
}

/** Exactly what `install` does, which is also what `print` shows. */
export interface Installation {
  readonly kind: ScheduleKind;
  readonly jobs: readonly ScheduledJob[];
  readonly files: readonly ScheduleFile[];
  /** cron only: the block kept in the user's crontab. */
  readonly crontab: string | null;
  /** Commands run after the files are written. */
  readonly commands: readonly (readonly string[])[];
  /** What the user should know about this kind's limits (shown by print and install). */
  readonly warnings: readonly string[];
}

/** The machine a schedule is installed on. */
export interface Host {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly exec: Exec;
}

export interface Scheduler {
  readonly kind: ScheduleKind;
  /** Pure: what install would write and run. */
  render(jobs: readonly ScheduledJob[], host: Host): Installation;
  /** Replaces any photosync schedule of this kind with the rendered one. */
  install(installation: Installation, host: Host): Promise<void>;
  /** Removes every photosync job of this kind (whatever the config says now); lists what went. */
  uninstall(host: Host): Promise<string[]>;
}

/** How to start this photosync: this node, and the built entry next to the running code. */
export interface Invocation {
  readonly node: string;
  readonly entry: string;
}

export function currentInvocation(): Invocation {
  const here = import.meta.url;
  // Under the tests this file runs from src/ as TypeScript; the job must run the build.
  const entry = here.endsWith('.ts') ? new URL('../../dist/cli/bin.js', here) : new URL('../cli/bin.js', here);
  return { node: process.execPath, entry: fileURLToPath(entry) };
}

export interface JobsRequest {
  readonly config: Config;
  readonly apply: When;
  readonly invocation: Invocation;
  readonly env: NodeJS.ProcessEnv;
}

export function scheduledJobs({ config, apply, invocation, env }: JobsRequest): ScheduledJob[] {
  const base = (command: JobName): string[] => [
    invocation.node,
    invocation.entry,
    command,
    '--config',
    config.file,
    '--quiet',
    '--log-file',
    scheduleLogFile(config, command),
  ];
  const jobEnv = stateEnv(config, env);
  const jobs: ScheduledJob[] = [
    {
      name: 'apply',
      description: `photosync apply: back up the photos of ${config.file}`,
      when: apply,
      argv: base('apply'),
      env: jobEnv,
      logFile: scheduleLogFile(config, 'apply'),
    },
  ];
  if (config.verify) {
    const sample = config.verify.sample;
    jobs.push({
      name: 'verify',
      description: `photosync verify: check ${sample ?? 'all'} of the copies of ${config.file}`,
      when: config.verify.when,
      argv: [...base('verify'), ...(sample === null ? [] : ['--sample', sample])],
      env: jobEnv,
      logFile: scheduleLogFile(config, 'verify'),
    });
  }
  return jobs;
}

/** The log a scheduled job writes: `logs/<job>.log` beside the state (rotated: see log/file-log.ts). */
export function scheduleLogFile(config: Config, job: JobName): string {
  return path.join(path.dirname(config.statePath), 'logs', `${job}.log`);
}

/**
 * A state found through PHOTOSYNC_STATE_DIR or XDG_STATE_HOME is only found again if the job has
 * that variable too; a scheduler starts jobs with almost no environment.
 */
function stateEnv(config: Config, env: NodeJS.ProcessEnv): Record<string, string> {
  const fromEnv = config.statePath === defaultStatePath(env) && config.statePath !== defaultStatePath({});
  return fromEnv ? { PHOTOSYNC_STATE_DIR: path.dirname(config.statePath) } : {};
}

/** Names of environment variables the config reads (`${NAME}` in values, `password_env: NAME`). */
export function variablesReadBy(configText: string): string[] {
  const names = new Set<string>();
  const walk = (value: unknown, key: string | null): void => {
    if (typeof value === 'string') {
      if (key === 'password_env') names.add(value);
      for (const m of value.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) names.add(m[1]!);
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, null);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  // The config was loaded already, so it parses; comments (init's examples) are not read.
  walk(parseYaml(configText) as unknown, null);
  return [...names].sort();
}

/**
 * install for the kinds made of files: remove what photosync had installed, write the files, run
 * the commands that register them.
 */
export async function replaceWithFiles(scheduler: Scheduler, installation: Installation, host: Host): Promise<void> {
  await scheduler.uninstall(host);
  await writeScheduleFiles(installation.files);
  for (const command of installation.commands) await mustRun(host.exec, command);
}

/** Writes rendered files (creating their folders). */
export async function writeScheduleFiles(files: readonly ScheduleFile[]): Promise<void> {
  for (const file of files) {
    await mkdir(path.dirname(file.path), { recursive: true });
    const data = file.encoding === 'utf16le' ? Buffer.from(`\ufeff${file.contents}`, 'utf16le') : file.contents;
    await writeFile(file.path, data);
  }
}

export async function removeFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) await rm(p, { force: true });
}

