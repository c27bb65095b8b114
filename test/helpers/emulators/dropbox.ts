/**
 * A loopback emulator of the Dropbox API v2 subset photosync uses, strict where Dropbox is strict
 * (shared/docs/cloud-apis.md §2). Hosts are path prefixes: https://api.dropboxapi.com/2/x is
 * served at http://127.0.0.1:PORT/api/2/x, content.dropboxapi.com at /content/2/x, notify at
 * /notify/2/x. It checks bearer tokens, Content-Type, the ASCII-only JSON of Dropbox-API-Arg,
 * argument fields, the root spelling, session offsets and closing, the 150 MiB request limit and
 * content hashes, and answers with Dropbox's exact error bodies. Every 400 it sends for a
 * protocol violation is also recorded in `violations`, so a test can assert there were none.
 * Faults (429, write contention, 500, dropped connections, expired tokens) are queued per route.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DropboxNamespace } from './dropbox-store.ts';
import { errorBody, ROUTES, type Reply, type RouteContext } from './dropbox-routes.ts';

export const MAX_REQUEST_BYTES = 150 * 1024 * 1024;

export type Fault =
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number; readonly body: 'json' | 'text'; readonly reason?: 'too_many_requests' | 'too_many_write_operations' }
  /** Lock contention reported inside the endpoint's own error (finish: 409; finish_batch_v2: each entry fails). */
  | { readonly kind: 'write-contention' }
  | { readonly kind: 'server-error' }
  /** The connection drops while the request body arrives: the server applies nothing. */
  | { readonly kind: 'drop-request' }
  /** The server does the work, then the connection drops before the response: the client cannot know. */
  | { readonly kind: 'drop-response' }
  | { readonly kind: 'expired-token' };

interface QueuedFault {
  readonly fault: Fault;
  readonly route: string | undefined;
  skip: number;
  remaining: number;
}

export interface RequestRecord {
  readonly route: string;
  readonly bytes: number;
  readonly status: number;
  readonly arg: unknown;
}

export class DropboxEmulator {
  readonly ns = new DropboxNamespace();
  readonly clientId = 'photosync-test-app';
  /** Every request answered (or dropped: status 0), in order. */
  readonly requests: RequestRecord[] = [];
  /** Protocol violations the emulator rejected with a 400. */
  readonly violations: string[] = [];
  listPageSize = 2000;
  private readonly server: Server;
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, 'valid' | 'expired'>();
  private readonly faults: QueuedFault[] = [];
  private base = '';

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`emulator bug: ${String(err)}`);
      });
    });
  }

  static async start(): Promise<DropboxEmulator> {
    const emu = new DropboxEmulator();
    await new Promise<void>((resolve) => emu.server.listen(0, '127.0.0.1', resolve));
    emu.base = `http://127.0.0.1:${(emu.server.address() as AddressInfo).port}`;
    return emu;
  }

  /** What a config's `api_url` is set to. */
  get url(): string {
    return this.base;
  }

  get tokenUrl(): string {
    return `${this.base}/api/oauth2/token`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A signed-in grant: a refresh token, and an access token already cut from it. */
  grant(): { refreshToken: string; accessToken: string } {
    const refreshToken = `rt-${randomBytes(12).toString('hex')}`;
    this.refreshTokens.add(refreshToken);
    return { refreshToken, accessToken: this.issueAccessToken() };
  }

  /** Every access token handed out so far now answers 401 expired_access_token. */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 'expired');
  }

  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** After `skip` requests (to `route`, if given) pass, the next `count` meet `fault` instead of their normal answer. */
  inject(fault: Fault, options: { count?: number; route?: string; skip?: number } = {}): void {
    this.faults.push({ fault, route: options.route, skip: options.skip ?? 0, remaining: options.count ?? 1 });
  }

  /** Requests by route ("files/upload_session/append_v2", "oauth2/token", ...). */
  calls(route: string): RequestRecord[] {
    return this.requests.filter((r) => r.route === route);
  }

  private takeFault(route: string): Fault | null {
    const queued = this.faults.find((f) => f.remaining > 0 && (f.route === undefined || f.route === route));
    if (!queued) return null;
    if (queued.skip > 0) {
      queued.skip--;
      return null;
    }
    queued.remaining--;
    return queued.fault;
  }

  private issueAccessToken(): string {
    const token = `sl.${randomBytes(16).toString('base64url')}`;
    this.accessTokens.set(token, 'valid');
    return token;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const match = /^\/(api|content|notify)\/(2\/(.+)|oauth2\/token)$/.exec(url.pathname);
    const host = match?.[1];
    const route = match?.[3] ?? (match?.[2] === 'oauth2/token' ? 'oauth2/token' : url.pathname);
    const record = (status: number, bytes: number, arg: unknown): void => void this.requests.push({ route, bytes, status, arg });
    const fault = this.takeFault(route);

    if (fault?.kind === 'drop-request') {
      // Read part of the body, then cut the connection: the request never completes.
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      record(0, 0, null);
      return;
    }
    const body = await readBody(req, MAX_REQUEST_BYTES);
    const send = (reply: Reply, arg: unknown = null): void => {
      record(reply.status, body?.length ?? 0, arg);
      // OAuth errors are JSON 400s by design; a plain-text 400 is Dropbox refusing a malformed call.
      if (reply.status === 400 && typeof reply.body === 'string') this.violations.push(`${route}: ${String(reply.body)}`);
      if (fault?.kind === 'drop-response') {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { ...reply.headers };
      let payload: Buffer;
      if (Buffer.isBuffer(reply.body)) payload = reply.body;
      else if (typeof reply.body === 'string') {
        headers['content-type'] ??= 'text/plain; charset=utf-8';
        payload = Buffer.from(reply.body);
      } else {
        headers['content-type'] ??= 'application/json';
        payload = Buffer.from(JSON.stringify(reply.body));
      }
      res.writeHead(reply.status, headers).end(payload);
    };

    if (req.method !== 'POST') return send({ status: 400, body: `Unsupported method ${req.method ?? ''}; Dropbox API calls are POST` });
    if (route === 'oauth2/token' && host === 'api') return send(this.token(req, url, body));
    const spec = match && host ? ROUTES[route] : undefined;
    if (!spec || spec.host !== host) return send({ status: 400, body: `Unknown API function: "${route}" on host ${host ?? '?'}` });
    if (body === null) return send({ status: 409, body: errorBody({ '.tag': 'payload_too_large' }) });

    const auth = this.checkAuth(req, route);
    if (auth) return send(auth);
    const parsed = parseArgs(req, route, spec.style, body);
    if ('status' in parsed) return send(parsed);
    const unknown = Object.keys(parsed.arg ?? {}).filter((k) => !spec.fields.includes(k));
    if (unknown.length > 0) return send({ status: 400, body: `Error in call to API function "${route}": unknown field "${unknown[0]}"` }, parsed.arg);

    const early = this.faultReply(fault, route);
    if (early) return send(early, parsed.arg);
    const ctx: RouteContext = { ns: this.ns, route, arg: parsed.arg, data: parsed.data, listPageSize: this.listPageSize, contention: fault?.kind === 'write-contention' };
    send(spec.handle(ctx), parsed.arg);
  }

  private faultReply(fault: Fault | null, route: string): Reply | null {
    switch (fault?.kind) {
      case 'rate-limit': {
        const headers = { 'retry-after': String(fault.retryAfterSeconds) };
        if (fault.body === 'text') return { status: 429, headers, body: 'Too many requests' };
        const reason = fault.reason ?? 'too_many_requests';
        return { status: 429, headers, body: { error_summary: `${reason}/..`, error: { reason: { '.tag': reason }, retry_after: fault.retryAfterSeconds } } };
      }
      case 'server-error':
        return { status: 500, body: `Internal Server Error (${route})` };
      case 'expired-token':
        return { status: 401, body: errorBody({ '.tag': 'expired_access_token' }) };
      default:
        return null;
    }
  }

  private checkAuth(req: IncomingMessage, route: string): Reply | null {
    const header = req.headers.authorization;
    if (!header) return { status: 400, body: `Error in call to API function "${route}": Must provide HTTP header "Authorization" or URL parameter "authorization".` };
    const bearer = /^Bearer (\S+)$/.exec(header);
    if (!bearer) return { status: 400, body: `Error in call to API function "${route}": Invalid authorization value in HTTP header "Authorization": "${header}".  Expecting "Bearer <oauth2-access-token>".` };
    const state = this.accessTokens.get(bearer[1]!);
    if (state === 'valid') return null;
    return { status: 401, body: errorBody({ '.tag': state === 'expired' ? 'expired_access_token' : 'invalid_access_token' }) };
  }

  /**
   * POST /oauth2/token with grant_type=refresh_token. The SDK puts the parameters in the query
   * string with an empty JSON body; OAuthTokenSource sends a form body. Both are accepted, a mix is not.
   */
  private token(req: IncomingMessage, url: URL, body: Buffer | null): Reply {
    const type = req.headers['content-type'] ?? '';
    const text = body?.toString('utf8') ?? '';
    let params: URLSearchParams;
    if (url.search !== '') {
      if (text !== '') return { status: 400, body: 'oauth2/token: parameters both in the query string and in the body' };
      params = url.searchParams;
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      params = new URLSearchParams(text);
    } else {
      return { status: 400, body: `oauth2/token: no parameters (Content-Type "${type}", body ${text.length} bytes)` };
    }
    const oauthError = (error: string, description: string): Reply => ({ status: 400, body: { error, error_description: description } });
    if (params.get('grant_type') !== 'refresh_token') return oauthError('unsupported_grant_type', `grant_type "${params.get('grant_type') ?? ''}" is not emulated`);
    if (params.get('client_id') !== this.clientId) return oauthError('invalid_client', 'Invalid client_id or client_secret');
    const refreshToken = params.get('refresh_token') ?? '';
    if (!this.refreshTokens.has(refreshToken)) {
      return oauthError('invalid_grant', refreshToken.startsWith('rt-') ? 'refresh token is invalid or revoked' : 'refresh token is malformed');
    }
    return { status: 200, body: { access_token: this.issueAccessToken(), token_type: 'bearer', expires_in: 14400 } };
  }
}

/** The body, or null once it passes `limit` bytes (the rest is read and dropped). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? null : Buffer.concat(chunks);
}

const CONTENT_TYPES = ['application/octet-stream', 'text/plain; charset=dropbox-cors-hack'];
const RPC_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain; charset=dropbox-cors-hack'];

/** Arguments from the body (RPC) or the Dropbox-API-Arg header (content routes), as Dropbox parses them. */
function parseArgs(req: IncomingMessage, route: string, style: 'rpc' | 'upload' | 'download', body: Buffer): { arg: Record<string, unknown> | null; data: Buffer } | Reply {
  const fail = (message: string): Reply => ({ status: 400, body: `Error in call to API function "${route}": ${message}` });
  const type = req.headers['content-type'];
  if (style === 'rpc') {
    if (body.length === 0) return type === undefined || RPC_TYPES.includes(type) ? { arg: null, data: body } : fail(`Bad HTTP "Content-Type" header: "${type}".`);
    if (!type || !RPC_TYPES.includes(type)) {
      return fail(`Bad HTTP "Content-Type" header: "${type ?? ''}".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`);
    }
    try {
      return { arg: JSON.parse(body.toString('utf8')) as Record<string, unknown>, data: Buffer.alloc(0) };
    } catch {
      return fail('request body: could not decode input as JSON');
    }
  }
  if (style === 'upload' && type !== undefined && !CONTENT_TYPES.includes(type)) {
    return fail(`Bad HTTP "Content-Type" header: "${type}".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".`);
  }
  if (style === 'upload' && type === undefined) return fail('Bad HTTP "Content-Type" header: missing.  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".');
  if (style === 'download' && body.length > 0) return fail('a download call takes no request body');
  const header = req.headers['dropbox-api-arg'];
  if (typeof header !== 'string') return fail('Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
  // Header values must be ASCII; the SDK escapes everything above U+007E as \uXXXX.
  if (/[^\x20-\x7e]/.test(header)) return fail('HTTP header "Dropbox-API-Arg": could not decode input as JSON (non-ASCII byte; escape it as \\uXXXX)');
  try {
    return { arg: JSON.parse(header) as Record<string, unknown>, data: body };
  } catch {
    return fail('HTTP header "Dropbox-API-Arg": could not decode input as JSON');
  }
}
