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
import { DriveError, EmulatedDrive, type DriveType } from './onedrive-drive.ts';
import { FaultQueue, type Fault, type FaultOptions, type Place } from './onedrive-faults.ts';
import { EmulatedIdentity } from './onedrive-identity.ts';
import { UploadSessions } from './onedrive-sessions.ts';
import { serveGraph } from './onedrive-graph.ts';
import { selfSignedCertificate, trustingFetch, type TrustingFetch } from './tls.ts';

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
  readonly identity: EmulatedIdentity;
  readonly log: RequestRecord[] = [];
  readonly violations: string[] = [];
  conflictAt: 'session' | 'last-fragment';
  readonly pageSize: number;
  /** Download keys handed out in 302s → item ids. */
  readonly downloads = new Map<string, string>();
  private readonly faults = new FaultQueue();
  readonly deltaTokens = new Map<string, { seq: number; scope: string; expired: boolean }>();
  private server!: Server;
  private trust!: TrustingFetch;
  private port = 0;

  private constructor(options: OneDriveEmulatorOptions) {
    this.drive = new EmulatedDrive(options.driveType, options.quotaTotal ?? 5 * 1024 ** 3);
    this.sessions = new UploadSessions(this.drive, options.sessionTtlMs ?? 3_600_000);
    this.conflictAt = options.conflictAt ?? 'session';
    this.pageSize = options.pageSize ?? 200;
    this.identity = new EmulatedIdentity(options.revokeUsedRefreshTokens ?? false);
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

  get clientId(): string {
    return this.identity.clientId;
  }

  /** A refresh token as a sign-in would have stored it. */
  issueRefreshToken(): string {
    return this.identity.issueRefreshToken();
  }

  expireAccessTokens(): void {
    this.identity.expireAccessTokens();
  }

  expireDeltaTokens(): void {
    for (const t of this.deltaTokens.values()) t.expired = true;
  }

  /** The next requests matching `options` get `fault` (see FaultOptions). */
  inject(fault: Fault, options: FaultOptions = {}): void {
    this.faults.add(fault, options);
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
    const fault = place === 'unknown' ? null : this.faults.take(place, `${record.method} ${url.pathname}`);
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
      if (place === 'api') {
        const request = { method: record.method, url, authorization: req.headers.authorization, body };
        return serveGraph(this, request, { json: (...a) => this.json(ex, ...a), error: (...a) => this.error(ex, ...a), send: (...a) => this.send(ex, ...a) });
      }
      throw new DriveError(404, 'itemNotFound', `nothing is served at ${url.pathname}`, true);
    } catch (err) {
      if (!(err instanceof DriveError)) throw err;
      if (err.violation) this.violations.push(`${record.method} ${url.pathname}: ${err.message}`);
      this.error(ex, err.status, err.code, err.message);
    }
  }

  private faultReply(ex: Exchange, fault: Extract<Fault, { status: number }>): void {
    const throttled = fault.status === 429 || fault.status === 503;
    const code = fault.status === 429 ? 'activityLimitReached' : fault.status === 503 ? 'serviceNotAvailable' : fault.status === 416 ? 'invalidRange' : 'generalException';
    const headers: Record<string, string> = throttled && 'retryAfter' in fault && fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
    this.error(ex, fault.status, code, `injected ${fault.status}`, headers);
  }

  private token(ex: Exchange, body: Buffer): void {
    if (ex.req.method !== 'POST') throw new DriveError(405, 'invalidRequest', 'the token endpoint takes POST', true);
    const { status, payload } = this.identity.token(new URLSearchParams(body.toString('utf8')));
    this.json(ex, status, payload);
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
