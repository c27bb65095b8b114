/**
 * The typed, normalised config every other module works with. The YAML shape is defined by
 * config.schema.json; `normalize.ts` turns a validated document into these structs (paths made
 * absolute, defaults filled in) so nothing downstream re-checks or re-defaults.
 */

export type MediaKind =
  | 'internal-disk'
  | 'external-disk'
  | 'nas'
  | 'cloud'
  | 'phone'
  | 'memory-card'
  | 'optical'
  | 'tape';

export type SourceType = 'local';
export type RemoteType = 'local';

export interface SourceConfig {
  readonly name: string;
  readonly type: SourceType;
  /** Absolute path of the folder. */
  readonly path: string;
  readonly include: readonly string[] | null;
  readonly exclude: readonly string[];
  readonly media: MediaKind;
  readonly offsite: boolean;
}

interface RemoteCommon {
  readonly name: string;
  readonly layout: string;
  readonly media: MediaKind;
  readonly offsite: boolean;
  readonly transfers: number;
  readonly include: readonly string[] | null;
  readonly exclude: readonly string[];
}

export interface LocalRemoteConfig extends RemoteCommon {
  readonly type: 'local';
  /** Absolute path of the destination folder. */
  readonly path: string;
}

export type RemoteConfig = LocalRemoteConfig;

export interface BackupPolicy {
  readonly copies: number;
  readonly media: number;
  readonly offsite: number;
}

export interface Config {
  /** Absolute path of the config file it came from. */
  readonly file: string;
  /** SHA-256 of the normalised config; a plan records it so apply can refuse a plan made from another config. */
  readonly hash: string;
  readonly statePath: string;
  readonly policy: BackupPolicy;
  readonly sources: readonly SourceConfig[];
  readonly remotes: readonly RemoteConfig[];
}

export const DEFAULT_LAYOUT = '{year}/{month}/{name}';
