/**
 * A loopback HTTPS emulator of the Microsoft Graph v1.0 drive subset photosync uses, and of the
 * Microsoft identity token endpoint (cloud-apis.md §3). HTTPS because the Graph client attaches
 * its token only to https URLs and mangles absolute http links (§3.8). It checks what Graph
 * checks and refuses what photosync must never do, recording each such refusal in `violations`
 * (tests assert it stays empty): a request without a valid bearer token on the API, any token on
 * an upload or download URL, an omitted conflictBehavior, misaligned or out-of-order fragments,
 * a changed TOTAL, delta below the root of a Business drive, names OneDrive refuses.
 *
 * API calls are served on 127.0.0.1; upload and download URLs on "localhost", another host as in
 * production (so the client does not attach the token there by itself).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DriveError, EmulatedDrive, type ConflictBehavior, type DriveType, type EmuItem } from './onedrive-drive.ts';
import { UploadSessions } from './onedrive-sessions.ts';
import { selfSignedCertificate, trustingFetch, type TrustingFetch } from './tls.ts';
import { serveDelta } from './onedrive-delta.ts';

export interface OneDriveEmulatorOptions {
  readonly driveType: DriveType;
  /** Items per children or delta page (Graph's default is 200). */
  readonly pageSize?: number;
  readonly quotaTotal?: number;
  /** When an upload session reports a taken name: at its creation (default), or only at the last fragment. */
  readonly conflictAt?: 'session' | 'last-fragment';
  readonly sessionTtlMs?: number;
  /** Revoke a refresh token once it was used (Microsoft keeps it valid; this proves the new one is used). */
  readonly revokeUsedRefreshTokens?: boolean;
}

export type Fault =
  | { readonly status: 429 | 503; readonly retryAfter?: string }
  | { readonly status: 500 | 502 | 504 }
  /**
   * The connection is cut: after the first bytes of the request body ("request"; a request
   * without a body is not processed at all), or half way through the response after the request
   * was processed ("response").
   */
  | { readonly drop: 'request' | 'response' }
  /** Every access token issued so far stops working (the next API call gets 401 InvalidAuthenticationToken). */
  | { readonly expireTokens: true };

export type Place = 'api' | 'upload' | 'download' | 'token';

export interface RequestRecord {
  readonly method: string;
  readonly place: Place | 'unknown';
  readonly host: string;
  readonly path: string;
  readonly authorization: boolean;
  readonly contentRange: string | undefined;
  status: number;
  bodyBytes: number;
}

interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly record: RequestRecord;
  readonly drop: boolean;
}

export class OneDriveEmulator {
  readonly drive: EmulatedDrive;
  readonly sessions: UploadSessions;
  readonly clientId = 'photosync-test-client';
  readonly log: RequestRecord[] = [];
  readonly violations: string[] = [];
  conflictAt: 'session' | 'last-fragment';
  readonly pageSize: number;
  /** Tokens handed out by the token endpoint, newest last. */
  readonly refreshTokens: string[] = [];
  private readonly activeRefresh = new Set<string>();
  private readonly accessTokens = new Set<string>();
  private readonly downloads = new Map<string, string>();
  private readonly faults: { fault: Fault; place: Place; match: RegExp | null; skip: number; remaining: number }[] = [];
  revokeUsedRefreshTokens: boolean;
  readonly deltaTokens = new Map<string, { seq: number; scope: string; expired: boolean }>();
  private server!: Server;
  private trust!: TrustingFetch;
  private port = 0;

  private constructor(options: OneDriveEmulatorOptions) {
    this.drive = new EmulatedDrive(options.driveType, options.quotaTotal ?? 5 * 1024 ** 3);
    this.sessions = new UploadSessions(this.drive, options.sessionTtlMs ?? 3_600_000);
    this.conflictAt = options.conflictAt ?? 'session';
    this.pageSize = options.pageSize ?? 200;
    this.revokeUsedRefreshTokens = options.revokeUsedRefreshTokens ?? false;
  }

  static async start(options: OneDriveEmulatorOptions): Promise<OneDriveEmulator> {
    const emulator = new OneDriveEmulator(options);
    const { key, cert } = selfSignedCertificate(['127.0.0.1', 'localhost']);
    emulator.trust = trustingFetch(cert);
    emulator.server = createServer({ key, cert }, (req, res) => {
      emulator.handle(req, res).catch((err: unknown) => {
        emulator.violations.push(`emulator failure: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', resolve));
    emulator.port = (emulator.server.address() as AddressInfo).port;
    return emulator;
  }

  /** Where the Graph API is (the remote's api_url). */
  get apiUrl(): string {
    return `https://127.0.0.1:${this.port}/v1.0`;
  }

  get tokenUrl(): string {
    return `https://127.0.0.1:${this.port}/consumers/oauth2/v2.0/token`;
  }

  /** Upload and download URLs live on this other host name. */
  get contentOrigin(): string {
    return `https://localhost:${this.port}`;
  }

  /** A fetch that trusts this emulator's certificate (and nothing else self-signed). */
  get fetch(): typeof fetch {
    return this.trust.fetch;
  }

  /** A refresh token as a sign-in would have stored it. */
  issueRefreshToken(): string {
    const token = `rt-${randomBytes(9).toString('base64url')}`;
    this.activeRefresh.add(token);
    this.refreshTokens.push(token);
    return token;
  }

  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  expireDeltaTokens(): void {
    for (const t of this.deltaTokens.values()) t.expired = true;
  }

  /**
   * Requests to `place` (whose "METHOD path" matches `match`, if given) get `fault`: `times` of
   * them (1 by default), after letting `after` of them through.
   */
  inject(fault: Fault, options: { place?: Place; times?: number; after?: number; match?: RegExp } = {}): void {
    this.faults.push({ fault, place: options.place ?? 'api', match: options.match ?? null, skip: options.after ?? 0, remaining: options.times ?? 1 });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.trust.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    const url = new URL(req.url ?? '/', `https://${host}`);
    const place = placeOf(url.pathname);
    const record: RequestRecord = {
      method: req.method ?? '',
      place,
      host,
      path: url.pathname,
      authorization: req.headers.authorization !== undefined,
      contentRange: req.headers['content-range'],
      status: 0,
      bodyBytes: 0,
    };
    this.log.push(record);
    const fault = place === 'unknown' ? null : this.takeFault(place, `${record.method} ${url.pathname}`);
    if (fault && 'drop' in fault && fault.drop === 'request') {
      if (Number(req.headers['content-length'] ?? 0) === 0) return void req.socket.destroy();
      req.once('data', (chunk: Buffer) => {
        record.bodyBytes = chunk.length;
        const session = place === 'upload' ? this.sessions.all.get(url.pathname.split('/')[2] ?? '') : undefined;
        if (session) session.receivedBytes += chunk.length;
        req.socket.destroy();
      });
      return;
    }
    const body = await readBody(req);
    record.bodyBytes = body.length;
    const ex: Exchange = { req, res, url, record, drop: fault !== null && 'drop' in fault };
    try {
      if (fault && 'expireTokens' in fault) this.expireAccessTokens();
      else if (fault && 'status' in fault) return this.faultReply(ex, fault);
      const expectedHost = place === 'upload' || place === 'download' ? `localhost:${this.port}` : `127.0.0.1:${this.port}`;
      if (host !== expectedHost) throw new DriveError(400, 'invalidRequest', `${place} request sent to host ${host}, expected ${expectedHost}`, true);
      if (place === 'token') return this.token(ex, body);
      if (place === 'upload') return this.upload(ex, body);
      if (place === 'download') return this.download(ex);
      if (place === 'api') return this.api(ex, body);
      throw new DriveError(404, 'itemNotFound', `nothing is served at ${url.pathname}`, true);
    } catch (err) {
      if (!(err instanceof DriveError)) throw err;
      if (err.violation) this.violations.push(`${record.method} ${url.pathname}: ${err.message}`);
      this.error(ex, err.status, err.code, err.message);
    }
  }

  private takeFault(place: Place, request: string): Fault | null {
    const i = this.faults.findIndex((f) => f.place === place && (f.match === null || f.match.test(request)));
    if (i < 0) return null;
    const pending = this.faults[i]!;
    if (pending.skip > 0) {
      pending.skip--;
      return null;
    }
    if (--pending.remaining <= 0) this.faults.splice(i, 1);
    return pending.fault;
  }

  private faultReply(ex: Exchange, fault: Extract<Fault, { status: number }>): void {
    const throttled = fault.status === 429 || fault.status === 503;
    const code = fault.status === 429 ? 'activityLimitReached' : fault.status === 503 ? 'serviceNotAvailable' : 'generalException';
    const headers: Record<string, string> = throttled && 'retryAfter' in fault && fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
    this.error(ex, fault.status, code, `injected ${fault.status}`, headers);
  }

  private token(ex: Exchange, body: Buffer): void {
    const form = new URLSearchParams(body.toString('utf8'));
    const reply = (status: number, payload: object): void => this.send(ex, status, Buffer.from(JSON.stringify(payload)), { 'content-type': 'application/json' });
    if (ex.req.method !== 'POST') throw new DriveError(405, 'invalidRequest', 'the token endpoint takes POST', true);
    if (form.get('client_id') !== this.clientId) return reply(400, { error: 'unauthorized_client', error_description: 'AADSTS700016: unknown client' });
    if (form.get('grant_type') !== 'refresh_token') return reply(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003' });
    const used = form.get('refresh_token') ?? '';
    if (!this.activeRefresh.has(used)) {
      return reply(400, { error: 'invalid_grant', error_description: 'AADSTS70000: The provided grant has expired or was revoked.' });
    }
    if (this.revokeUsedRefreshTokens) this.activeRefresh.delete(used);
    const accessToken = `at-${randomBytes(12).toString('base64url')}`;
    this.accessTokens.add(accessToken);
    // Microsoft hands out a new refresh token on every use.
    reply(200, { token_type: 'Bearer', scope: 'Files.ReadWrite offline_access', expires_in: 3600, ext_expires_in: 3600, access_token: accessToken, refresh_token: this.issueRefreshToken() });
  }

  private upload(ex: Exchange, body: Buffer): void {
    if (ex.record.authorization) {
      // "Including the Authorization header when issuing the PUT call may result in a 401."
      throw new DriveError(401, 'unauthenticated', 'an Authorization header was sent to an upload URL', true);
    }
    const id = ex.url.pathname.split('/')[2] ?? '';
    const method = ex.req.method;
    if (method === 'GET') return this.json(ex, 200, this.sessions.status(this.sessions.find(id)));
    if (method === 'DELETE') {
      this.sessions.cancel(id);
      return this.send(ex, 204, Buffer.alloc(0));
    }
    if (method !== 'PUT') throw new DriveError(405, 'invalidRequest', `${method} on an upload URL`, true);
    const result = this.sessions.fragment(id, ex.req.headers['content-range'], ex.req.headers['content-length'], body);
    if (result.kind === 'more') return this.json(ex, 202, this.sessions.status(result.session));
    this.json(ex, result.status, this.drive.json(result.item));
  }

  private download(ex: Exchange): void {
    if (ex.record.authorization) throw new DriveError(401, 'unauthenticated', 'an Authorization header was sent to a pre-authenticated download URL', true);
    const item = this.drive.get(this.downloads.get(ex.url.pathname.split('/')[2] ?? '') ?? '');
    if (!item) throw new DriveError(404, 'itemNotFound', 'no such download');
    this.send(ex, 200, item.content, { 'content-type': 'application/octet-stream' });
  }

  private api(ex: Exchange, body: Buffer): void {
    const auth = /^Bearer (.+)$/.exec(ex.req.headers.authorization ?? '');
    if (!auth || !this.accessTokens.has(auth[1]!)) {
      if (!auth) this.violations.push(`${ex.record.method} ${ex.url.pathname}: API call without a bearer token`);
      return this.error(ex, 401, 'InvalidAuthenticationToken', auth ? 'Access token has expired or is not yet valid.' : 'Access token is empty.', {
        'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
      });
    }
    const rest = ex.url.pathname.slice('/v1.0/me/drive'.length);
    if (!ex.url.pathname.startsWith('/v1.0/me/drive')) throw new DriveError(400, 'invalidRequest', 'the emulator serves /me/drive only', true);
    const method = ex.req.method;
    if (rest === '' && method === 'GET') return this.json(ex, 200, this.driveResource());
    const { target, segments, action } = this.address(rest);
    if (method === 'GET' && action === null) return this.json(ex, 200, this.drive.json(this.need(target)));
    if (method === 'GET' && action === 'children') return this.children(ex, this.need(target));
    if (method === 'GET' && action === 'content') return this.content(ex, this.need(target));
    if (method === 'GET' && action === 'delta') return serveDelta(this, ex.url, this.need(target), (status, payload, headers) => this.json(ex, status, payload, headers));
    const behavior = (given: unknown, fallback: ConflictBehavior): ConflictBehavior => {
      if (given === undefined || given === null) {
        this.violations.push(`${method} ${ex.url.pathname}: no @microsoft.graph.conflictBehavior (the service then uses ${fallback})`);
        return fallback;
      }
      if (given !== 'fail' && given !== 'replace' && given !== 'rename') throw new DriveError(400, 'invalidRequest', `conflictBehavior ${String(given)}`, true);
      return given;
    };
    if (method === 'POST' && action === 'children') {
      const spec = parseJson(body) as { name?: string; folder?: object; '@microsoft.graph.conflictBehavior'?: string };
      if (!spec.folder || typeof spec.name !== 'string') throw new DriveError(400, 'invalidRequest', 'the emulator creates folders only', true);
      const placed = this.drive.place(this.need(target).id, spec.name, true, Buffer.alloc(0), behavior(spec['@microsoft.graph.conflictBehavior'], 'fail'));
      return this.json(ex, 201, this.drive.json(placed.item));
    }
    if (segments === null || segments.length === 0) throw new DriveError(400, 'invalidRequest', `${method} ${action} is served for path addresses only`, true);
    const parent = this.drive.resolve(segments.slice(0, -1));
    if (!parent?.folder) throw new DriveError(404, 'itemNotFound', 'the parent folder does not exist');
    const name = segments.at(-1)!;
    if (method === 'PUT' && action === 'content') {
      // "The default for PUT is replace."
      const placed = this.drive.place(parent.id, name, false, body, behavior(ex.url.searchParams.get('@microsoft.graph.conflictBehavior'), 'replace'));
      return this.json(ex, placed.status, this.drive.json(placed.item));
    }
    if (method === 'POST' && action === 'createUploadSession') {
      const spec = parseJson(body) as { item?: { name?: string; fileSize?: number; '@microsoft.graph.conflictBehavior'?: string } };
      if (spec.item?.name !== undefined && spec.item.name !== name) throw new DriveError(400, 'invalidRequest', 'item.name differs from the name in the URL', true);
      const fileSize = spec.item?.fileSize;
      if (this.drive.driveType === 'personal' && fileSize !== undefined && this.drive.usedBytes + fileSize > this.drive.quotaTotal) {
        // The quota pre-check fileSize allows (Personal only).
        throw new DriveError(507, 'quotaLimitReached', 'Insufficient Space Available');
      }
      // Users observe replace when it is omitted, whatever the docs say (§3.3).
      const session = this.sessions.open(parent.id, name, behavior(spec.item?.['@microsoft.graph.conflictBehavior'], 'replace'), this.conflictAt === 'session', fileSize ?? null);
      return this.json(ex, 200, { uploadUrl: `${this.contentOrigin}/upload/${session.id}`, ...this.sessions.status(session) });
    }
    throw new DriveError(400, 'invalidRequest', `the emulator does not serve ${method} ${ex.url.pathname}`, true);
  }

  /** "/root", "/root:/a/b:", "/root:/a/b:/content", "/items/{id}/children", ... */
  private address(rest: string): { target: EmuItem | null; segments: string[] | null; action: string | null } {
    const byPath = /^\/root(?::(\/[^:]*):?)?(?:\/(children|content|createUploadSession|delta))?$/.exec(rest);
    const byId = /^\/items\/([^/:]+)(?:\/(children|content|createUploadSession|delta))?$/.exec(rest);
    if (byPath) {
      let segments: string[];
      try {
        segments = (byPath[1] ?? '').split('/').filter((s) => s !== '').map(decodeURIComponent);
      } catch {
        throw new DriveError(400, 'invalidRequest', `malformed percent-encoding in ${rest}`, true);
      }
      for (const s of segments) this.drive.checkName(s);
      return { target: this.drive.resolve(segments), segments, action: byPath[2] ?? null };
    }
    if (byId) return { target: this.drive.get(decodeURIComponent(byId[1]!)), segments: null, action: byId[2] ?? null };
    throw new DriveError(400, 'invalidRequest', `cannot parse the item address ${rest}`, true);
  }

  private need(item: EmuItem | null): EmuItem {
    if (!item) throw new DriveError(404, 'itemNotFound', 'The resource could not be found.');
    return item;
  }

  private driveResource(): object {
    const used = this.drive.usedBytes;
    const total = this.drive.quotaTotal;
    const state = used >= total ? 'exceeded' : used > total * 0.99 ? 'critical' : used > total * 0.9 ? 'nearing' : 'normal';
    return { id: this.drive.driveId, driveType: this.drive.driveType, quota: { total, used, remaining: Math.max(0, total - used), deleted: 0, state } };
  }

  private children(ex: Exchange, folder: EmuItem): void {
    if (!folder.folder) throw new DriveError(400, 'invalidRequest', 'children of a file', true);
    const top = Number(ex.url.searchParams.get('$top') ?? this.pageSize);
    const offset = Number(ex.url.searchParams.get('$skiptoken') ? Buffer.from(ex.url.searchParams.get('$skiptoken')!, 'base64url').toString() : 0);
    const all = this.drive.children(folder.id);
    const page = all.slice(offset, offset + top);
    const next = offset + top < all.length ? Buffer.from(String(offset + top)).toString('base64url') : null;
    this.json(ex, 200, {
      value: page.map((i) => this.drive.json(i)),
      ...(next ? { '@odata.nextLink': `https://127.0.0.1:${this.port}/v1.0/me/drive/items/${encodeURIComponent(folder.id)}/children?$top=${top}&$skiptoken=${next}` } : {}),
    });
  }

  private content(ex: Exchange, item: EmuItem): void {
    if (item.folder) throw new DriveError(400, 'invalidRequest', 'content of a folder', true);
    const key = randomBytes(12).toString('base64url');
    this.downloads.set(key, item.id);
    this.send(ex, 302, Buffer.alloc(0), { location: `${this.contentOrigin}/download/${key}` });
  }

  private json(ex: Exchange, status: number, payload: object, headers: Record<string, string> = {}): void {
    this.send(ex, status, Buffer.from(JSON.stringify(payload)), { 'content-type': 'application/json', ...headers });
  }

  private error(ex: Exchange, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    const innerError = { date: new Date().toISOString(), 'request-id': randomBytes(8).toString('hex'), 'client-request-id': randomBytes(8).toString('hex') };
    this.json(ex, status, { error: { code, message, innerError } }, headers);
  }

  private send(ex: Exchange, status: number, body: Buffer, headers: Record<string, string> = {}): void {
    ex.record.status = status;
    ex.res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    if (ex.drop) {
      ex.res.write(body.subarray(0, Math.floor(body.length / 2)));
      ex.res.socket?.destroy();
      return;
    }
    ex.res.end(body);
  }
}

function placeOf(pathname: string): Place | 'unknown' {
  if (pathname.startsWith('/v1.0/')) return 'api';
  if (pathname.startsWith('/upload/')) return 'upload';
  if (pathname.startsWith('/download/')) return 'download';
  if (pathname.endsWith('/oauth2/v2.0/token')) return 'token';
  return 'unknown';
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new DriveError(400, 'invalidRequest', 'the body is not JSON', true);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
