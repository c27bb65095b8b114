/**
 * The OAuth facts of each provider photosync signs in to: endpoints, minimal scopes, and what the
 * provider does with refresh tokens. From ../shared/docs/cloud-apis.md §1.7, §2.7, §3.7.
 */
import type { DropboxRemoteConfig, GdriveRemoteConfig, OnedriveRemoteConfig } from '../config/types.ts';

export type OAuthRemoteConfig = GdriveRemoteConfig | DropboxRemoteConfig | OnedriveRemoteConfig;

export interface OAuthProvider {
  readonly name: 'google' | 'dropbox' | 'microsoft';
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /** Device-code endpoint, where the provider offers that flow for these scopes. */
  readonly deviceCodeUrl: string | null;
  readonly scopes: readonly string[];
  /** Extra authorize parameters (offline access, consent). */
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** Loopback host the provider accepts in redirect URIs. */
  readonly loopbackHost: '127.0.0.1' | 'localhost';
  /** The provider may send a new refresh token on refresh; it must be stored at once (Microsoft always does). */
  readonly rotatesRefreshTokens: boolean;
}

export function providerFor(config: OAuthRemoteConfig): OAuthProvider {
  switch (config.type) {
    case 'gdrive': {
      const tokenUrl = config.tokenUrl ?? 'https://oauth2.googleapis.com/token';
      return {
        name: 'google',
        authorizeUrl: config.authUrl ?? 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl,
        // Google's device flow allows drive.file, which is the scope photosync asks for; it lives beside the token endpoint.
        deviceCodeUrl: new URL('/device/code', tokenUrl).href,
        scopes: ['https://www.googleapis.com/auth/drive.file'],
        authorizeParams: { access_type: 'offline', prompt: 'consent' },
        loopbackHost: '127.0.0.1',
        rotatesRefreshTokens: false,
      };
    }
    case 'dropbox':
      return {
        name: 'dropbox',
        authorizeUrl: config.authUrl ?? 'https://www.dropbox.com/oauth2/authorize',
        tokenUrl: config.tokenUrl ?? 'https://api.dropboxapi.com/oauth2/token',
        deviceCodeUrl: null, // Dropbox offers no device flow
        scopes: ['files.content.write', 'files.content.read', 'files.metadata.read', 'account_info.read'],
        authorizeParams: { token_access_type: 'offline' },
        loopbackHost: '127.0.0.1',
        rotatesRefreshTokens: false,
      };
    case 'onedrive': {
      const base = `https://login.microsoftonline.com/${config.tenant}/oauth2/v2.0`;
      const tokenUrl = config.tokenUrl ?? `${base}/token`;
      return {
        name: 'microsoft',
        authorizeUrl: config.authUrl ?? `${base}/authorize`,
        tokenUrl,
        // .../oauth2/v2.0/token → .../oauth2/v2.0/devicecode
        deviceCodeUrl: tokenUrl.replace(/token$/, 'devicecode'),
        scopes: ['Files.ReadWrite', 'offline_access'],
        authorizeParams: {},
        // Microsoft matches http://localhost redirects ignoring the port; 127.0.0.1 is refused by some clients.
        loopbackHost: 'localhost',
        rotatesRefreshTokens: true,
      };
    }
  }
}
