/**
 * A session ties the config to the state and to the remotes. Remotes are only contacted when
 * needed: to list one photosync has never seen (or when asked to refresh), and to upload. A run
 * with nothing new to do makes no request at all.
 */
import { secretStoreFor, type SecretStore } from '../auth/secret-store.ts';
import type { Config, RemoteConfig } from '../config/types.ts';
import { MemoryInventory } from '../planner/inventory.ts';
import { remoteIdentity } from '../remotes/identity.ts';
import { createRemote } from '../remotes/registry.ts';
import { unsafePathReason } from '../remotes/safe-path.ts';
import type { Remote } from '../remotes/types.ts';
import { hashRemoteFile } from '../executor/remote-hash.ts';
import { State, type RemoteRecord } from '../state/index.ts';

export interface RemoteHandle {
  readonly config: RemoteConfig;
  record: RemoteRecord;
  /** Connects on first use. */
  open(): Promise<Remote>;
}

export interface RefreshReport {
  readonly remote: string;
  readonly listed: number;
  readonly added: number;
  /** Recorded files that are no longer on the remote; they will be uploaded again. */
  readonly gone: number;
  /** Names the listing returned that photosync refuses to use (.., control characters…). */
  readonly refused: readonly string[];
}

export class Session {
  readonly config: Config;
  readonly state: State;
  readonly remotes: readonly RemoteHandle[];
  /** Whether a person is there to answer prompts (never under cron). */
  readonly interactive: boolean;
  private readonly opened = new Map<string, Remote>();

  private constructor(config: Config, state: State, remotes: RemoteHandle[], interactive: boolean) {
    this.config = config;
    this.state = state;
    this.remotes = remotes;
    this.interactive = interactive;
  }

  /** Secrets by where the remote keeps them: the OS keychain, or the 0600 file beside the state. */
  readonly secrets = (kind: 'keychain' | 'file'): SecretStore => secretStoreFor(kind, this.config.statePath);

  static async open(config: Config, env: NodeJS.ProcessEnv, options: { interactive?: boolean } = {}): Promise<Session> {
    const state = State.open(config.statePath);
    const handles: RemoteHandle[] = [];
    const session = new Session(config, state, handles, options.interactive ?? false);
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
            const firstUse = state.inventories.count(handle.record.id) === 0;
            remote = await createRemote(remoteConfig, { firstUse, env, secrets: session.secrets, interactive: session.interactive });
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

  inventory(name: string): MemoryInventory {
    return new MemoryInventory(this.state.inventories.rows(this.handle(name).record.id));
  }

  /** Remotes photosync has never listed; they are listed before planning so existing files count. */
  unlisted(): RemoteHandle[] {
    return this.remotes.filter((h) => h.record.listedAt === null);
  }

  /** Re-lists a remote into the inventory: new files recorded, vanished ones forgotten (so they are uploaded again). */
  async refresh(handle: RemoteHandle): Promise<RefreshReport> {
    const remote = await handle.open();
    const inventories = this.state.inventories;
    const id = handle.record.id;
    const known = new Map<string, number>();
    for (const row of inventories.rows(id)) known.set(row.path, row.size);
    const refused: string[] = [];
    let listed = 0;
    let added = 0;
    const batch: Parameters<typeof inventories.record>[1][] = [];
    const flush = (): void => {
      inventories.recordMany(id, batch.splice(0));
    };
    for await (const entry of remote.list()) {
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
      batch.push({ path: entry.path, size: entry.size, sha256: sha256 ?? null, hashes: definedOnly(others), origin: 'listed', runId: null });
      added++;
      if (batch.length >= 1000) flush();
    }
    flush();
    const gone = [...known.keys()];
    inventories.forget(id, gone);
    inventories.markListed(id, null);
    handle.record = { ...handle.record, listedAt: Date.now() };
    if (added > 0 || gone.length > 0) this.state.bumpSerial();
    return { remote: handle.config.name, listed, added, gone: gone.length, refused };
  }

  /**
   * Files found on a remote without a known SHA-256 whose size equals some source file's are
   * hashed (read back), so content already there is recognised whatever its name. Other sizes
   * cannot be the same content and are left alone.
   */
  async identifyUnknown(handle: RemoteHandle, sourceSizes: ReadonlySet<number>): Promise<number> {
    const candidates = [...this.state.inventories.rows(handle.record.id)].filter(
      (r) => r.sha256 === null && sourceSizes.has(r.size),
    );
    if (candidates.length === 0) return 0;
    const remote = await handle.open();
    for (const row of candidates) {
      const stat = await remote.stat(row.path);
      if (!stat) continue;
      const sha256 = stat.hashes.sha256 ?? (await hashRemoteFile(remote, row.path));
      this.state.inventories.record(handle.record.id, { ...row, sha256 });
    }
    this.state.bumpSerial();
    return candidates.length;
  }

  /**
   * Bytes photosync may still add to a remote: what the remote reports free, and, when the config
   * sets `quota`, that quota less what photosync stored there; the smaller wins. Null: unknown.
   */
  async freeSpace(handle: RemoteHandle): Promise<number | null> {
    let free: number | null = null;
    if (handle.config.quotaBytes !== null) {
      let stored = 0;
      for (const row of this.state.inventories.rows(handle.record.id)) stored += row.size;
      free = Math.max(0, handle.config.quotaBytes - stored);
    }
    try {
      const remote = await handle.open();
      const reported = remote.quota ? (await remote.quota()).freeBytes : null;
      if (reported !== null) free = free === null ? reported : Math.min(free, reported);
    } catch {
      // A remote that cannot say now (offline, signed out) is checked by the upload itself.
    }
    return free;
  }

  async close(): Promise<void> {
    for (const remote of this.opened.values()) await remote.close?.();
    this.state.close();
  }
}

function definedOnly(hashes: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(hashes).filter((kv): kv is [string, string] => kv[1] !== undefined));
}
