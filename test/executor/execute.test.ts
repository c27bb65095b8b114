import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executePlan, type ApplyEvent, type RemoteTarget } from '../../src/executor/execute.ts';
import type { Clock } from '../../src/executor/pacer.ts';
import type { UploadAction } from '../../src/planner/types.ts';
import { AuthError } from '../../src/errors.ts';
import { RemoteError } from '../../src/remotes/errors.ts';
import { LocalRemote } from '../../src/remotes/local/index.ts';
import type { Remote, UploadBody, UploadOptions } from '../../src/remotes/types.ts';
import { stateRecorder } from '../../src/pipeline/state-recorder.ts';
import { State } from '../../src/state/index.ts';
import { sha256, treeHashes } from '../helpers/hash.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

/** A clock whose sleeps return at once but are recorded, so backoff is observable without waiting. */
function recordingClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** Wraps a remote and fails its creates as scripted (per call number). */
function faulty(inner: Remote, script: (call: number, path: string) => RemoteError | null): Remote & { calls: number } {
  const wrapper = Object.create(inner) as Remote & { calls: number };
  wrapper.calls = 0;
  wrapper.create = async (p: string, body: UploadBody, options?: UploadOptions) => {
    const fault = script(++wrapper.calls, p);
    if (fault) throw fault;
    return inner.create(p, body, options);
  };
  return wrapper;
}

describe('executor', () => {
  let state: State;
  let sourceRoot: string;
  let files: Record<string, string>;
  beforeEach(() => {
    state = State.open(path.join(tmpdir(), 'state.db'));
    files = { 'a.jpg': 'photo a', 'b.jpg': 'photo b', 'c.jpg': 'photo c' };
    sourceRoot = testdir(files);
  });
  afterEach(() => state.close());

  const actionsFor = (remote: string, names = Object.keys(files)): UploadAction[] =>
    names.map((name, i) => ({
      op: 'upload',
      id: i + 1,
      remote,
      sha256: sha256(files[name]!),
      size: files[name]!.length,
      source: 'phone',
      from: name,
      origin: path.join(sourceRoot, name),
      to: `2024/${name}`,
      renamed: false,
    }));

  const idOf = (remote: Remote): number => state.inventories.remote(remote.identity, remote.name, remote.type).id;
  const ids = new Map<string, number>();
  const target = (remote: Remote, transfers = 2): RemoteTarget => {
    ids.set(remote.name, idOf(remote));
    return { remote, transfers };
  };

  const rec = (runId: number) => stateRecorder(state, runId, ids);

  const local = (name: string, root = path.join(tmpdir(), name)): LocalRemote =>
    new LocalRemote(
      { name, type: 'local', path: root, layout: '{name}', media: 'external-disk', offsite: false, transfers: 2, quotaBytes: null, include: null, exclude: [] },
      { mayCreateRoot: true },
    );

  it('retries retryable failures with backoff, honours Retry-After, and journals each success', async () => {
    const root = path.join(tmpdir(), 'usb');
    const remote = faulty(local('usb', root), (call) =>
      call === 1 ? new RemoteError('usb', 'retryable', 'connection reset') : call === 2 ? new RemoteError('usb', 'throttled', 'slow down', { retryAfterMs: 7000 }) : null,
    );
    const clock = recordingClock();
    const events: ApplyEvent[] = [];
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('usb'), new Map([['usb', target(remote, 1)]]), rec(runId), {
      clock,
      onEvent: (e) => events.push(e),
    });
    expect(result).toMatchObject({ uploaded: 3, found: 0, failed: [] });
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(Math.max(...clock.sleeps)).toBeGreaterThanOrEqual(7000);
    expect(treeHashes(root)).toEqual(new Map(Object.entries(files).map(([n, c]) => [`2024/${n}`, sha256(c)])));
    const rows = [...state.inventories.rows(idOf(remote))];
    expect(rows.map((r) => [r.path, r.origin, r.runId])).toEqual([
      ['2024/a.jpg', 'uploaded', runId],
      ['2024/b.jpg', 'uploaded', runId],
      ['2024/c.jpg', 'uploaded', runId],
    ]);
  });

  it('obeys a Retry-After of hours for ten minutes at most', async () => {
    const remote = faulty(local('usb'), (call) => (call === 1 ? new RemoteError('usb', 'throttled', 'come back tomorrow', { retryAfterMs: 20 * 3_600_000 }) : null));
    const clock = recordingClock();
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('usb'), new Map([['usb', target(remote, 1)]]), rec(runId), { clock });
    expect(result).toMatchObject({ uploaded: 3, failed: [] });
    expect(Math.max(...clock.sleeps)).toBe(10 * 60_000);
  });

  it('ends a wait to try again at a stop, leaving that item for the next run', async () => {
    const remote = faulty(local('usb'), (call) => (call === 1 ? new RemoteError('usb', 'throttled', 'come back in an hour', { retryAfterMs: 3_600_000 }) : null));
    // Waits end only when their signal says so, as a real ten-minute wait would for this test.
    const clock: Clock = {
      now: () => 0,
      sleep: (ms, signal) =>
        ms <= 0 ? Promise.resolve() : new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('woken')), { once: true })),
    };
    const stop = new AbortController();
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('usb'), new Map([['usb', target(remote, 1)]]), rec(runId), {
      clock,
      stop: stop.signal,
      onEvent: (e) => {
        if (e.type === 'retry') setImmediate(() => stop.abort());
      },
    });
    expect(result).toMatchObject({ uploaded: 0, failed: [], notStarted: 3, stoppedBy: 'signal' });
    expect(remote.calls).toBe(1);
    expect([...state.inventories.rows(idOf(remote))]).toEqual([]);
  });

  it('takes a folder at the planned name as a taken name at once, for the next plan to avoid', async () => {
    const root = path.join(tmpdir(), 'usb');
    mkdirSync(path.join(root, '2024/b.jpg'), { recursive: true });
    const remote = local('usb', root);
    const clock = recordingClock();
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('usb'), new Map([['usb', target(remote)]]), rec(runId), { clock });
    expect(result.uploaded).toBe(2);
    expect(result.failed.map((f) => [f.action.to, f.reason])).toEqual([['2024/b.jpg', 'name-taken']]);
    expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([]); // not retried: retrying cannot help
    expect(state.inventories.byPath(idOf(remote), '2024/b.jpg')).toMatchObject({ sha256: null });
  });

  it('recognises a file an interrupted run uploaded but did not journal, by its content', async () => {
    const root = testdir({ '2024/a.jpg': files['a.jpg']!, '2024/b.jpg': 'someone else’s photo' });
    const remote = local('usb', root);
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('usb'), new Map([['usb', target(remote)]]), rec(runId), { clock: recordingClock() });
    expect(result.uploaded).toBe(1);
    expect(result.found).toBe(1);
    expect(result.failed.map((f) => f.action.to)).toEqual(['2024/b.jpg']);
    expect(result.failed[0]?.error).toMatch(/already holds other content; nothing was overwritten/);
    // The foreign file is untouched and now known, so the next plan picks another name.
    expect(readFileSync(path.join(root, '2024/b.jpg'), 'utf8')).toBe('someone else’s photo');
    expect(state.inventories.byPath(idOf(remote), '2024/b.jpg')?.sha256).toBe(sha256('someone else’s photo'));
    expect(state.inventories.byPath(idOf(remote), '2024/a.jpg')?.origin).toBe('found');
  });

  it('fails an item whose source changed, and goes on with the rest', async () => {
    writeFileSync(path.join(sourceRoot, 'b.jpg'), 'photo B edited after the plan');
    const root = path.join(tmpdir(), 'usb');
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('usb'), new Map([['usb', target(local('usb', root))]]), rec(runId), { clock: recordingClock() });
    expect(result.uploaded).toBe(2);
    expect(result.failed[0]?.error).toMatch(/b\.jpg changed since it was scanned/);
    expect([...treeHashes(root).keys()].sort()).toEqual(['2024/a.jpg', '2024/c.jpg']);
  });

  it('stops a remote that is full, and keeps backing up to the others', async () => {
    const full = faulty(local('usb'), () => new RemoteError('usb', 'no-space', 'the disk of usb is full'));
    const nasRoot = path.join(tmpdir(), 'nas');
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(
      [...actionsFor('usb'), ...actionsFor('nas').map((a) => ({ ...a, id: a.id + 3 }))],
      new Map([
        ['usb', target(full, 1)],
        ['nas', target(local('nas', nasRoot))],
      ]),
      rec(runId),
      { clock: recordingClock() },
    );
    expect(full.calls).toBe(1);
    expect(result.failed).toHaveLength(3);
    expect(result.uploaded).toBe(3);
    expect(treeHashes(nasRoot).size).toBe(3);
  });

  it('stops a remote whose sign-in expired after one try, and names the command to run', async () => {
    const signedOut = faulty(local('drive'), () => {
      throw new AuthError('the sign-in of remote "drive" has expired or was revoked', { hint: 'run "photosync auth login drive"' });
    });
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('drive'), new Map([['drive', target(signedOut, 1)]]), rec(runId), { clock: recordingClock() });
    expect(signedOut.calls).toBe(1);
    expect(result.failed.map((f) => f.error)).toEqual(Array(3).fill('the sign-in of remote "drive" has expired or was revoked'));
  });

  it('starts nothing new once stopped, and honours --max-transfer', async () => {
    const stop = new AbortController();
    stop.abort();
    const runId = state.journal.startRun('apply', 1, null, null);
    const stopped = await executePlan(actionsFor('usb'), new Map([['usb', target(local('usb'))]]), rec(runId), { stop: stop.signal });
    expect(stopped).toMatchObject({ uploaded: 0, notStarted: 3, stoppedBy: 'signal' });

    const limited = await executePlan(actionsFor('usb'), new Map([['usb', target(local('usb2'), 1)]]), rec(runId), { maxBytes: 10 });
    expect(limited).toMatchObject({ uploaded: 1, notStarted: 2, stoppedBy: 'max-transfer' });
  });

  it('refuses a plan action whose remote reports other bytes than were sent', async () => {
    const liar = Object.create(local('usb')) as Remote;
    const inner = local('usb');
    liar.create = async (p, body, o) => ({ ...(await inner.create(p, body, o)), hashes: { sha256: '0'.repeat(64) } });
    const runId = state.journal.startRun('apply', 1, null, null);
    const result = await executePlan(actionsFor('usb', ['a.jpg']), new Map([['usb', target(liar)]]), rec(runId), { clock: recordingClock() });
    expect(result.failed[0]?.error).toMatch(/reports sha256 0{64}, the bytes sent hash to/);
  });
});
