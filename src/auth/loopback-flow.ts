/**
 * OAuth 2 authorization code with PKCE and a loopback redirect (RFC 8252): photosync listens on
 * 127.0.0.1 (or "localhost" for Microsoft, which matches it ignoring the port), the browser comes
 * back there with the code, and the code is exchanged for tokens with the PKCE verifier. Where no
 * browser can reach this machine, the user may paste the URL the browser ended on instead.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError } from '../errors.ts';
import { createPkce, randomState } from './pkce.ts';
import type { OAuthProvider } from './providers.ts';
import { grantFrom, postToken } from './token-endpoint.ts';
import type { Grant } from './tokens.ts';
import { escapeHtml } from '../escape.ts';

export interface LoopbackLoginOptions {
  readonly provider: OAuthProvider;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  /** Fixed port (Dropbox matches redirect URIs exactly, so its app must list this one). 0: any. */
  readonly port: number;
  /** Shows the URL to open (and opens a browser, when the caller can). */
  readonly onAuthorizeUrl: (url: string) => void;
  /** Lines the user types or pastes (the URL the browser ended on); optional. */
  readonly pasted?: AsyncIterable<string> | undefined;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const DONE_PAGE = `<!doctype html><meta charset="utf-8"><title>photosync</title>
<body style="font-family: system-ui; margin: 3em"><h1>photosync is signed in</h1><p>You can close this tab.</p></body>`;

export async function loopbackLogin(options: LoopbackLoginOptions): Promise<Grant> {
  const { provider } = options;
  const pkce = createPkce();
  const state = randomState();

  let settle!: (r: { code: string } | { error: string }) => void;
  const result = new Promise<{ code: string } | { error: string }>((resolve) => (settle = resolve));

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const outcome = readCallback(url, state);
    if (!outcome) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead('code' in outcome ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' });
    res.end('code' in outcome ? DONE_PAGE : `<p>Sign-in failed: ${escapeHtml(outcome.error)}</p>`);
    settle(outcome);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new AuthError(`port ${options.port} for the sign-in redirect is in use`, { hint: 'close what uses it, or pass --port' })
          : new AuthError(`cannot listen on 127.0.0.1:${options.port} for the sign-in redirect (${err.code ?? err.message})`, {
              hint: 'pass --port with a free port above 1023',
              cause: err,
            }),
      ),
    );
    server.listen(options.port, '127.0.0.1', resolve);
  });
  try {
    const port = (server.address() as AddressInfo).port;
    const redirectUri = `http://${provider.loopbackHost}:${port}/`;
    const authorize = new URL(provider.authorizeUrl);
    const params: Record<string, string> = {
      client_id: options.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: provider.scopes.join(' '),
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...provider.authorizeParams,
    };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    options.onAuthorizeUrl(authorize.href);

    if (options.pasted) void watchPasted(options.pasted, state, settle);
    const timeout = setTimeout(() => settle({ error: 'no answer from the browser in time' }), options.timeoutMs ?? 5 * 60_000);
    const outcome = await result.finally(() => clearTimeout(timeout));
    if ('error' in outcome) throw new AuthError(`sign-in with ${provider.name} failed: ${outcome.error}`, { hint: 'run the login again' });

    const exchange: Record<string, string> = {
      grant_type: 'authorization_code',
      code: outcome.code,
      redirect_uri: redirectUri,
      client_id: options.clientId,
      code_verifier: pkce.verifier,
    };
    if (options.clientSecret) exchange['client_secret'] = options.clientSecret;
    const { status, body } = await postToken(provider, exchange, options.fetch);
    if (status !== 200) {
      throw new AuthError(`${provider.name} refused the sign-in code (${String(body.error ?? `HTTP ${status}`)}: ${String(body.error_description ?? '')})`, {
        hint: 'run the login again; check the client_id and, for Google, the client secret',
      });
    }
    return grantFrom(provider, options.clientId, body, (options.now ?? Date.now)(), options.clientSecret);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** The code from the redirect, or the provider's error; null for requests that are not the redirect. */
function readCallback(url: URL, state: string): { code: string } | { error: string } | null {
  const code = url.searchParams.get('code');
  const error = url.searchParams.get('error');
  if (!code && !error) return null;
  if (url.searchParams.get('state') !== state) return { error: 'the answer did not carry this sign-in’s state (a stale or forged redirect)' };
  if (error) return { error: `${error}${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}` };
  return { code: code! };
}

async function watchPasted(lines: AsyncIterable<string>, state: string, settle: (r: { code: string } | { error: string }) => void): Promise<void> {
  for await (const line of lines) {
    const text = line.trim();
    if (!text) continue;
    try {
      const outcome = readCallback(new URL(text), state);
      if (outcome) return settle(outcome);
    } catch {
      // not a URL: keep waiting
    }
  }
}
