/** A Dropbox remote wired to the loopback emulator, signed in through photosync's own token source. */
import { OAuthTokenSource, type Grant } from '../../src/auth/tokens.ts';
import { memoryStore, type SecretStore } from '../../src/auth/secret-store.ts';
import type { DropboxRemoteConfig } from '../../src/config/types.ts';
import { DropboxRemote, type DropboxRemoteOptions } from '../../src/remotes/dropbox/index.ts';
import type { DropboxEmulator } from '../helpers/emulators/dropbox.ts';
import { CLOUD_REMOTE_COMMON } from '../helpers/remote-fixtures.ts';

export { memoryResumeSlot, patterned } from '../helpers/remote-fixtures.ts';

export const MiB = 1024 * 1024;

export function dropboxConfig(emu: DropboxEmulator, overrides: Partial<DropboxRemoteConfig> = {}): DropboxRemoteConfig {
  return {
    name: 'dbx',
    type: 'dropbox',
    path: '/Photos',
    clientId: emu.clientId,
    tokenStore: 'file',
    apiUrl: emu.url,
    authUrl: null,
    tokenUrl: emu.tokenUrl,
    uploadSessionThreshold: MiB,
    ...CLOUD_REMOTE_COMMON,
    ...overrides,
  };
}

/** A secret store holding a grant the emulator knows (or the one given). */
export function signedIn(emu: DropboxEmulator, name = 'dbx', grant?: Partial<Grant>): SecretStore {
  const { refreshToken, accessToken } = emu.grant();
  const full: Grant = {
    provider: 'dropbox',
    clientId: emu.clientId,
    refreshToken,
    accessToken,
    expiresAt: Date.now() + 4 * 3600_000,
    obtainedAt: Date.now(),
    ...grant,
  };
  return memoryStore({ [name]: JSON.stringify(full) });
}

export function dropboxRemote(
  emu: DropboxEmulator,
  options: { config?: Partial<DropboxRemoteConfig>; store?: SecretStore; remote?: Partial<DropboxRemoteOptions> } = {},
): DropboxRemote {
  const config = dropboxConfig(emu, options.config);
  const store = options.store ?? signedIn(emu, config.name);
  return new DropboxRemote(config, {
    tokens: new OAuthTokenSource(config, store, { env: {} }),
    mayCreateRoot: true,
    chunkBytes: MiB,
    batch: { delayMs: 20 },
    ...options.remote,
  });
}
