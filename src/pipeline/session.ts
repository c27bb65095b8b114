/**
 * A session ties the config to the state and to the remotes. Remotes are only contacted when
 * needed: to list one photosync has never seen (or when asked to refresh), and to upload. A run
 * with nothing new to do makes no request at all.
 */
import pRetry from 'p-retry';
import { secretStoreFor, type SecretStore } from '../auth/secret-store.ts';
import type { Config, RemoteConfig } from '../config/types.ts';
import { MemoryInventory } from '../planner/inventory.ts';
import type { RemoteInventory } from '../planner/types.ts';
import { isRemoteError } from '../remotes/errors.ts';
import { remoteIdentity } from '../remotes/identity.ts';
import { createRemote } from '../remotes/registry.ts';
import type { Quota, Remote } from '../remotes/types.ts';
import { quotaUse } from '../report/quota.ts';
import { hashRemoteFile } from '../remotes/remote-hash.ts';
import { State, type RemoteRecord } from '../state/index.ts';
import { refreshInventory, type RefreshReport } from './refresh.ts';

export type { RefreshReport } from './refresh.ts';

export interface RemoteHandle {
  readonly config: RemoteConfig;
  record: RemoteRecord;
  /** Connects on first use. */
  open(): Promise<Remote>;
}

export class Session {
  readonly config: Config;
  readonly state: State;
  readonly remotes: readonly RemoteHandle[];
  private readonly opened = new Map<string, Remote>();
  private readonly spaces = new Map<string, { serial: number; space: Promise<Quota | null> }>();

  private constructor(config: Config, state: State, remotes: RemoteHandle[]) {
    this.config = config;
    this.state = state;
    this.remotes = remotes;
  }

  /** Secrets by where the remote keeps them: the OS keychain, or the 0600 file beside the state. */
  readonly secrets = (kind: 'keychain' | 'file'): SecretStore => secretStoreFor(kind, this.config.statePath);

  static async open(config: Config, env: NodeJS.ProcessEnv): Promise<Session> {
    const state = State.open(config.statePath);
    const handles: RemoteHandle[] = [];
    const session = new Session(config, state, handles);
    for (const remoteConfig of config.remotes) {
      const record = state.inventories.remote(remoteIdentity(remoteConfig), remoteConfig.name, remoteConfig.type);
      const handle: RemoteHandle = {
        config: remoteConfig,
        record,
        open: async () => {
          let remote = session.opened.get(remoteConfig.name);
          if (!remote) {
            // Nothing recorded there yet: the remote may create its root folder (a local remote
            // refuses to once it holds files, as a missing folder then means an unmounted drive).
            const firstUse = !state.inventories.holdsAny(handle.record.id);
            remote = await createRemote(remoteConfig, { firstUse, env, secrets: session.secrets });
            session.opened.set(remoteConfig.name, remote);
          }
          return remote;
        },
      };
      handles.push(handle);
    }
    return session;
  }

  handle(name: string): RemoteHandle {
    const handle = this.remotes.find((h) => h.config.name === name);
    if (!handle) throw new Error(`no remote named ${name}`);
    return handle;
  }

  /**
   * A remote's inventory as the planner asks it: loaded whole into memory, or, for a plan over a
   * few files of a large library (the folders that changed), asked of the database one question
   * at a time, which costs about as much per question as loading costs per row.
   */
  inventory(name: string, oneByOne = false): RemoteInventory {
    const { id } = this.handle(name).record;
    const inventories = this.state.inventories;
    return oneByOne ? inventories.lookup(id) : new MemoryInventory(inventories.contents(id));
  }

  /** Remotes photosync has never listed; they are listed before planning so existing files count. */
  unlisted(): RemoteHandle[] {
    return this.remotes.filter((h) => h.record.listedAt === null);
  }

  /** Re-lists a remote into the inventory: new files recorded, vanished ones forgotten (so they are uploaded again). */
  async refresh(handle: RemoteHandle): Promise<RefreshReport> {
    const remote = await handle.open();
    // A listing is many requests; on a flaky line one may fail. Start it again, a few times, with backoff.
    const report = await pRetry(
      () => refreshInventory(this.state.inventories, handle.record.id, handle.config.name, remote, handle.record.listCursor),
      { retries: 4, minTimeout: 500, randomize: true, shouldRetry: ({ error }) => isRemoteError(error) && error.retryable },
    );
    const fresh = this.state.inventories.remote(handle.record.identity, handle.config.name, handle.config.type);
    handle.record = fresh;
    if (report.added > 0 || report.gone > 0) this.state.bumpSerial();
    return report;
  }

  /**
   * Files found on a remote without a known SHA-256 whose size equals some source file's are
   * hashed (read back), so content already there is recognised whatever its name. Other sizes
   * cannot be the same content and are left alone.
   */
  async identifyUnknown(handle: RemoteHandle, sourceSizes: ReadonlySet<number>): Promise<number> {
    const candidates = [...this.state.inventories.unidentified(handle.record.id)].filter((r) => sourceSizes.has(r.size));
    if (candidates.length === 0) return 0;
    const remote = await handle.open();
    for (const row of candidates) {
      let sha256: string | null;
      try {
        sha256 = await pRetry(
          async () => {
            const stat = await remote.stat(row.path);
            return stat && (stat.hashes.sha256 ?? (await hashRemoteFile(remote, row.path, stat.size)));
          },
          { retries: 4, minTimeout: 500, randomize: true, shouldRetry: ({ error }) => isRemoteError(error) && error.retryable },
        );
      } catch (err) {
        // A file that cannot be read (an S3 object in Glacier, one gone since the listing, a line
        // too flaky today) stays unidentified: its name is still avoided, only its content is not
        // recognised yet. A remote that refuses us altogether stops the run.
        if (isRemoteError(err) && err.failure !== 'auth' && err.failure !== 'unavailable') continue;
        throw err;
      }
      if (sha256 !== null) this.state.inventories.record(handle.record.id, { ...row, sha256 });
    }
    this.state.bumpSerial();
    return candidates.length;
  }

  /**
   * Bytes photosync may still add to a remote: what the remote reports free, and, when the config
   * sets `quota`, that quota less what photosync stored there; the smaller wins. Null: unknown.
   */
  async freeSpace(handle: RemoteHandle): Promise<number | null> {
    const quotaBytes = handle.config.quotaBytes;
    const bytes = quotaBytes === null ? 0 : this.state.inventories.totalSize(handle.record.id);
    return quotaUse({ bytes, quotaBytes, reported: await this.reportedSpace(handle) }, null)?.freeBytes ?? null;
  }

  /**
   * What the remote says of its space, or null when it cannot say (no quota call, offline, signed
   * out: the upload itself finds out). Asked once per state serial: a plan and the report made
   * from it share one answer, and an apply in between (which bumps the serial) asks again.
   */
  reportedSpace(handle: RemoteHandle): Promise<Quota | null> {
    const serial = this.state.basis().serial;
    const known = this.spaces.get(handle.config.name);
    if (known?.serial === serial) return known.space;
    const space = (async () => {
      try {
        const remote = await handle.open();
        return remote.quota ? await remote.quota() : null;
      } catch {
        return null;
      }
    })();
    this.spaces.set(handle.config.name, { serial, space });
    return space;
  }

  async close(): Promise<void> {
    for (const remote of this.opened.values()) await remote.close?.();
    this.state.close();
  }
}
