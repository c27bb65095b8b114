/**
 * Bringing a remote's inventory up to date from the remote itself: a full listing (files not
 * seen any more are forgotten, so they are uploaded again), or, where the service has a changes
 * feed, only what changed since the stored cursor. Names a listing returns that could escape the
 * remote (.., absolute paths, control characters) are refused, never recorded.
 */
import { unsafePathReason } from '../remotes/safe-path.ts';
import type { Remote, RemoteEntry } from '../remotes/types.ts';
import type { Inventories, InventoryRow } from '../state/inventory.ts';

export interface RefreshReport {
  readonly remote: string;
  readonly listed: number;
  readonly added: number;
  /** Recorded files that are no longer on the remote; they will be uploaded again. */
  readonly gone: number;
  /** Names the listing returned that photosync refuses to use (.., control characters…). */
  readonly refused: readonly string[];
}

type NewRow = Omit<InventoryRow, 'writtenAt'>;

export async function refreshInventory(
  inventories: Inventories,
  remoteId: number,
  name: string,
  remote: Remote,
  cursor: string | null,
): Promise<RefreshReport> {
  if (!remote.listChanges) {
    const report = await applyListing(inventories, remoteId, name, remote.list(), true);
    inventories.markListed(remoteId, null);
    return report;
  }
  const changes = await remote.listChanges(cursor);
  const report = await applyListing(inventories, remoteId, name, changes.entries, changes.complete);
  const gone = changes.complete ? 0 : inventories.forgetUnder(remoteId, changes.removed.filter((p) => unsafePathReason(p) === null));
  inventories.markListed(remoteId, changes.cursor);
  return { ...report, gone: report.gone + gone };
}

async function applyListing(
  inventories: Inventories,
  remoteId: number,
  name: string,
  entries: AsyncIterable<RemoteEntry> | Iterable<RemoteEntry>,
  complete: boolean,
): Promise<RefreshReport> {
  const known = new Map(inventories.sizes(remoteId));
  const refused: string[] = [];
  let listed = 0;
  let added = 0;
  const batch: NewRow[] = [];
  for await (const entry of entries) {
    const reason = unsafePathReason(entry.path);
    if (reason) {
      refused.push(`${JSON.stringify(entry.path)} (${reason})`);
      continue;
    }
    listed++;
    const size = known.get(entry.path);
    known.delete(entry.path);
    if (size === entry.size) continue;
    const { sha256, ...others } = entry.hashes;
    const hashes = Object.fromEntries(Object.entries(others).filter((kv): kv is [string, string] => kv[1] !== undefined));
    batch.push({ path: entry.path, size: entry.size, sha256: sha256 ?? null, hashes, origin: 'listed', runId: null });
    added++;
    if (batch.length >= 1000) inventories.recordMany(remoteId, batch.splice(0));
  }
  inventories.recordMany(remoteId, batch);
  const gone = complete ? [...known.keys()] : [];
  inventories.forget(remoteId, gone);
  return { remote: name, listed, added, gone: gone.length, refused };
}
