/**
 * restore: copy photos back from a remote into a folder, by capture date and path. Each file is
 * streamed from the remote, checked against the SHA-256 the state recorded before it gets its
 * final name, and written the local remote's way (temporary name, fsync, link): an existing local
 * file is never overwritten; one with other bytes keeps its name and the restored photo lands
 * beside it with a hash suffix. Running it again skips what is already there.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LocalRemoteConfig } from '../config/types.ts';
import { executePlan, type ApplyOptions, type ApplyResult, type RunRecorder } from '../executor/execute.ts';
import { globMatcher } from '../globs.ts';
import { withHashSuffix } from '../planner/layout.ts';
import type { UploadAction } from '../planner/types.ts';
import { LocalRemote } from '../remotes/local/index.ts';
import type { Remote } from '../remotes/types.ts';
import type { Session } from './session.ts';

export interface RestoreOptions extends Pick<ApplyOptions, 'stop' | 'abort' | 'onEvent'> {
  readonly from: string;
  /** Absolute path of the folder to restore into. */
  readonly to: string;
  /** Capture dates from (inclusive), "YYYY-MM-DD". */
  readonly since?: string | undefined;
  /** Capture dates until (inclusive), "YYYY-MM-DD". */
  readonly until?: string | undefined;
  /** Globs on the path in the remote. */
  readonly paths?: readonly string[] | undefined;
  readonly transfers?: number | undefined;
}

export interface RestorePlan {
  readonly actions: readonly UploadAction[];
  /** Already in the folder with the same bytes. */
  readonly alreadyThere: number;
  /** Left out because their capture date is unknown while a date range was asked for. */
  readonly undated: number;
  /** On the remote, but photosync does not know their content, so it cannot check them. */
  readonly unidentified: number;
}

export async function planRestore(session: Session, options: RestoreOptions): Promise<RestorePlan> {
  const handle = session.handle(options.from);
  const wantPath = options.paths && options.paths.length > 0 ? globMatcher(options.paths) : () => true;
  const actions: UploadAction[] = [];
  const taken = new Set<string>();
  let alreadyThere = 0;
  let undated = 0;
  let unidentified = 0;
  for (const row of session.state.inventories.rows(handle.record.id)) {
    if (!wantPath(row.path)) continue;
    if (options.since || options.until) {
      const day = row.captured?.slice(0, 10);
      if (!day) {
        undated++;
        continue;
      }
      if ((options.since && day < options.since) || (options.until && day > options.until)) continue;
    }
    if (row.sha256 === null) {
      unidentified++;
      continue;
    }
    let to = row.path;
    for (let i = 0; i < 3 && (taken.has(to) || existsSync(path.join(options.to, ...to.split('/')))); i++) {
      if (!taken.has(to) && (await sameFile(path.join(options.to, ...to.split('/')), row.size, row.sha256))) {
        to = '';
        break;
      }
      to = withHashSuffix(row.path, row.sha256, [8, 16, 64][i]);
    }
    if (to === '') {
      alreadyThere++;
      continue;
    }
    taken.add(to);
    actions.push({
      op: 'upload',
      id: actions.length + 1,
      remote: 'restore',
      sha256: row.sha256,
      size: row.size,
      source: options.from,
      from: row.path,
      origin: row.path,
      to,
      renamed: to !== row.path,
      ...(row.captured ? { captured: row.captured } : {}),
    });
  }
  return { actions, alreadyThere, undated, unidentified };
}

export async function runRestore(session: Session, plan: RestorePlan, options: RestoreOptions): Promise<ApplyResult> {
  const source = await session.handle(options.from).open();
  const target = new LocalRemote(localFolder(options.to), { mayCreateRoot: true });
  // Restore keeps no state of its own: running it again finds what is already there by content.
  const recorder: RunRecorder = { finished: () => {}, failed: () => {}, foundOther: () => {}, resumeSlot: () => undefined };
  try {
    return await executePlan(plan.actions, new Map([['restore', { remote: target, transfers: options.transfers ?? 4 }]]), recorder, {
      ...options,
      openSource: (action) => streamFrom(source, action.from),
    });
  } finally {
    await target.close();
  }
}

function localFolder(dir: string): LocalRemoteConfig {
  return {
    name: 'restore',
    type: 'local',
    path: dir,
    layout: '{name}',
    media: 'internal-disk',
    offsite: false,
    transfers: 4,
    quotaBytes: null,
    include: null,
    exclude: [],
  };
}

/** A remote's read() is async; a body stream is not: bridge them. */
function streamFrom(remote: Remote, p: string): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  remote.read(p).then(
    (stream) => pipeline(stream, out).catch((err: unknown) => out.destroy(err as Error)),
    (err: unknown) => out.destroy(err as Error),
  );
  return out;
}

async function sameFile(file: string, size: number, sha256: string): Promise<boolean> {
  try {
    if (statSync(file).size !== size) return false;
  } catch {
    return false;
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex') === sha256;
}
