/** The machine and the versions a benchmark ran with, for the results file. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import path from 'node:path';
import { APACHE_BINARY } from '../test/helpers/servers/apache.ts';
import { GNU_TIME } from './measure.ts';
import { REPO } from './tools.ts';

export interface Machine {
  readonly cores: number;
  readonly memoryBytes: number;
  readonly cpuModel: string;
  readonly kernel: string;
  /** Where the libraries and destinations were: device, filesystem type, size, free space at the start. */
  readonly workDisk: { readonly path: string; readonly device: string; readonly fstype: string; readonly sizeBytes: number; readonly availBytes: number };
}

export type Versions = Readonly<Record<'node' | 'photosync' | 'rclone' | 'cp' | 'apache' | 's3rver' | 'gnuTime', string>>;

function firstLine(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `not available (${r.error?.message ?? `exit ${r.status}`})`;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
}

export function machine(work: string): Machine {
  const df = spawnSync('df', ['-B1', '--output=source,fstype,size,avail', work], { encoding: 'utf8' });
  const [device = '?', fstype = '?', size = 'NaN', avail = 'NaN'] = (df.stdout.trim().split('\n')[1] ?? '').trim().split(/\s+/);
  return {
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    workDisk: { path: work, device, fstype, sizeBytes: Number(size), availBytes: Number(avail) },
  };
}

export function versions(): Versions {
  const pkg = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  const commit = spawnSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  return {
    node: process.version,
    photosync: `${pkg(path.join(REPO, 'package.json'))}${commit ? ` (${commit})` : ''}`,
    rclone: firstLine('rclone', ['version']),
    cp: firstLine('cp', ['--version']),
    apache: firstLine(APACHE_BINARY, ['-v']).replace(/^Server version:\s*/, ''),
    s3rver: pkg(path.join(REPO, 'node_modules', 's3rver', 'package.json')),
    gnuTime: firstLine(GNU_TIME, ['--version']),
  };
}
