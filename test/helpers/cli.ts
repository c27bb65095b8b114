/** Runs the built CLI (dist/) as a user would, and collects what it printed and how it exited. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Run as this user (the tests run as root in CI, where file permissions would not bite). */
  readonly user?: { readonly uid: number; readonly gid: number };
}

function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
}

export function startCli(args: readonly string[], options: CliOptions): ChildProcess {
  assertBuilt();
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    // A clean environment: nothing from the developer's machine leaks in (state dir, colours).
    env: { PATH: process.env['PATH'], HOME: options.cwd, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.user ?? {}),
  });
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const child = startCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
