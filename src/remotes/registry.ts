/**
 * Every kind of remote, by its config `type`. Each kind's module is loaded only when a config
 * uses it (the SDKs are heavy), and `satisfies` makes the table complete at compile time.
 */
import type { RemoteConfig, RemoteType } from '../config/types.ts';
import type { Remote } from './types.ts';

export interface RemoteContext {
  /** photosync has never recorded anything on this remote (it may create its root folder). */
  readonly firstUse: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface RemoteDefinition<C extends RemoteConfig> {
  /** What the remote is (type + place), stable across renames; keys its inventory in the state. */
  identity(config: C): string;
  create(config: C, context: RemoteContext): Promise<Remote>;
}

type ConfigOf<T extends RemoteType> = Extract<RemoteConfig, { type: T }>;

const kinds = {
  local: () => import('./local/index.ts'),
} satisfies { [T in RemoteType]: () => Promise<{ definition: RemoteDefinition<ConfigOf<T>> }> };

async function definitionOf<T extends RemoteType>(type: T): Promise<RemoteDefinition<ConfigOf<T>>> {
  const module = await kinds[type]();
  return module.definition as RemoteDefinition<ConfigOf<T>>;
}

export async function remoteIdentity(config: RemoteConfig): Promise<string> {
  return (await definitionOf(config.type)).identity(config);
}

export async function createRemote(config: RemoteConfig, context: RemoteContext): Promise<Remote> {
  return (await definitionOf(config.type)).create(config, context);
}

export const REMOTE_TYPES = Object.keys(kinds) as RemoteType[];
