/**
 * verify: prove the backups can be read back. For a sample (or all) of what the state says a
 * remote holds, the file is read back from the remote and its size and SHA-256 checked. Files are
 * taken least-recently-verified first, so repeated small samples cover everything in turn.
 * What is found wrong is recorded so the next plan repairs it: a missing file is forgotten (and
 * uploaded again), a file with other bytes is recorded as what it is (the photo is uploaded
 * again beside it). Nothing on the remote is touched.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import { pushAll } from '../arrays.ts';
import { isRemoteError, RemoteError } from '../remotes/errors.ts';
import type { InventoryRow } from '../state/inventory.ts';
import type { RemoteHandle, Session } from './session.ts';

export type Sample = { readonly kind: 'all' } | { readonly kind: 'percent'; readonly value: number } | { readonly kind: 'count'; readonly value: number };

export function parseSample(text: string): Sample | null {
  if (text === 'all') return { kind: 'all' };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    return value > 0 && value <= 100 ? { kind: 'percent', value } : null;
  }
  return /^\d+$/.test(text) && Number(text) > 0 ? { kind: 'count', value: Number(text) } : null;
}

export type Problem = 'missing' | 'wrong-size' | 'wrong-content' | 'unreadable';

export interface Finding {
  readonly remote: string;
  readonly path: string;
  readonly problem: Problem;
  readonly detail: string;
}

export interface VerifyReport {
  readonly remotes: readonly { readonly remote: string; readonly recorded: number; readonly checked: number; readonly bytes: number; readonly ok: number }[];
  readonly findings: readonly Finding[];
}

export interface VerifyOptions {
  readonly remote?: string | undefined;
  readonly sample: Sample;
  readonly onChecked?: (remote: string, path: string, ok: boolean) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export async function verifyRemotes(session: Session, options: VerifyOptions): Promise<VerifyReport> {
  const handles = options.remote ? [session.handle(options.remote)] : session.remotes;
  const remotes: VerifyReport['remotes'][number][] = [];
  const findings: Finding[] = [];
  let changed = false;
  for (const handle of handles) {
    const rows = [...session.state.inventories.rows(handle.record.id)].filter((r) => r.sha256 !== null);
    const chosen = choose(rows, options.sample);
    const result = await verifyOne(session, handle, chosen, options);
    remotes.push({ remote: handle.config.name, recorded: rows.length, checked: chosen.length, bytes: result.bytes, ok: result.ok });
    pushAll(findings, result.findings);
    changed ||= result.findings.some((f) => f.problem !== 'unreadable');
  }
  if (changed) session.state.bumpSerial();
  return { remotes, findings };
}

/** Least recently verified first (never-verified before all), in a stable order. */
function choose(rows: InventoryRow[], sample: Sample): InventoryRow[] {
  const sorted = [...rows].sort(
    (a, b) => (a.verifiedAt ?? -1) - (b.verifiedAt ?? -1) || (a.sha256! < b.sha256! ? -1 : a.sha256! > b.sha256! ? 1 : 0),
  );
  if (sample.kind === 'all') return sorted;
  const n = sample.kind === 'count' ? sample.value : Math.ceil((rows.length * sample.value) / 100);
  return sorted.slice(0, n);
}

async function verifyOne(
  session: Session,
  handle: RemoteHandle,
  rows: readonly InventoryRow[],
  options: VerifyOptions,
): Promise<{ ok: number; bytes: number; findings: Finding[] }> {
  const findings: Finding[] = [];
  if (rows.length === 0) return { ok: 0, bytes: 0, findings };
  const remote = await handle.open();
  const inventories = session.state.inventories;
  const id = handle.record.id;
  const name = handle.config.name;
  const limit = pLimit(handle.config.transfers);
  let ok = 0;
  let bytes = 0;
  await Promise.all(
    rows.map((row) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        const found = (problem: Problem, detail: string): void => {
          findings.push({ remote: name, path: row.path, problem, detail });
          options.onChecked?.(name, row.path, false);
        };
        try {
          const outcome = await pRetry(() => readBack(remote, row.path, row.size, options.signal), {
            retries: 3,
            minTimeout: 200,
            shouldRetry: ({ error }) => isRemoteError(error) && error.retryable,
          });
          if (!outcome) {
            inventories.forget(id, [row.path]);
            return found('missing', 'not on the remote any more; it will be uploaded again');
          }
          bytes += outcome.size;
          if (outcome.size !== row.size) {
            inventories.correct(id, row.path, outcome.size, outcome.sha256);
            return found('wrong-size', `${outcome.size} bytes instead of ${row.size}; the photo will be uploaded again beside it`);
          }
          if (outcome.sha256 !== row.sha256) {
            inventories.correct(id, row.path, outcome.size, outcome.sha256);
            return found('wrong-content', 'its bytes changed since they were written; the photo will be uploaded again beside it');
          }
          inventories.markVerified(id, row.path, (options.now ?? Date.now)());
          ok++;
          options.onChecked?.(name, row.path, true);
        } catch (err) {
          found('unreadable', (err as Error).message);
        }
      }),
    ),
  );
  return { ok, bytes, findings };
}

/** Size and SHA-256 of the file as read back, or null when it is not there. */
async function readBack(
  remote: Awaited<ReturnType<RemoteHandle['open']>>,
  path: string,
  recordedSize: number,
  signal: AbortSignal | undefined,
): Promise<{ size: number; sha256: string } | null> {
  let stream;
  try {
    stream = await remote.read(path, { signal });
  } catch (err) {
    if (isRemoteError(err, 'not-found')) return null;
    throw err;
  }
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  // A read can end early and cleanly (a proxy closing a chunked answer): a file is the wrong size
  // only if the remote itself says so; otherwise the read failed and is tried again.
  const stat = size === recordedSize ? null : await remote.stat(path, { signal });
  if (stat && stat.size !== size) {
    throw new RemoteError(remote.name, 'retryable', `reading ${path} from ${remote.name} gave ${size} bytes, but it holds ${stat.size}`);
  }
  return { size, sha256: hash.digest('hex') };
}
