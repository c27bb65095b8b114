/**
 * How the benchmark runs each tool: the built photosync CLI with a config written per scenario,
 * Debian's rclone with a config file of its own (RCLONE_CONFIG), and coreutils cp. Every flag
 * used is listed in FLAGS, which the results file repeats.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REMOTE_DEFAULTS } from '../src/config/normalize.ts';
import type { Command, Run } from './measure.ts';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const PHOTOSYNC_CLI = path.join(REPO, 'dist', 'cli', 'bin.js');

/**
 * Extra node options for every photosync process of a run, from BENCH_PHOTOSYNC_NODE_ARGS
 * (`--cpu-prof --cpu-prof-dir=/tmp/prof` to see where photosync spends a scenario's time). They
 * change what is measured, so a run with them is never the canonical one.
 */
export const PHOTOSYNC_NODE_ARGS: readonly string[] = (process.env['BENCH_PHOTOSYNC_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');

/** Parallel transfers photosync uses per remote kind by default; rclone is given the same. */
export const TRANSFERS = { local: REMOTE_DEFAULTS.local.transfers, webdav: REMOTE_DEFAULTS.webdav.transfers, s3: REMOTE_DEFAULTS.s3.transfers } as const;

export const FLAGS = {
  photosync: `node dist/cli/bin.js apply|plan --config <scenario config> --json; defaults otherwise (transfers: local ${TRANSFERS.local}, webdav ${TRANSFERS.webdav}, s3 ${TRANSFERS.s3}; webdav verify: readback; local: each file synced (one sync -f per batch where the file system allows) and published by hard link)`,
  rcloneLocal: `rclone copy SRC DST --transfers ${TRANSFERS.local} (size + modtime comparison, its default; no --checksum)`,
  rcloneWebdav: `rclone copy SRC dav:PATH --transfers ${TRANSFERS.webdav}; RCLONE_CONFIG with [dav] type=webdav, url=<Apache share>, vendor=other, user, pass=<rclone obscure>`,
  rcloneS3: `rclone copy SRC :s3:BUCKET/PREFIX --transfers ${TRANSFERS.s3} --s3-provider Other --s3-endpoint <s3rver> --s3-force-path-style --s3-env-auth --fast-list (s3rver answers delimited listings without CommonPrefixes, so without --fast-list rclone re-uploads everything on every run; keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, as photosync)`,
  cp: 'cp -r SRC DST',
  cpSynced: "sh -c 'cp -r SRC DST && sync -f DST': cp -r, then the copy made durable (one sync of DST's file system), as photosync's copies are",
  rawHash: 'node --import tsx bench/raw-hash.ts: one worker thread per core, each reading its share of the files with 1 MiB reads and hashing them (SHA-256, OpenSSL); time from the first read to the last digest, process start excluded',
} as const;

export interface PhotosyncSetup {
  readonly config: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Writes a photosync config in `dir` (state in `dir/state`) with one source and one remote,
 * given as YAML lines of the remote's body (`type: local`, `path: …`).
 */
export function photosyncSetup(
  dir: string,
  source: { readonly type: 'local' | 'google-takeout'; readonly path: string },
  remoteLines: readonly string[],
  env: Readonly<Record<string, string>> = {},
): PhotosyncSetup {
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'photosync.yaml');
  writeFileSync(
    config,
    [
      'version: 1',
      `state: ${JSON.stringify(path.join(dir, 'state', 'photosync.db'))}`,
      'layout: "{year}/{month}/{name}"',
      'sources:',
      `  library: { type: ${source.type}, path: ${JSON.stringify(source.path)} }`,
      'remotes:',
      '  backup:',
      ...remoteLines.map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
  return { config, env: { ...env } };
}

export function photosync(setup: PhotosyncSetup, args: readonly string[]): Command {
  return {
    argv: [process.execPath, ...PHOTOSYNC_NODE_ARGS, PHOTOSYNC_CLI, ...args, '--config', setup.config, '--json'],
    // A clean environment, as a cron job has: nothing from this shell changes what photosync does.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: path.dirname(setup.config), NO_COLOR: '1', ...setup.env },
  };
}

/** apply --json's counts, checked so that a failed or partial run is never reported as fast. */
export function checkApplied(run: Run, expected: { uploaded: number }): void {
  const result = JSON.parse(readFileSync(run.stdoutFile, 'utf8')) as { uploaded?: number; found?: number; failed?: unknown[] };
  if (result.uploaded !== expected.uploaded || (result.failed?.length ?? 0) > 0) {
    throw new Error(`photosync apply uploaded ${result.uploaded} (expected ${expected.uploaded}), failed ${JSON.stringify(result.failed)}`);
  }
}

export interface RcloneSetup {
  readonly configFile: string;
  readonly env: Readonly<Record<string, string>>;
}

/** An rclone config file with the given remotes (section name → key/values); an empty one keeps rclone from reading ~/.config. */
export function rcloneSetup(dir: string, remotes: Readonly<Record<string, Readonly<Record<string, string>>>> = {}, env: Readonly<Record<string, string>> = {}): RcloneSetup {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'rclone.conf');
  const text = Object.entries(remotes)
    .map(([name, keys]) => [`[${name}]`, ...Object.entries(keys).map(([k, v]) => `${k} = ${v}`), ''].join('\n'))
    .join('\n');
  writeFileSync(configFile, text);
  return { configFile, env: { ...env } };
}

export function rclone(setup: RcloneSetup, args: readonly string[]): Command {
  return {
    argv: ['rclone', ...args],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: path.dirname(setup.configFile), RCLONE_CONFIG: setup.configFile, ...setup.env },
  };
}

/** rclone's own obscuring of a password, as its config file wants it. */
export function rcloneObscure(password: string): string {
  const r = spawnSync('rclone', ['obscure', '-'], { input: password, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rclone obscure failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function cp(from: string, to: string): Command {
  return { argv: ['cp', '-r', from, to] };
}

/** cp -r, then one sync of the destination's file system: the copy made durable, as photosync's is. */
export function cpSynced(from: string, to: string): Command {
  return { argv: ['sh', '-c', 'cp -r "$1" "$2" && sync -f "$2"', 'cp-synced', from, to] };
}
