/**
 * OAuth 2 device authorization (RFC 8628), for machines without a browser: the user opens a short
 * URL on any device and types a code; photosync polls the token endpoint meanwhile. Offered by
 * Microsoft, and by Google for the drive.file scope photosync uses; not by Dropbox.
 */
import { AuthError } from '../errors.ts';
import type { OAuthProvider } from './providers.ts';
import { grantFrom, postToken } from './token-endpoint.ts';
import type { Grant } from './tokens.ts';

export interface DeviceLoginOptions {
  readonly provider: OAuthProvider;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  readonly onUserCode: (info: { verificationUri: string; userCode: string; expiresInSeconds: number }) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export async function deviceLogin(options: DeviceLoginOptions): Promise<Grant> {
  const { provider } = options;
  if (!provider.deviceCodeUrl) {
    throw new AuthError(`${provider.name} does not offer sign-in with a device code`, {
      hint: 'use "photosync auth login NAME --no-browser" and paste the URL your browser ends on',
    });
  }
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const response = await fetchImpl(provider.deviceCodeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: options.clientId, scope: provider.scopes.join(' ') }),
  });
  const start = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof start['device_code'] !== 'string' || typeof start['user_code'] !== 'string') {
    throw new AuthError(`${provider.name} refused a device-code sign-in (${String(start['error'] ?? `HTTP ${response.status}`)})`, {
      hint: 'check the client_id; the app must allow public client flows',
    });
  }
  const expiresIn = typeof start['expires_in'] === 'number' ? start['expires_in'] : 900;
  options.onUserCode({
    verificationUri: String(start['verification_uri'] ?? start['verification_url'] ?? ''),
    userCode: start['user_code'],
    expiresInSeconds: expiresIn,
  });

  let interval = (typeof start['interval'] === 'number' ? start['interval'] : 5) * 1000;
  const deadline = now() + expiresIn * 1000;
  while (now() < deadline) {
    await sleep(interval);
    const params: Record<string, string> = {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: start['device_code'],
      client_id: options.clientId,
    };
    if (options.clientSecret) params['client_secret'] = options.clientSecret;
    const { status, body } = await postToken(provider, params, fetchImpl);
    if (status === 200) return grantFrom(provider, options.clientId, body, now(), options.clientSecret);
    switch (body.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval += 5000;
        continue;
      case 'access_denied':
      case 'authorization_declined':
        throw new AuthError('the sign-in was declined', { hint: 'run the login again and approve access' });
      case 'expired_token':
        throw new AuthError('the code expired before it was entered', { hint: 'run the login again' });
      default:
        throw new AuthError(`${provider.name} refused the device sign-in (${String(body.error ?? `HTTP ${status}`)})`);
    }
  }
  throw new AuthError('the code expired before it was entered', { hint: 'run the login again' });
}
