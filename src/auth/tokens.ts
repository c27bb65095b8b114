/**
 * OAuth grants and the access tokens cut from them. A grant (refresh token, last access token and
 * its expiry) is stored as JSON in the remote's secret store under the remote's name. Access
 * tokens are refreshed shortly before they expire, or at once after the service said 401; one
 * refresh at a time per remote. A refresh token the provider rotates is written back before the
 * new access token is used. Tokens never reach the config, the plan, the state or a log.
 */
import { AuthError } from '../errors.ts';
import { providerFor, type OAuthProvider, type OAuthRemoteConfig } from './providers.ts';
import type { SecretStore } from './secret-store.ts';
import { postToken } from './token-endpoint.ts';

export interface Grant {
  readonly provider: OAuthProvider['name'];
  readonly clientId: string;
  readonly refreshToken: string;
  readonly accessToken: string | null;
  /** Epoch ms, or null when unknown. */
  readonly expiresAt: number | null;
  readonly scope?: string | undefined;
  /** For providers that issue a client secret to desktop apps (Google); optional. */
  readonly clientSecret?: string | undefined;
  readonly obtainedAt: number;
}

/** What a cloud remote asks for a bearer token. */
export interface AccessTokenProvider {
  /** A valid access token, refreshed when close to expiry. */
  get(): Promise<string>;
  /** The service rejected the token: get a new one now (at most one refresh in flight). */
  refresh(): Promise<string>;
}

/** Refresh this long before the stated expiry, so a token never expires mid-request. */
const EARLY_REFRESH_MS = 5 * 60 * 1000;

export function loginHint(remote: string): string {
  return `run "photosync auth login ${remote}" (on a machine without a browser: add --no-browser)`;
}

/** The environment variable that may hold a remote's refresh token on a machine without a keychain. */
export function refreshTokenEnvVar(remote: string): string {
  return `PHOTOSYNC_${envName(remote)}_REFRESH_TOKEN`;
}

/**
 * The environment variable that may hold the OAuth client's secret, for clients that have one
 * (Google's Desktop-app clients need it to refresh a token, though it protects nothing).
 */
export function clientSecretEnvVar(remote: string): string {
  return `PHOTOSYNC_${envName(remote)}_CLIENT_SECRET`;
}

function envName(remote: string): string {
  return remote.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export interface TokenSourceOptions {
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly env?: NodeJS.ProcessEnv;
}

export class OAuthTokenSource implements AccessTokenProvider {
  private readonly remote: string;
  private readonly config: OAuthRemoteConfig;
  private readonly provider: OAuthProvider;
  private readonly store: SecretStore;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly env: NodeJS.ProcessEnv;
  private grant: Grant | null | undefined;
  private inFlight: Promise<string> | null = null;

  constructor(config: OAuthRemoteConfig, store: SecretStore, options: TokenSourceOptions = {}) {
    this.remote = config.name;
    this.config = config;
    this.provider = providerFor(config);
    this.store = store;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.env = options.env ?? process.env;
  }

  async get(): Promise<string> {
    const grant = await this.load();
    if (grant.accessToken && grant.expiresAt !== null && grant.expiresAt - EARLY_REFRESH_MS > this.now()) return grant.accessToken;
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async load(): Promise<Grant> {
    if (this.grant === undefined) {
      const fromEnv = this.env[refreshTokenEnvVar(this.remote)];
      if (fromEnv) {
        const clientSecret = this.env[clientSecretEnvVar(this.remote)] || undefined;
        this.grant = {
          provider: this.provider.name,
          clientId: this.config.clientId,
          refreshToken: fromEnv,
          accessToken: null,
          expiresAt: null,
          obtainedAt: 0,
          ...(clientSecret ? { clientSecret } : {}),
        };
      } else {
        this.grant = await readGrant(this.store, this.remote);
      }
    }
    if (!this.grant) {
      throw new AuthError(`remote "${this.remote}" is not signed in (nothing in ${this.store.description})`, { hint: loginHint(this.remote) });
    }
    if (this.grant.clientId !== this.config.clientId) {
      throw new AuthError(`remote "${this.remote}" was signed in with another client_id`, { hint: loginHint(this.remote) });
    }
    return this.grant;
  }

  private async doRefresh(): Promise<string> {
    const grant = await this.load();
    const params: Record<string, string> = { grant_type: 'refresh_token', refresh_token: grant.refreshToken, client_id: grant.clientId };
    if (grant.clientSecret) params['client_secret'] = grant.clientSecret;
    const { status, body } = await postToken(this.provider, params, this.fetchImpl);
    if (status !== 200 || typeof body.access_token !== 'string') {
      const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
      throw new AuthError(
        error === 'invalid_grant'
          ? `the sign-in of remote "${this.remote}" has expired or was revoked`
          : `refreshing the sign-in of remote "${this.remote}" failed (${error})`,
        { hint: loginHint(this.remote) },
      );
    }
    const next: Grant = {
      ...grant,
      accessToken: body.access_token,
      expiresAt: typeof body.expires_in === 'number' ? this.now() + body.expires_in * 1000 : null,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : grant.refreshToken,
      obtainedAt: this.now(),
    };
    // Written before use: a rotated refresh token lost to a crash would end the grant.
    if (!this.env[refreshTokenEnvVar(this.remote)]) await this.store.set(this.remote, JSON.stringify(next));
    this.grant = next;
    return body.access_token;
  }
}

export async function saveGrant(store: SecretStore, remote: string, grant: Grant): Promise<void> {
  await store.set(remote, JSON.stringify(grant));
}

export async function readGrant(store: SecretStore, remote: string): Promise<Grant | null> {
  const text = await store.get(remote);
  if (!text) return null;
  try {
    return JSON.parse(text) as Grant;
  } catch (err) {
    throw new AuthError(`the sign-in of remote "${remote}" in ${store.description} is damaged (not JSON)`, { hint: loginHint(remote), cause: err });
  }
}
