/**
 * Turns a schema-valid config value into the typed Config: absolute paths, defaults filled in,
 * and the checks a schema cannot express (layout tokens, a remote inside a source).
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseLayout } from '../planner/layout.ts';
import type { DocPath } from './document.ts';
import { isInside } from '../paths.ts';
import { parseDuration, parseSize } from '../units.ts';
import { parseWhen } from '../schedule/when.ts';
import {
  DEFAULT_LAYOUT,
  type BackupPolicy,
  type Config,
  type LocalRemoteConfig,
  type MediaKind,
  type RemoteConfig,
  type RemoteType,
  type SourceConfig,
  type SourceType,
  type TokenStoreKind,
  type VerifySchedule,
} from './types.ts';

export interface NormalizeProblem {
  readonly path: DocPath;
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly hint?: string | undefined;
}

/** The raw shapes below are guaranteed by config.schema.json; this module only reads them. */
interface RawSource {
  type: SourceType;
  path: string;
  include?: string[];
  exclude?: string[];
  media?: MediaKind;
  offsite?: boolean;
}

interface RawRemote {
  type: RemoteType;
  layout?: string;
  media?: MediaKind;
  offsite?: boolean;
  transfers?: number;
  quota?: string;
  include?: string[];
  exclude?: string[];
  // per type
  path?: string;
  url?: string;
  username?: string;
  password_env?: string;
  verify?: 'readback' | 'size';
  bucket?: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  profile?: string;
  storageClass?: string;
  conditionalWrites?: boolean;
  timeout?: string;
  folder?: string;
  client_id?: string;
  token_store?: TokenStoreKind;
  api_url?: string;
  auth_url?: string;
  token_url?: string;
  upload_session_threshold?: string;
  tenant?: string;
  drive_type?: 'personal' | 'business';
}

interface RawConfig {
  version: 1;
  state?: string;
  layout?: string;
  policy?: Partial<BackupPolicy>;
  verify?: { every: string; at?: string; sample?: string };
  sources: Record<string, RawSource>;
  remotes: Record<string, RawRemote>;
}

/** Where each kind of remote usually lives (for the 3-2-1 count) and how many files it takes at once, when the config does not say. */
export const REMOTE_DEFAULTS: Record<RemoteType, { media: MediaKind; offsite: boolean; transfers: number }> = {
  // Local copies run in worker threads; a deeper queue keeps them busy between small files.
  local: { media: 'external-disk', offsite: false, transfers: 16 },
  webdav: { media: 'nas', offsite: false, transfers: 8 },
  s3: { media: 'cloud', offsite: true, transfers: 8 },
  gdrive: { media: 'cloud', offsite: true, transfers: 4 },
  dropbox: { media: 'cloud', offsite: true, transfers: 4 },
  onedrive: { media: 'cloud', offsite: true, transfers: 4 },
};

export interface NormalizeContext {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
}

export function normalizeConfig(
  value: unknown,
  ctx: NormalizeContext,
): { config: Config; problems: NormalizeProblem[] } {
  const raw = value as RawConfig;
  const problems: NormalizeProblem[] = [];
  const baseDir = path.dirname(ctx.file);
  const resolve = (p: string): string => resolvePath(p, baseDir);

  const defaultLayout = raw.layout ?? DEFAULT_LAYOUT;
  if (raw.layout !== undefined) checkLayout(raw.layout, ['layout'], problems);

  const sources: SourceConfig[] = Object.entries(raw.sources).map(([name, s]) => ({
    name,
    type: s.type,
    path: resolve(s.path),
    include: s.include ?? null,
    exclude: s.exclude ?? [],
    media: s.media ?? 'internal-disk',
    offsite: s.offsite ?? false,
  }));

  const remotes: RemoteConfig[] = Object.entries(raw.remotes).map(([name, r]) => {
    if (r.layout !== undefined) checkLayout(r.layout, ['remotes', name, 'layout'], problems);
    if (r.timeout !== undefined && (parseDuration(r.timeout) ?? 0) < 1000) {
      problems.push({ path: ['remotes', name, 'timeout'], at: 'value', message: `a timeout of ${r.timeout} gives up on every server`, hint: 'write at least 1s; the default is 5m' });
    }
    return normalizeRemote(name, r, defaultLayout, resolve, ctx.env);
  });

  checkOverlaps(sources, remotes, problems);

  const policy: BackupPolicy = {
    copies: raw.policy?.copies ?? 3,
    media: raw.policy?.media ?? 2,
    offsite: raw.policy?.offsite ?? 1,
  };
  const statePath = raw.state !== undefined ? resolve(raw.state) : defaultStatePath(ctx.env);
  const hashed = { statePath, policy, sources, remotes };
  const hash = createHash('sha256').update(canonicalJson(hashed)).digest('hex');
  const verify = raw.verify === undefined ? null : normalizeVerify(raw.verify, problems);
  return { config: { file: ctx.file, hash, ...hashed, verify }, problems };
}

/** The verify job runs at 04:30 unless told otherwise: away from a nightly apply's usual hour. */
const VERIFY_AT = '04:30';

function normalizeVerify(raw: NonNullable<RawConfig['verify']>, problems: NormalizeProblem[]): VerifySchedule | null {
  const parsed = parseWhen(raw.every, raw.at ?? VERIFY_AT, VERIFY_AT);
  if (!parsed.ok) {
    // The schedule's hint speaks of the command line; here the same setting is a config key.
    const hint = parsed.hint?.replace('--at HH:MM', 'at: HH:MM').replace('--every', 'every:');
    problems.push({ path: ['verify', parsed.field], at: 'value', message: parsed.message, hint });
  }
  const sample = raw.sample?.trim() ?? null;
  if (sample !== null && Number.parseFloat(sample) <= 0) {
    problems.push({ path: ['verify', 'sample'], at: 'value', message: `a sample of ${sample} checks nothing`, hint: 'write a share above 0%, e.g. 5%, or leave sample out to check everything' });
  }
  return parsed.ok ? { when: parsed.when, sample } : null;
}

/** rclone's --timeout: long enough for a NAS that spins its disks up, short enough to notice a dead link. */
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

function timeoutMs(r: RawRemote): number {
  return (r.timeout !== undefined ? parseDuration(r.timeout) : null) ?? DEFAULT_TIMEOUT_MS;
}

function normalizeRemote(
  name: string,
  r: RawRemote,
  defaultLayout: string,
  resolve: (p: string) => string,
  env: NodeJS.ProcessEnv,
): RemoteConfig {
  const defaults = REMOTE_DEFAULTS[r.type];
  const common = {
    name,
    layout: r.layout ?? defaultLayout,
    media: r.media ?? defaults.media,
    offsite: r.offsite ?? defaults.offsite,
    transfers: r.transfers ?? defaults.transfers,
    quotaBytes: r.quota !== undefined ? parseSize(r.quota) : null,
    include: r.include ?? null,
    exclude: r.exclude ?? [],
  };
  const oauth = () => ({
    clientId: r.client_id!,
    tokenStore: r.token_store ?? 'keychain',
    apiUrl: r.api_url ?? null,
    authUrl: r.auth_url ?? null,
    tokenUrl: r.token_url ?? null,
  });
  switch (r.type) {
    case 'local':
      return { ...common, type: 'local', path: resolve(r.path!) };
    case 'webdav':
      return {
        ...common,
        type: 'webdav',
        url: r.url!.replace(/\/+$/, ''),
        username: r.username ?? null,
        passwordEnv: r.password_env ?? null,
        verify: r.verify ?? 'readback',
        timeoutMs: timeoutMs(r),
      };
    case 's3': {
      const prefix = (r.prefix ?? '').replace(/^\/+/, '');
      return {
        ...common,
        type: 's3',
        bucket: r.bucket!,
        prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
        // The AWS tools' own order: the config, then the environment, then the SDK's default region.
        region: r.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
        endpoint: r.endpoint ?? null,
        forcePathStyle: r.forcePathStyle ?? r.endpoint !== undefined,
        profile: r.profile ?? null,
        storageClass: r.storageClass ?? null,
        conditionalWrites: r.conditionalWrites ?? null,
        timeoutMs: timeoutMs(r),
      };
    }
    case 'gdrive':
      return { ...common, ...oauth(), type: 'gdrive', folder: r.folder!.replace(/^\/+|\/+$/g, '') };
    case 'dropbox':
      return {
        ...common,
        ...oauth(),
        type: 'dropbox',
        path: r.path!.replace(/\/+$/, ''),
        uploadSessionThreshold: r.upload_session_threshold !== undefined ? (parseSize(r.upload_session_threshold) ?? 0) : 8 * 1024 * 1024,
      };
    case 'onedrive': {
      const driveType = r.drive_type ?? 'personal';
      return {
        ...common,
        ...oauth(),
        type: 'onedrive',
        path: r.path!.replace(/\/+$/, ''),
        driveType,
        tenant: r.tenant ?? (driveType === 'personal' ? 'consumers' : 'organizations'),
      };
    }
  }
}

function checkLayout(layout: string, at: DocPath, problems: NormalizeProblem[]): void {
  const parsed = parseLayout(layout);
  if (!parsed.ok) problems.push({ path: at, at: 'value', message: parsed.message, hint: parsed.hint });
}

/** A remote inside a source would back itself up forever; a source inside a remote is a mix-up. */
function checkOverlaps(
  sources: readonly SourceConfig[],
  remotes: readonly RemoteConfig[],
  problems: NormalizeProblem[],
): void {
  const folders = remotes.filter((r): r is LocalRemoteConfig => r.type === 'local');
  for (const remote of folders) {
    for (const source of sources) {
      if (isInside(remote.path, source.path) || isInside(source.path, remote.path)) {
        problems.push({
          path: ['remotes', remote.name, 'path'],
          at: 'value',
          message: `remote "${remote.name}" (${remote.path}) overlaps source "${source.name}" (${source.path})`,
          hint: 'put backups outside the folders being backed up',
        });
      }
    }
  }
  const seen = new Map<string, string>();
  for (const remote of folders) {
    const other = seen.get(remote.path);
    if (other !== undefined) {
      problems.push({
        path: ['remotes', remote.name, 'path'],
        at: 'value',
        message: `remotes "${other}" and "${remote.name}" are the same folder`,
        hint: 'a copy counts once; give each remote its own place',
      });
    }
    seen.set(remote.path, remote.name);
  }
}

export function resolvePath(p: string, baseDir: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return path.join(homedir(), p.slice(2));
  return path.resolve(baseDir, p);
}

/** $PHOTOSYNC_STATE_DIR, else the platform's per-user state directory. */
export function defaultStatePath(env: NodeJS.ProcessEnv): string {
  const dir = env['PHOTOSYNC_STATE_DIR'];
  if (dir) return path.join(path.resolve(dir), 'photosync.db');
  if (process.platform === 'win32' && env['LOCALAPPDATA']) {
    return path.join(env['LOCALAPPDATA'], 'photosync', 'photosync.db');
  }
  if (process.platform === 'darwin') {
    return path.join(homedir(), 'Library', 'Application Support', 'photosync', 'photosync.db');
  }
  const xdg = env['XDG_STATE_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.local', 'state');
  return path.join(base, 'photosync', 'photosync.db');
}

/** JSON with sorted keys, so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
