/**
 * A loopback OAuth 2 provider that checks what real providers check: the authorization code is
 * bound to its client, redirect URI and PKCE challenge (S256); refresh tokens are known ones
 * (and, in "rotate" mode like Microsoft, replaced on every use); device codes stay pending until
 * approved. The "browser" is the test: it fetches the authorize URL, which redirects back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuthEmulator {
  readonly url: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly deviceUrl: string;
  /** Every token request's parameters, in order. */
  readonly tokenRequests: Record<string, string>[];
  /** Refresh tokens currently valid. */
  readonly validRefreshTokens: Set<string>;
  /** Approves (or denies) the pending device code after this many polls. */
  approveDeviceAfter(polls: number, outcome?: 'approve' | 'deny'): void;
  /** What the authorize endpoint answers: approve (redirect with code) or an error. */
  authorizeOutcome: 'approve' | 'access_denied';
  close(): Promise<void>;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
}

export async function startOAuthEmulator(
  options: { rotate?: boolean; expiresIn?: number; clientId?: string; /** Required on every token request, as Google does for Desktop-app clients. */ clientSecret?: string } = {},
): Promise<OAuthEmulator> {
  const codes = new Map<string, CodeGrant>();
  const validRefreshTokens = new Set<string>();
  const tokenRequests: Record<string, string>[] = [];
  let device: { code: string; pollsLeft: number; outcome: 'approve' | 'deny' } | null = null;
  const token = () => randomBytes(16).toString('hex');
  const issue = (scope: string) => {
    const refresh = `rt-${token()}`;
    validRefreshTokens.add(refresh);
    return { access_token: `at-${token()}`, refresh_token: refresh, expires_in: options.expiresIn ?? 3600, scope, token_type: 'Bearer' };
  };

  const emulator: OAuthEmulator = {
    url: '',
    authorizeUrl: '',
    tokenUrl: '',
    deviceUrl: '',
    tokenRequests,
    validRefreshTokens,
    authorizeOutcome: 'approve',
    approveDeviceAfter(polls, outcome = 'approve') {
      if (device) device = { ...device, pollsLeft: polls, outcome };
    },
    close: async () => {},
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      const redirect = p.get('redirect_uri');
      if (!redirect || p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
        return json(400, { error: 'invalid_request', error_description: 'PKCE S256 and a redirect_uri are required' });
      }
      if (options.clientId && p.get('client_id') !== options.clientId) return json(400, { error: 'invalid_client' });
      const back = new URL(redirect);
      if (emulator.authorizeOutcome === 'access_denied') back.searchParams.set('error', 'access_denied');
      else {
        const code = `code-${token()}`;
        codes.set(code, { clientId: p.get('client_id') ?? '', redirectUri: redirect, challenge: p.get('code_challenge')!, scope: p.get('scope') ?? '' });
        back.searchParams.set('code', code);
      }
      back.searchParams.set('state', p.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(await body(req)));
    if (url.pathname === '/device/code' || url.pathname === '/devicecode') {
      device = { code: `dc-${token()}`, pollsLeft: Number.POSITIVE_INFINITY, outcome: 'approve' };
      return json(200, { device_code: device.code, user_code: 'WDJB-MJHT', verification_uri: `${emulator.url}/activate`, expires_in: 900, interval: 1 });
    }
    if (url.pathname !== '/token') return json(404, { error: 'not_found' });
    tokenRequests.push(form);
    if (options.clientSecret !== undefined && form['client_secret'] !== options.clientSecret) {
      return json(400, { error: 'invalid_client', error_description: 'client_secret is missing.' });
    }
    switch (form['grant_type']) {
      case 'authorization_code': {
        const grant = codes.get(form['code'] ?? '');
        codes.delete(form['code'] ?? '');
        if (!grant || grant.clientId !== form['client_id'] || grant.redirectUri !== form['redirect_uri']) return json(400, { error: 'invalid_grant' });
        const challenge = createHash('sha256').update(form['code_verifier'] ?? '').digest('base64url');
        if (challenge !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        return json(200, issue(grant.scope));
      }
      case 'refresh_token': {
        const rt = form['refresh_token'] ?? '';
        if (!validRefreshTokens.has(rt)) return json(400, { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' });
        if (!options.rotate) return json(200, { access_token: `at-${token()}`, expires_in: options.expiresIn ?? 3600, token_type: 'Bearer' });
        validRefreshTokens.delete(rt);
        return json(200, issue(''));
      }
      case 'urn:ietf:params:oauth:grant-type:device_code': {
        if (!device || form['device_code'] !== device.code) return json(400, { error: 'invalid_grant' });
        if (device.pollsLeft > 0) {
          device.pollsLeft--;
          return json(400, { error: 'authorization_pending' });
        }
        if (device.outcome === 'deny') return json(400, { error: 'access_denied' });
        device = null;
        return json(200, issue(''));
      }
      default:
        return json(400, { error: 'unsupported_grant_type' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(emulator, {
    url: base,
    authorizeUrl: `${base}/authorize`,
    tokenUrl: `${base}/token`,
    deviceUrl: `${base}/device/code`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return emulator;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
