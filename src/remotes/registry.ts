/**
 * Every kind of remote, by its config `type`. Each kind's module is loaded only when a config
 * uses it (the SDKs are heavy). test/remotes/registry.test.ts checks that every type the config
 * schema accepts has its module here.
 */
import type { RemoteConfig, RemoteType } from '../config/types.ts';
import type { SecretStore } from '../auth/secret-store.ts';
import type { Remote } from './types.ts';

export interface RemoteContext {
  /** photosync has never recorded anything on this remote (it may create its root folder). */
  readonly firstUse: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Where passwords and OAuth tokens live (OS keychain, or the 0600 file store), by remote name. */
  readonly secrets: (kind: 'keychain' | 'file') => SecretStore;
}

export interface RemoteDefinition<C extends RemoteConfig> {
  create(config: C, context: RemoteContext): Promise<Remote>;
}

type ConfigOf<T extends RemoteType> = Extract<RemoteConfig, { type: T }>;
type Loader<T extends RemoteType> = () => Promise<{ definition: RemoteDefinition<ConfigOf<T>> }>;

export const REMOTE_KINDS: { readonly [T in RemoteType]?: Loader<T> } = {
  local: () => import('./local/index.ts'),
  s3: () => import('./s3/index.ts'),
  gdrive: () => import('./gdrive/index.ts'),
  dropbox: () => import('./dropbox/index.ts'),
  onedrive: () => import('./onedrive/index.ts'),
  webdav: () => import('./webdav/index.ts'),
};

async function definitionOf<T extends RemoteType>(type: T): Promise<RemoteDefinition<ConfigOf<T>>> {
  const load = REMOTE_KINDS[type] as Loader<T> | undefined;
  if (!load) throw new Error(`no remote implementation registered for type ${type}`);
  return (await load()).definition;
}

export async function createRemote(config: RemoteConfig, context: RemoteContext): Promise<Remote> {
  return (await definitionOf(config.type)).create(config as never, context);
}
