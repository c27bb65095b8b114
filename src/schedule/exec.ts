/**
 * Runs the system's scheduler tools (crontab, systemctl, launchctl, schtasks). They are found on
 * PATH like a shell would, which is also how the tests put fakes in their place.
 */
import { spawn } from 'node:child_process';
import { ScheduleError } from '../errors.ts';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The tool itself is missing: this machine does not use that scheduler. */
export class SchedulerMissingError extends ScheduleError {}

export type Exec = (argv: readonly string[], options?: { readonly input?: string }) => Promise<ExecResult>;

export function systemExec(env: NodeJS.ProcessEnv): Exec {
  return (argv, options = {}) =>
    new Promise((resolve, reject) => {
      const [program, ...args] = argv;
      if (program === undefined) throw new Error('exec: empty command');
      const child = spawn(program, args, { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // A tool that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
      child.on('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'ENOENT'
            ? new SchedulerMissingError(`${program} is not installed (or not on PATH)`, { hint: 'choose another scheduler with --kind', cause: err })
            : new ScheduleError(`cannot run ${program}: ${err.message}`, { cause: err }),
        );
      });
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
}

/** Runs a command that must succeed; its own message is the error's. */
export async function mustRun(exec: Exec, argv: readonly string[], options?: { readonly input?: string }): Promise<ExecResult> {
  const result = await exec(argv, options);
  if (result.code !== 0) throw commandFailed(argv, result);
  return result;
}

export function commandFailed(argv: readonly string[], result: ExecResult): ScheduleError {
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 5).join('; ');
  return new ScheduleError(`"${argv.join(' ')}" failed (exit ${result.code})${said ? `: ${said}` : ''}`);
}
