import { describe, expect, it } from 'vitest';
import { memoryStore, type SecretStore } from '../../../src/auth/secret-store.ts';
import type { WebdavRemoteConfig } from '../../../src/config/types.ts';
import { resolveCredentials } from '../../../src/remotes/webdav/credentials.ts';
import { webdavConfig } from '../../helpers/webdav.ts';

function config(over: Partial<WebdavRemoteConfig> = {}): WebdavRemoteConfig {
  return webdavConfig('http://127.0.0.1:1/dav', { username: 'ann', passwordEnv: 'NAS_PASSWORD', ...over });
}

function context(env: NodeJS.ProcessEnv, store: SecretStore) {
  const asked: string[] = [];
  return {
    asked,
    ctx: {
      firstUse: true,
      env,
      secrets: (kind: 'keychain' | 'file') => {
        asked.push(kind);
        return store;
      },
    },
  };
}

const brokenKeychain: SecretStore = {
  kind: 'keychain',
  description: 'the OS keychain',
  get: async () => {
    throw new Error('Platform secure storage failure: no D-Bus session');
  },
  set: async () => {},
  delete: async () => false,
};

describe('webdav: where the password comes from', () => {
  it('the environment variable named by password_env comes first, and the keychain is not asked', async () => {
    const { ctx, asked } = context({ NAS_PASSWORD: 'from env' }, memoryStore({ nas: 'from keychain' }));
    const c = await resolveCredentials(config(), ctx);
    expect(c.password).toBe('from env');
    expect(c.authHint).toContain('NAS_PASSWORD');
    expect(asked).toEqual([]);
  });

  it('else the OS keychain, under the remote name', async () => {
    const { ctx, asked } = context({}, memoryStore({ nas: 'from keychain' }));
    const c = await resolveCredentials(config(), ctx);
    expect(c.password).toBe('from keychain');
    expect(asked).toEqual(['keychain']);
    expect(c.authHint).toContain('photosync auth set nas');
  });

  it('finding none is not an error yet; the hint names both ways to set it', async () => {
    const none = await resolveCredentials(config(), context({}, memoryStore()).ctx);
    expect(none.password).toBeNull();
    expect(none.authHint).toContain('NAS_PASSWORD is not set');
    expect(none.authHint).toContain('photosync auth set nas');
    const noEnvConfigured = await resolveCredentials(config({ passwordEnv: null }), context({}, memoryStore()).ctx);
    expect(noEnvConfigured.authHint).toContain('password_env');
    expect(noEnvConfigured.authHint).toContain('photosync auth set nas');
  });

  it('a keychain that cannot be read is reported in the hint, not thrown', async () => {
    const c = await resolveCredentials(config(), context({}, brokenKeychain).ctx);
    expect(c.password).toBeNull();
    expect(c.authHint).toContain('no D-Bus session');
  });

  it('without a username nothing is looked up', async () => {
    const { ctx, asked } = context({ NAS_PASSWORD: 'x' }, memoryStore({ nas: 'y' }));
    const c = await resolveCredentials(config({ username: null }), ctx);
    expect(c.password).toBeNull();
    expect(asked).toEqual([]);
    expect(c.authHint).toContain('username');
  });
});
