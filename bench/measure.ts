/**
 * Runs commands and measures them. Wall time is taken here with a monotonic clock around the
 * child's whole life (spawn to exit); peak RSS is GNU time's `%M` (the child's ru_maxrss, in KiB:
 * the largest resident set of the process itself, worker threads included, since they share it).
 * A comparison runs its contenders interleaved in ABBA order (A B, then B A, …) so that drift in
 * the machine (page cache, other load, thermal) falls on both alike.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Command {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

export interface Run {
  readonly seconds: number;
  readonly peakRssKib: number;
  /** Where the command's stdout went (its --json output, for checks). */
  readonly stdoutFile: string;
}

let runs = 0;

/** A run that ended with a non-zero exit, or killed by a signal (a crash: exit 128+N, or `signal`). */
export class RunFailed extends Error {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  constructor(message: string, code: number | null, signal: NodeJS.Signals | null) {
    super(message);
    this.code = code;
    this.signal = signal;
  }

  get crashed(): boolean {
    return this.signal !== null || (this.code !== null && this.code >= 128);
  }
}

/**
 * Runs that crashed and were run again, in this process: a crash is a finding about the tool
 * (reported with the results), not a measurement, and one crash should not cost a whole scenario.
 */
export const crashes: string[] = [];

/** Runs one command to its end; a non-zero exit is an error naming the command and its stderr. */
export async function runOnce(command: Command, logDir: string): Promise<Run> {
  mkdirSync(logDir, { recursive: true });
  const id = String(++runs).padStart(4, '0');
  const stdoutFile = path.join(logDir, `${id}.out`);
  const stderrFile = path.join(logDir, `${id}.err`);
  const timeFile = path.join(logDir, `${id}.time`);
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  const started = process.hrtime.bigint();
  let code: number | null;
  let signal: NodeJS.Signals | null = null;
  try {
    code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(GNU_TIME, ['-f', '%e %M', '-o', timeFile, ...command.argv], {
        cwd: command.cwd,
        env: command.env ? { ...command.env } : process.env,
        stdio: ['ignore', out, err],
      });
      child.on('error', reject);
      child.on('exit', (c, sig) => {
        signal = sig;
        resolve(c);
      });
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) {
    const stderr = readFileSync(stderrFile, 'utf8').slice(-2000);
    throw new RunFailed(`exit ${code ?? signal}: ${command.argv.join(' ')}\n${stderr}`, code, signal);
  }
  // GNU time writes "Command exited with non-zero status" lines before its format; the last line is ours.
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
  const peakRssKib = Number(last.split(' ')[1]);
  if (!Number.isFinite(peakRssKib)) throw new Error(`unreadable GNU time output ${JSON.stringify(last)}`);
  return { seconds, peakRssKib, stdoutFile };
}

export interface Contender {
  readonly label: string;
  /** Untimed: runs before each repetition (fresh destination, fresh state, new files…). */
  readonly prepare?: (rep: number) => Promise<void> | void;
  readonly command: (rep: number) => Command;
  /** Untimed: checks that the run did what it should (so a failure never passes as fast). */
  readonly check?: (run: Run, rep: number) => Promise<void> | void;
  /** Untimed: runs after each check (e.g. removes a destination to free the disk). */
  readonly cleanup?: (rep: number) => Promise<void> | void;
}

export interface Series {
  readonly label: string;
  readonly seconds: readonly number[];
  readonly peakRssKib: readonly number[];
  readonly runs: readonly Run[];
}

/** Runs every contender `reps` times, interleaved ABBA; returns one series per contender, in the given order. */
export async function interleave(reps: number, contenders: readonly Contender[], logDir: string): Promise<Series[]> {
  const series = contenders.map((c) => ({ label: c.label, seconds: [] as number[], peakRssKib: [] as number[], runs: [] as Run[] }));
  for (let rep = 0; rep < reps; rep++) {
    const order = contenders.map((_, i) => i);
    if (rep % 2 === 1) order.reverse();
    for (const i of order) {
      const contender = contenders[i]!;
      await contender.prepare?.(rep);
      let run: Run;
      try {
        run = await runOnce(contender.command(rep), logDir);
      } catch (err) {
        if (!(err instanceof RunFailed && err.crashed)) throw err;
        crashes.push(`${contender.label}, repetition ${rep + 1}: ${err.message.slice(0, 600)}`);
        await contender.prepare?.(rep);
        run = await runOnce(contender.command(rep), logDir);
      }
      await contender.check?.(run, rep);
      await contender.cleanup?.(rep);
      series[i]!.seconds.push(run.seconds);
      series[i]!.peakRssKib.push(run.peakRssKib);
      series[i]!.runs.push(run);
    }
  }
  return series;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
