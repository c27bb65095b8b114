/** OneDrive remotes wired to the emulator: a signed-in grant in a memory store, the emulator's trusted fetch. */
import { OAuthTokenSource, type Grant } from '../../src/auth/tokens.ts';
import { memoryStore, type SecretStore } from '../../src/auth/secret-store.ts';
import type { OnedriveRemoteConfig } from '../../src/config/types.ts';
import { OneDriveRemote } from '../../src/remotes/onedrive/index.ts';
import { FRAGMENT_UNIT, type UploadSettings } from '../../src/remotes/onedrive/upload.ts';
import type { OneDriveEmulator } from './emulators/onedrive.ts';
import { CLOUD_REMOTE_COMMON } from './remote-fixtures.ts';

/** Small sizes so that a file of a few hundred KiB already takes several fragments. */
export const SMALL_UPLOADS: UploadSettings = { fragmentBytes: FRAGMENT_UNIT, simpleUploadMax: 512 * 1024 };

let folders = 0;

export function onedriveConfig(emu: OneDriveEmulator, overrides: Partial<OnedriveRemoteConfig> = {}): OnedriveRemoteConfig {
  return {
    ...CLOUD_REMOTE_COMMON,
    name: 'od',
    type: 'onedrive',
    clientId: emu.clientId,
    tokenStore: 'keychain',
    apiUrl: emu.apiUrl,
    authUrl: null,
    tokenUrl: emu.tokenUrl,
    path: `/Photos ${++folders}`,
    tenant: emu.drive.driveType === 'personal' ? 'consumers' : 'organizations',
    driveType: emu.drive.driveType,
    ...overrides,
  };
}

export function signedInStore(emu: OneDriveEmulator, name = 'od', refreshToken = emu.issueRefreshToken()): SecretStore {
  const grant: Grant = { provider: 'microsoft', clientId: emu.clientId, refreshToken, accessToken: null, expiresAt: null, obtainedAt: 0 };
  return memoryStore({ [name]: JSON.stringify(grant) });
}

export interface TestRemoteOptions {
  readonly config?: OnedriveRemoteConfig;
  readonly store?: SecretStore;
  readonly upload?: Partial<UploadSettings>;
  readonly mayCreateRoot?: boolean;
}

export function onedriveRemote(emu: OneDriveEmulator, options: TestRemoteOptions = {}): OneDriveRemote {
  const config = options.config ?? onedriveConfig(emu);
  const store = options.store ?? signedInStore(emu, config.name);
  return new OneDriveRemote(config, {
    tokens: new OAuthTokenSource(config, store, { fetch: emu.fetch, env: {} }),
    fetch: emu.fetch,
    mayCreateRoot: options.mayCreateRoot ?? true,
    upload: options.upload ?? SMALL_UPLOADS,
  });
}
