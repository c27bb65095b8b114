import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceLogin } from '../../src/auth/device-flow.ts';
import { loopbackLogin } from '../../src/auth/loopback-flow.ts';
import { providerFor, type OAuthProvider } from '../../src/auth/providers.ts';
import { memoryStore } from '../../src/auth/secret-store.ts';
import { clientSecretEnvVar, OAuthTokenSource, refreshTokenEnvVar, saveGrant } from '../../src/auth/tokens.ts';
import type { OnedriveRemoteConfig } from '../../src/config/types.ts';
import { AuthError } from '../../src/errors.ts';
import { startOAuthEmulator, type OAuthEmulator } from '../helpers/emulators/oauth.ts';
import { CLOUD_REMOTE_COMMON } from '../helpers/remote-fixtures.ts';

function onedrive(emu: OAuthEmulator): OnedriveRemoteConfig {
  return {
    name: 'od',
    type: 'onedrive',
    path: '/Photos',
    clientId: 'client-1',
    tenant: 'consumers',
    driveType: 'personal',
    tokenStore: 'keychain',
    apiUrl: null,
    authUrl: emu.authorizeUrl,
    tokenUrl: emu.tokenUrl,
    ...CLOUD_REMOTE_COMMON,
  };
}

/** The test plays the browser: it follows the authorize URL, which redirects to photosync's loopback. */
async function browse(url: string): Promise<void> {
  const approve = await fetch(url, { redirect: 'manual' });
  await fetch(approve.headers.get('location')!);
}

describe('auth: OAuth', () => {
  let emu: OAuthEmulator;
  let provider: OAuthProvider;
  beforeEach(async () => {
    emu = await startOAuthEmulator({ rotate: true, expiresIn: 3600 });
    provider = providerFor(onedrive(emu));
  });
  afterEach(() => emu.close());

  it('signs in with PKCE through the loopback redirect', async () => {
    let opened = '';
    const grant = await loopbackLogin({ provider, clientId: 'client-1', port: 0, onAuthorizeUrl: (url) => void browse((opened = url)) });
    const authorize = new URL(opened);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(authorize.searchParams.get('scope')).toBe('Files.ReadWrite offline_access');
    const exchange = emu.tokenRequests[0]!;
    expect(exchange['grant_type']).toBe('authorization_code');
    expect(exchange['code_verifier']).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(emu.validRefreshTokens.has(grant.refreshToken)).toBe(true);
    expect(grant.accessToken).toMatch(/^at-/);
  });

  it('accepts the address the browser ended on, pasted, when the browser is elsewhere', async () => {
    let paste!: (url: string) => void;
    const shown = new Promise<string>((resolve) => (paste = resolve));
    async function* pasted(): AsyncIterable<string> {
      // The browser on another machine approves; its redirect to this machine's loopback goes nowhere,
      // so the user copies the address it ended on.
      const approve = await fetch(await shown, { redirect: 'manual' });
      yield 'not a url';
      yield approve.headers.get('location')!;
    }
    const grant = await loopbackLogin({ provider, clientId: 'client-1', port: 0, onAuthorizeUrl: (url) => paste(url), pasted: pasted() });
    expect(grant.refreshToken).toMatch(/^rt-/);
  });

  it('refuses a redirect with another state, and reports a denial', async () => {
    emu.authorizeOutcome = 'access_denied';
    await expect(loopbackLogin({ provider, clientId: 'client-1', port: 0, onAuthorizeUrl: (url) => void browse(url) })).rejects.toThrow(/access_denied/);
    emu.authorizeOutcome = 'approve';
    const forged = loopbackLogin({
      provider,
      clientId: 'client-1',
      port: 0,
      onAuthorizeUrl: (url) => {
        const back = new URL(new URL(url).searchParams.get('redirect_uri')!);
        back.searchParams.set('code', 'stolen');
        back.searchParams.set('state', 'someone-elses');
        void fetch(back.href.replace('localhost', '127.0.0.1'));
      },
    });
    await expect(forged).rejects.toThrow(/did not carry this sign-in’s state/);
  });

  it('signs in with a device code, polling through "pending" and "slow_down"', async () => {
    let shown = '';
    const login = deviceLogin({
      provider,
      clientId: 'client-1',
      onUserCode: ({ userCode, verificationUri }) => {
        shown = `${verificationUri} ${userCode}`;
        emu.approveDeviceAfter(2);
      },
      sleep: async () => {},
    });
    const grant = await login;
    expect(shown).toMatch(/activate WDJB-MJHT$/);
    expect(emu.tokenRequests.filter((r) => r['grant_type']?.includes('device_code'))).toHaveLength(3);
    expect(grant.refreshToken).toMatch(/^rt-/);
  });

  it('refreshes before expiry, stores a rotated refresh token at once, and refreshes once for many callers', async () => {
    const grant = await loopbackLogin({ provider, clientId: 'client-1', port: 0, onAuthorizeUrl: (url) => void browse(url) });
    const store = memoryStore();
    await saveGrant(store, 'od', { ...grant, expiresAt: Date.now() + 60_000 }); // inside the early-refresh window
    const source = new OAuthTokenSource(onedrive(emu), store, { env: {} });
    const tokens = await Promise.all([source.get(), source.get(), source.get()]);
    expect(new Set(tokens).size).toBe(1);
    expect(emu.tokenRequests.filter((r) => r['grant_type'] === 'refresh_token')).toHaveLength(1);
    const stored = JSON.parse((await store.get('od'))!) as { refreshToken: string; accessToken: string };
    expect(stored.refreshToken).not.toBe(grant.refreshToken);
    expect(emu.validRefreshTokens.has(stored.refreshToken)).toBe(true);
    expect(stored.accessToken).toBe(tokens[0]);
    // Fresh enough now: no second refresh; after a 401 the caller forces one.
    expect(await source.get()).toBe(tokens[0]);
    expect(await source.refresh()).not.toBe(tokens[0]);
  });

  it('says which command to run when the grant is gone or revoked', async () => {
    const source = new OAuthTokenSource(onedrive(emu), memoryStore(), { env: {} });
    await expect(source.get()).rejects.toThrow(AuthError);
    await expect(source.get()).rejects.toMatchObject({ hint: expect.stringContaining('photosync auth login od') });

    const store = memoryStore();
    await saveGrant(store, 'od', { provider: 'microsoft', clientId: 'client-1', refreshToken: 'rt-revoked', accessToken: null, expiresAt: null, obtainedAt: 0 });
    const revoked = new OAuthTokenSource(onedrive(emu), store, { env: {} });
    await expect(revoked.get()).rejects.toThrow(/has expired or was revoked/);
  });

  it('takes a refresh token from the environment on a machine without a keychain', async () => {
    const grant = await loopbackLogin({ provider, clientId: 'client-1', port: 0, onAuthorizeUrl: (url) => void browse(url) });
    const store = memoryStore();
    const source = new OAuthTokenSource(onedrive(emu), store, { env: { [refreshTokenEnvVar('od')]: grant.refreshToken } });
    expect(await source.get()).toMatch(/^at-/);
    expect(await store.get('od')).toBeNull(); // nothing written where the user did not ask
    expect(refreshTokenEnvVar('my-drive.2')).toBe('PHOTOSYNC_MY_DRIVE_2_REFRESH_TOKEN');
  });

  it('sends the client secret from the environment with a refresh token from it, for clients that need one', async () => {
    const google = await startOAuthEmulator({ clientSecret: 'not-so-secret' });
    try {
      const config = onedrive(google);
      const grant = await loopbackLogin({ provider: providerFor(config), clientId: 'client-1', clientSecret: 'not-so-secret', port: 0, onAuthorizeUrl: (url) => void browse(url) });
      const env = { [refreshTokenEnvVar('od')]: grant.refreshToken };
      await expect(new OAuthTokenSource(config, memoryStore(), { env }).get()).rejects.toThrow(AuthError);
      const withSecret = new OAuthTokenSource(config, memoryStore(), { env: { ...env, [clientSecretEnvVar('od')]: 'not-so-secret' } });
      expect(await withSecret.get()).toMatch(/^at-/);
    } finally {
      await google.close();
    }
  });
});
