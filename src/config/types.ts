/**
 * The typed, normalised config every other module works with. The YAML shape is defined by
 * config.schema.json; `normalize.ts` turns a validated document into these structs (paths made
 * absolute, defaults filled in) so nothing downstream re-checks or re-defaults.
 */
import type { When } from '../schedule/when.ts';

export type MediaKind =
  | 'internal-disk'
  | 'external-disk'
  | 'nas'
  | 'cloud'
  | 'phone'
  | 'memory-card'
  | 'optical'
  | 'tape';

export type SourceType = 'local' | 'icloud-export' | 'google-takeout';

export interface SourceConfig {
  readonly name: string;
  readonly type: SourceType;
  /** Absolute path of the folder (for google-takeout possibly one archive file). */
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
  /** Bytes photosync may fill here (the smaller of this and the free space the remote reports wins); null when unset. */
  readonly quotaBytes: number | null;
  readonly include: readonly string[] | null;
  readonly exclude: readonly string[];
}

export interface LocalRemoteConfig extends RemoteCommon {
  readonly type: 'local';
  /** Absolute path of the destination folder. */
  readonly path: string;
}

export interface WebdavRemoteConfig extends RemoteCommon {
  readonly type: 'webdav';
  readonly url: string;
  readonly username: string | null;
  /** Environment variable holding the password; else the keychain. */
  readonly passwordEnv: string | null;
  readonly verify: 'readback' | 'size';
  /** How long a connection may stay silent before it is dropped and the request retried, ms. */
  readonly timeoutMs: number;
}

export interface S3RemoteConfig extends RemoteCommon {
  readonly type: 's3';
  readonly bucket: string;
  /** Key prefix, without leading slash, ending in "/" unless empty. */
  readonly prefix: string;
  readonly region: string;
  readonly endpoint: string | null;
  readonly forcePathStyle: boolean;
  readonly profile: string | null;
  readonly storageClass: string | null;
  /** Whether the store honours If-None-Match: * (null: find out). */
  readonly conditionalWrites: boolean | null;
  /** How long a connection may stay silent before it is dropped and the request retried, ms. */
  readonly timeoutMs: number;
}

export type TokenStoreKind = 'keychain' | 'file';

interface OAuthRemote extends RemoteCommon {
  readonly clientId: string;
  readonly tokenStore: TokenStoreKind;
  readonly apiUrl: string | null;
  readonly authUrl: string | null;
  readonly tokenUrl: string | null;
}

export interface GdriveRemoteConfig extends OAuthRemote {
  readonly type: 'gdrive';
  /** Folder path under My Drive, "/"-separated, no leading slash. */
  readonly folder: string;
}

export interface DropboxRemoteConfig extends OAuthRemote {
  readonly type: 'dropbox';
  /** Absolute Dropbox path ("/Photos"), no trailing slash. */
  readonly path: string;
  readonly uploadSessionThreshold: number;
}

export interface OnedriveRemoteConfig extends OAuthRemote {
  readonly type: 'onedrive';
  /** Absolute drive path ("/Photos"), no trailing slash. */
  readonly path: string;
  readonly tenant: string;
  readonly driveType: 'personal' | 'business';
}

export type RemoteConfig =
  | LocalRemoteConfig
  | WebdavRemoteConfig
  | S3RemoteConfig
  | GdriveRemoteConfig
  | DropboxRemoteConfig
  | OnedriveRemoteConfig;

export type RemoteType = RemoteConfig['type'];

export interface BackupPolicy {
  readonly copies: number;
  readonly media: number;
  readonly offsite: number;
}

/** A scheduled `photosync verify` (the config's `verify:`), installed by `photosync schedule`. */
export interface VerifySchedule {
  readonly when: When;
  /** Share of each remote's files checked per run, as `photosync verify --sample` takes it ("5%"); null: all. */
  readonly sample: string | null;
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
  /** Not part of `hash`: when verify runs does not change what a plan does. */
  readonly verify: VerifySchedule | null;
}

export const DEFAULT_LAYOUT = '{year}/{month}/{name}';
