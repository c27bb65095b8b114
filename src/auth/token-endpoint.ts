/** Calls to a provider's token endpoint (form-encoded, RFC 6749 §4.1.3 / §6 / RFC 8628 §3.4). */
import { AuthError } from '../errors.ts';
import type { Grant } from './tokens.ts';
import type { OAuthProvider } from './providers.ts';

export interface TokenResponse {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly expires_in?: number;
  readonly scope?: string;
  readonly error?: string;
  readonly error_description?: string;
}

export async function postToken(
  provider: OAuthProvider,
  params: Record<string, string>,
  fetchImpl: typeof fetch = fetch,
): Promise<{ status: number; body: Partial<TokenResponse> & Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetchImpl(provider.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(params),
    });
  } catch (err) {
    throw new AuthError(`cannot reach ${provider.name}'s token endpoint (${(err as Error).message})`, { cause: err });
  }
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & Record<string, unknown>;
  return { status: response.status, body };
}

/** A token response as a stored grant; a sign-in without a refresh token cannot back up unattended. */
export function grantFrom(
  provider: OAuthProvider,
  clientId: string,
  body: Partial<TokenResponse>,
  now: number,
  clientSecret?: string,
): Grant {
  if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new AuthError(`${provider.name} answered the sign-in without a refresh token`, {
      hint:
        provider.name === 'google'
          ? 'remove photosync from your Google account\'s third-party access and sign in again (Google sends a refresh token only on first consent)'
          : 'check that the app is allowed offline access, then sign in again',
    });
  }
  return {
    provider: provider.name,
    clientId,
    refreshToken: body.refresh_token,
    accessToken: body.access_token,
    expiresAt: typeof body.expires_in === 'number' ? now + body.expires_in * 1000 : null,
    scope: body.scope,
    ...(clientSecret ? { clientSecret } : {}),
    obtainedAt: now,
  };
}
