/**
 * The Microsoft identity platform's token endpoint, as far as photosync uses it (cloud-apis.md
 * §3.7): refresh_token grants only; every use hands out a new refresh token ("refresh tokens
 * replace themselves with a fresh token upon every use"); the old one stays valid, as Microsoft
 * documents, unless `revokeUsedRefreshTokens` is set to prove the new one is what gets used.
 * An unknown refresh token is invalid_grant.
 */
import { randomBytes } from 'node:crypto';

export class EmulatedIdentity {
  readonly clientId = 'photosync-test-client';
  /** Refresh tokens handed out, newest last. */
  readonly refreshTokens: string[] = [];
  revokeUsedRefreshTokens: boolean;
  private readonly activeRefresh = new Set<string>();
  private readonly accessTokens = new Set<string>();

  constructor(revokeUsedRefreshTokens: boolean) {
    this.revokeUsedRefreshTokens = revokeUsedRefreshTokens;
  }

  /** A refresh token as a sign-in would have stored it. */
  issueRefreshToken(): string {
    const token = `rt-${randomBytes(9).toString('base64url')}`;
    this.activeRefresh.add(token);
    this.refreshTokens.push(token);
    return token;
  }

  isValidAccessToken(token: string): boolean {
    return this.accessTokens.has(token);
  }

  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** POST /{tenant}/oauth2/v2.0/token with a form body. */
  token(form: URLSearchParams): { status: number; payload: object } {
    if (form.get('client_id') !== this.clientId) return { status: 400, payload: { error: 'unauthorized_client', error_description: 'AADSTS700016: unknown client' } };
    if (form.get('grant_type') !== 'refresh_token') return { status: 400, payload: { error: 'unsupported_grant_type', error_description: 'AADSTS70003' } };
    const used = form.get('refresh_token') ?? '';
    if (!this.activeRefresh.has(used)) {
      return { status: 400, payload: { error: 'invalid_grant', error_description: 'AADSTS70000: The provided grant has expired or was revoked.' } };
    }
    if (this.revokeUsedRefreshTokens) this.activeRefresh.delete(used);
    const accessToken = `at-${randomBytes(12).toString('base64url')}`;
    this.accessTokens.add(accessToken);
    return {
      status: 200,
      payload: {
        token_type: 'Bearer',
        scope: 'Files.ReadWrite offline_access',
        expires_in: 3600,
        ext_expires_in: 3600,
        access_token: accessToken,
        refresh_token: this.issueRefreshToken(),
      },
    };
  }
}
