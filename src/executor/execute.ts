/**
 * Carries out exactly the actions of a plan: one queue per remote (its `transfers` wide), pacing
 * and retries per remote, every upload checked against the remote's own hashes, and every
 * finished action journalled at once. A name that turns out to be taken is checked by content:
 * the same content means an earlier run uploaded it without journalling (it is recorded, not sent
 * again); other content means the plan was wrong about that name (the item fails, the next plan
 * picks another name).
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import type { UploadAction } from '../planner/types.ts';
import { AuthError, PhotosyncError, SourceChangedError } from '../errors.ts';
import { isRemoteError, NameTakenError, RemoteError, type RemoteFailure } from '../remotes/errors.ts';
import type { Remote, RemoteEntry, ResumeSlot } from '../remotes/types.ts';
import { isArchiveOrigin, openOrigin } from '../sources/open.ts';
import type { BandwidthLimiter } from './bandwidth.ts';
import { GroupCommit } from './group-commit.ts';
import { Pacer, fullJitter, realClock, serviceWait, type Clock } from './pacer.ts';
import { hashRemoteFile } from '../remotes/remote-hash.ts';
import { uploadBody } from './upload-body.ts';

/** Failures after which nothing more will succeed on that remote in this run; the other remotes go on. */
const HALTING = new Set<RemoteFailure>(['auth', 'no-space', 'unavailable']);

export interface RemoteTarget {
  readonly remote: Remote;
  readonly transfers: number;
}

export type ApplyEvent =
  | { readonly type: 'start'; readonly action: UploadAction }
  | { readonly type: 'progress'; readonly action: UploadAction; readonly bytes: number }
  | { readonly type: 'done'; readonly action: UploadAction; readonly outcome: 'uploaded' | 'found' }
  | { readonly type: 'failed'; readonly action: UploadAction; readonly error: string }
  | { readonly type: 'retry'; readonly action: UploadAction; readonly attempt: number; readonly delayMs: number; readonly error: string };

export interface ApplyOptions {
  /** Aborted → start no new action; actions in flight finish, unless they are waiting to try again. */
  readonly stop?: AbortSignal;
  /** Aborted → actions in flight are abandoned too (their temporary uploads are cleaned up). */
  readonly abort?: AbortSignal;
  /** Stop starting actions once this many bytes have been started. */
  readonly maxBytes?: number;
  /** Shared upload bandwidth (--bwlimit). */
  readonly bandwidth?: BandwidthLimiter;
  /** Attempts per action for transient failures (default 10, as rclone's --low-level-retries). */
  readonly retries?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly onEvent?: (event: ApplyEvent) => void;
  readonly clock?: Clock;
  /** Where an action's bytes come from; default: its origin in a source (restore reads a remote instead). */
  readonly openSource?: (action: UploadAction) => Readable;
}

export interface FailedAction {
  readonly action: UploadAction;
  readonly error: string;
  /**
   * What the caller can do about it: `name-taken` (the name held other content the plan did not
   * know of; a fresh plan avoids it), `auth` (the remote needs signing in again).
   */
  readonly reason?: 'name-taken' | 'auth';
}

function failureReason(err: unknown): FailedAction['reason'] {
  if (err instanceof NameTakenError) return 'name-taken';
  if (err instanceof AuthError || isRemoteError(err, 'auth')) return 'auth';
  return undefined;
}

export interface ApplyResult {
  readonly uploaded: number;
  readonly found: number;
  readonly bytes: number;
  readonly failed: readonly FailedAction[];
  /** Actions not done because the run stopped (a limit or a signal); the next run does them. */
  readonly notStarted: number;
  readonly stoppedBy: 'signal' | 'max-transfer' | null;
}

/**
 * Where a run records what it does, as each action ends (apply: the state's journal and
 * inventories; restore: nothing beyond its own report).
 */
export interface RunRecorder {
  finished(action: UploadAction, kind: 'uploaded' | 'found', entry: RemoteEntry): void;
  /** Runs `record` as one unit (one database transaction for a batch of finished actions). */
  batch?(record: () => void): void;
  failed(action: UploadAction, message: string): void;
  /** A file that already holds other content at the action's name (the next plan must avoid it). */
  foundOther(action: UploadAction, entry: RemoteEntry): void;
  /** Where a resumable upload keeps its session across crashes, if anywhere. */
  resumeSlot(action: UploadAction): ResumeSlot | undefined;
}

export async function executePlan(
  actions: readonly UploadAction[],
  targets: ReadonlyMap<string, RemoteTarget>,
  run: RunRecorder,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const clock = options.clock ?? realClock;
  const retries = options.retries ?? 10;
  const backoffBaseMs = options.backoffBaseMs ?? 500;
  const backoffCapMs = options.backoffCapMs ?? 60_000;
  const emit = options.onEvent ?? (() => {});
  // A wait before an attempt (a retry's backoff, a throttled remote's pacing, up to ten minutes)
  // ends at a stop as well: the attempt it waits for would be new work, which a stop does not start.
  const stops = [options.stop, options.abort].filter((s): s is AbortSignal => s !== undefined);
  const waitSignal = stops.length > 1 ? AbortSignal.any(stops) : stops[0];
  // Every upload in flight may be waiting on it at once.
  if (waitSignal) setMaxListeners(0, waitSignal);
  const wait = async (waiting: (signal?: AbortSignal) => Promise<void>): Promise<void> => {
    try {
      await waiting(waitSignal);
    } catch (err) {
      if (options.stop?.aborted && !options.abort?.aborted) throw new StoppedWaiting();
      throw err;
    }
  };

  let uploaded = 0;
  let found = 0;
  let bytes = 0;
  let bytesStarted = 0;
  let notStarted = 0;
  let stoppedBy: ApplyResult['stoppedBy'] = null;
  const failed: FailedAction[] = [];

  type Done = { action: UploadAction; kind: 'uploaded' | 'found'; entry: RemoteEntry };
  const record = (done: Done): void => {
    run.finished(done.action, done.kind, done.entry);
    if (done.kind === 'uploaded') {
      uploaded++;
      bytes += done.action.size;
    } else found++;
    emit({ type: 'done', action: done.action, outcome: done.kind });
  };

  const queues = new Map<
    string,
    { limit: ReturnType<typeof pLimit>; pacer: Pacer; halted: PhotosyncError | null; commits: GroupCommit<Done> | null }
  >();
  for (const [name, target] of targets) {
    const durable = target.remote.durable?.bind(target.remote);
    const commits = durable
      ? new GroupCommit<Done>(
          durable,
          (items) => (run.batch ?? ((fn: () => void) => fn()))(() => items.forEach(record)),
          (items, err) => items.forEach((d) => fail(d.action, `written, but not made durable: ${(err as Error).message}`)),
        )
      : null;
    queues.set(name, { limit: pLimit(target.transfers), pacer: new Pacer({}, clock), halted: null, commits });
  }

  const runOne = async (action: UploadAction): Promise<void> => {
    const target = targets.get(action.remote);
    const queue = queues.get(action.remote);
    if (!target || !queue) throw new Error(`plan names remote ${action.remote}, which is not configured`);
    if (options.stop?.aborted || options.abort?.aborted) {
      stoppedBy ??= 'signal';
      notStarted++;
      return;
    }
    if (options.maxBytes !== undefined && bytesStarted + action.size > options.maxBytes && bytesStarted > 0) {
      stoppedBy ??= 'max-transfer';
      notStarted++;
      return;
    }
    if (queue.halted) {
      fail(action, queue.halted.message, failureReason(queue.halted));
      return;
    }
    bytesStarted += action.size;
    emit({ type: 'start', action });
    try {
      const outcome = await transfer(action, target, queue.pacer);
      const done = { action, ...outcome };
      if (queue.commits) queue.commits.add(done);
      else record(done);
    } catch (err) {
      if (options.abort?.aborted || err instanceof StoppedWaiting) {
        // Abandoned by a second Ctrl-C, or stopped while waiting to try again: not a failure of
        // the item; the next run does it.
        stoppedBy ??= 'signal';
        notStarted++;
        return;
      }
      // A remote that needs signing in again, is full or is not there fails its other actions
      // at once (with the same message) instead of each trying on its own.
      if ((isRemoteError(err) && HALTING.has(err.failure)) || err instanceof AuthError) {
        queue.halted = err as PhotosyncError;
      }
      fail(action, err instanceof Error ? err.message : String(err), failureReason(err));
    }
  };

  const fail = (action: UploadAction, message: string, reason?: FailedAction['reason']): void => {
    run.failed(action, message);
    failed.push(reason ? { action, error: message, reason } : { action, error: message });
    emit({ type: 'failed', action, error: message });
  };

  /** Backoff with full jitter, or longer if a throttling service asked for it (within reason). */
  const retryDelay = (attempt: number, err: unknown): number =>
    Math.max(fullJitter(attempt, backoffBaseMs, backoffCapMs), isRemoteError(err, 'throttled') ? serviceWait(err.retryAfterMs) : 0);

  const transfer = async (
    action: UploadAction,
    target: RemoteTarget,
    pacer: Pacer,
  ): Promise<{ kind: 'uploaded' | 'found'; entry: RemoteEntry }> => {
    const { remote } = target;
    const limiter = options.bandwidth;
    const body = uploadBody(
      {
        open: () => (options.openSource ?? openActionOrigin)(action),
        read: options.openSource || isArchiveOrigin(action.origin) ? undefined : () => readSmallFile(action.origin, action.size),
        localFile: options.openSource || isArchiveOrigin(action.origin) ? undefined : action.origin,
        size: action.size,
        sha256: action.sha256,
        label: action.from,
        throttle: limiter ? (bytes) => limiter.take(bytes, options.abort) : undefined,
      },
      remote.uploadHashes ?? remote.hashes,
    );
    const attempt = async (): Promise<{ kind: 'uploaded' | 'found'; entry: RemoteEntry }> => {
      await wait((signal) => pacer.wait(signal));
      try {
        let entry: RemoteEntry;
        try {
          entry = await remote.create(action.to, body, {
            signal: options.abort,
            onProgress: (sent) => emit({ type: 'progress', action, bytes: sent }),
            resume: run.resumeSlot(action),
          });
        } catch (err) {
          if (!isRemoteError(err, 'already-exists')) throw err;
          return { kind: 'found', entry: await existingCopy(target, action, run) };
        }
        pacer.succeeded();
        checkUpload(remote, action, entry, body.digests());
        return { kind: 'uploaded', entry };
      } catch (err) {
        // Errors of the upload, its check, or the look at a taken name, sorted alike.
        if (isRemoteError(err, 'throttled')) pacer.throttled(err.retryAfterMs);
        if (err instanceof SourceChangedError || err instanceof AuthError || !isRemoteError(err) || !err.retryable) {
          throw new AbortError(err as Error);
        }
        throw err;
      }
    };
    // Most uploads succeed at once: only a failed first attempt pays for the retry machinery.
    try {
      return await attempt();
    } catch (err) {
      // What p-retry would throw for an error it must not retry: the error itself.
      if (err instanceof AbortError) throw err.originalError;
      const delayMs = retryDelay(1, err);
      emit({ type: 'retry', action, attempt: 1, delayMs, error: (err as Error).message });
      await wait((signal) => clock.sleep(delayMs, signal));
    }
    return pRetry(attempt, {
      retries: retries - 1,
      minTimeout: 0,
      factor: 1,
      signal: options.abort,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft === 0) return;
        const delayMs = retryDelay(attemptNumber + 1, error);
        emit({ type: 'retry', action, attempt: attemptNumber + 1, delayMs, error: error.message });
        await wait((signal) => clock.sleep(delayMs, signal));
      },
    });
  };

  await Promise.all(
    actions.map((action) => {
      const queue = queues.get(action.remote);
      if (!queue) throw new Error(`plan names remote ${action.remote}, which is not configured`);
      return queue.limit(() => runOne(action));
    }),
  );
  for (const queue of queues.values()) await queue.commits?.flush();
  return { uploaded, found, bytes, failed, notStarted, stoppedBy };
}

/** A wait before an attempt was ended by a stop (see `wait` in executePlan). */
class StoppedWaiting extends Error {
  constructor() {
    super('stopped while waiting to try again');
  }
}

function openActionOrigin(action: UploadAction): Readable {
  return openOrigin(action.origin);
}

/**
 * A small source file in one read. Below a few hundred KiB a synchronous read is a few dozen
 * microseconds, less than the thread-pool round trips of an asynchronous one.
 */
async function readSmallFile(file: string, size: number): Promise<Buffer> {
  return size <= 256 * 1024 ? readFileSync(file) : readFile(file);
}

/** The remote's own view of the new file must match what was sent: size, and every hash it reports. */
function checkUpload(remote: Remote, action: UploadAction, entry: RemoteEntry, sent: Readonly<Record<string, string>>): void {
  if (entry.size !== action.size) {
    throw new RemoteError(remote.name, 'fatal', `${action.to}: ${remote.name} stored ${entry.size} bytes, ${action.size} were sent`);
  }
  for (const name of remote.hashes) {
    const theirs = entry.hashes[name];
    // What was sent is what the plan promised (the body checks it); other hashes were computed on the way.
    const ours = name === 'sha256' ? action.sha256 : sent[name];
    if (theirs !== undefined && ours !== undefined && theirs.toLowerCase() !== ours.toLowerCase()) {
      throw new RemoteError(remote.name, 'fatal', `${action.to}: ${remote.name} reports ${name} ${theirs}, the bytes sent hash to ${ours}`);
    }
  }
}

/**
 * A taken name is fine if it holds exactly this content (an earlier upload that was not
 * journalled). Other content there is recorded, so the next plan knows the name is taken.
 */
async function existingCopy(target: RemoteTarget, action: UploadAction, run: RunRecorder): Promise<RemoteEntry> {
  const { remote } = target;
  const entry = await remote.stat(action.to);
  if (!entry) {
    // Refused, yet no file is there: a folder, a link or a Google Doc holds the name. Retrying
    // cannot help; noted as taken (with no content), the next plan picks another name.
    run.foundOther(action, { path: action.to, size: 0, hashes: {} });
    throw new NameTakenError(remote.name, action.to);
  }
  const sha256 = entry.hashes.sha256 ?? (await hashRemoteFile(remote, action.to, entry.size));
  if (sha256 === action.sha256 && entry.size === action.size) return { ...entry, hashes: { ...entry.hashes, sha256 } };
  run.foundOther(action, { ...entry, hashes: { ...entry.hashes, sha256 } });
  throw new NameTakenError(remote.name, action.to);
}
