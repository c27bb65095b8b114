/**
 * A loopback emulator of the Drive v3 subset photosync uses, checking what Google checks
 * (shared/docs/cloud-apis.md §1): a bearer token on every call, `fields` honoured, files.list `q`,
 * client-chosen ids from generateIds (409 on reuse), multipart/related uploads as googleapis sends
 * them, resumable sessions (256 KiB multiples, Range on 308 and never Location, status queries,
 * expiry → 404), checksums and string sizes, the changes feed, about.storageQuota, and an OAuth
 * token endpoint. A request that breaks the protocol gets a loud 400 and is kept in `violations`,
 * so a test can assert photosync made none. Faults are injected per request for the error paths.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonBody, matches, readBody, receive, type Fault, type FaultMatch, type RequestRecord } from './gdrive-http.ts';
import { QueryError } from './gdrive-query.ts';
import { DriveRoutes, type Reply } from './gdrive-routes.ts';
import { DriveStore, FOLDER_MIME, type StoredFile } from './gdrive-store.ts';
import { DriveUploads, type SessionInfo } from './gdrive-uploads.ts';
import { DRIVE_ERRORS, WireError } from './gdrive-wire.ts';

export type { Fault, FaultMatch, RequestRecord, SessionInfo };

export interface GdriveEmulatorOptions {
  readonly clientId?: string;
  /** Items per page at most, whatever pageSize asks (Drive may return short pages). */
  readonly pageLimit?: number;
  readonly quotaLimit?: number | null;
  readonly accessTokenTtlSeconds?: number;
}

export class GdriveEmulator {
  readonly store: DriveStore;
  private readonly routes: DriveRoutes;
  readonly clientId: string;
  readonly log: RequestRecord[] = [];
  /** Requests refused as protocol errors: photosync's bugs. */
  readonly violations: string[] = [];
  readonly tokenRequests: { grantType: string; ok: boolean }[] = [];
  private readonly server: http.Server;
  private readonly uploads: DriveUploads;
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Set<string>();
  private readonly faults: { fault: Fault; match: FaultMatch; skip: number; left: number }[] = [];
  private readonly holds: { match: FaultMatch; arrived: () => void; gate: Promise<void>; done: () => void }[] = [];
  private readonly pageLimit: number;
  private readonly tokenTtl: number;
  private counter = 0;
  url = '';

  constructor(options: GdriveEmulatorOptions = {}) {
    this.clientId = options.clientId ?? 'photosync-test.apps.googleusercontent.com';
    this.pageLimit = options.pageLimit ?? 1000;
    this.tokenTtl = options.accessTokenTtlSeconds ?? 3599;
    this.store = new DriveStore(options.quotaLimit ?? null);
    this.routes = new DriveRoutes(this.store, this.pageLimit);
    this.uploads = new DriveUploads(this.store, this.routes, (req) => this.authorize(req), () => this.url);
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get apiUrl(): string {
    return `${this.url}/`;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** A refresh token the token endpoint accepts (what `photosync auth login` would have stored). */
  grant(): string {
    const token = `1//emulator-refresh-${++this.counter}`;
    this.refreshTokens.add(token);
    return token;
  }

  revokeGrants(): void {
    this.refreshTokens.clear();
  }

  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  expireSessions(): void {
    for (const s of this.uploads.sessions.values()) s.expired = true;
  }

  /** The next `times` matching requests (after `skip` of them went through) get the fault. */
  inject(fault: Fault, options: FaultMatch & { times?: number; skip?: number } = {}): void {
    const { times = 1, skip = 0, ...match } = options;
    this.faults.push({ fault, match, skip, left: times });
  }

  /** Forgets faults no request matched (a test that failed early leaves them behind). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * Holds the next matching request once its body has arrived, before it is carried out: the
   * way a slow server commits a request whose client already gave up. `release()` lets it run
   * and resolves when it has been carried out.
   */
  hold(match: FaultMatch): { reached: Promise<void>; release: () => Promise<void> } {
    let arrived!: () => void;
    let open!: () => void;
    let done!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const gate = new Promise<void>((r) => (open = r));
    const finished = new Promise<void>((r) => (done = r));
    this.holds.push({ match, arrived, gate, done });
    return {
      reached,
      release: async () => {
        open();
        await finished;
      },
    };
  }

  sessionInfo(): SessionInfo[] {
    return [...this.uploads.sessions.values()].map(({ uploadId, fileId, total, persisted, bytesReceived, puts, done, expired }) => ({
      uploadId, fileId, total, persisted, bytesReceived, puts, done, expired,
    }));
  }

  /** As another client: a file at a My Drive path, folders made where missing. */
  addFile(path: string, content: Buffer | string, mimeType = 'image/jpeg'): StoredFile {
    const parts = path.split('/');
    const name = parts.pop()!;
    const parent = this.store.folder(parts.join('/'));
    return this.store.create({ name, mimeType, parents: [parent.id], content: Buffer.from(content) });
  }

  trash(id: string): void {
    const f = this.mustGet(id);
    f.trashed = true;
    this.store.changed(f.id);
  }

  deleteForever(id: string): void {
    this.mustGet(id);
    this.store.files.delete(id);
    this.store.changed(id);
  }

  move(id: string, parentId: string, name?: string): void {
    const f = this.mustGet(id);
    f.parents = [this.store.resolveId(parentId)];
    if (name !== undefined) f.name = name;
    this.store.changed(f.id);
  }

  private mustGet(id: string): StoredFile {
    const f = this.store.get(id);
    if (!f) throw new Error(`emulator: no file ${id}`);
    return f;
  }

  private takeFault(method: string, url: URL): Fault | null {
    for (const entry of this.faults) {
      if (entry.left <= 0 || !matches(entry.match, method, url)) continue;
      if (entry.skip > 0) {
        entry.skip--;
        continue;
      }
      entry.left--;
      return entry.fault;
    }
    return null;
  }

  private async holdIfAsked(method: string, url: URL): Promise<(() => void) | null> {
    const index = this.holds.findIndex((h) => matches(h.match, method, url));
    if (index < 0) return null;
    const [held] = this.holds.splice(index, 1);
    held!.arrived();
    await held!.gate;
    return held!.done;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const record: RequestRecord = { method, path: url.pathname, query: url.searchParams, contentRange: req.headers['content-range'], bodyBytes: 0, status: 0 };
    this.log.push(record);
    const fault = this.takeFault(method, url);
    let reply: Reply | null;
    try {
      if (fault?.kind === 'error') {
        await receive(req, record, null);
        const err = DRIVE_ERRORS[fault.error]();
        throw fault.retryAfter === undefined ? err : new WireError(err.status, err.reason, err.message, { ...err.headers, 'retry-after': fault.retryAfter }, err.domain);
      }
      reply = await this.route(req, url, record, fault);
    } catch (err) {
      if (err instanceof QueryError) err = DRIVE_ERRORS.invalid('query', `Invalid Value: ${err.message}`);
      if (!(err instanceof WireError)) {
        this.violations.push(`emulator bug on ${method} ${url.pathname}: ${(err as Error).stack}`);
        err = new WireError(500, 'backendError', `emulator bug: ${(err as Error).message}`);
      }
      const wire = err as WireError;
      if (wire.status === 400 || wire.status === 405 || wire.status === 501) this.violations.push(`${method} ${url.pathname}${url.search}: ${wire.message}`);
      reply = { status: wire.status, headers: wire.headers, body: wire.body() };
    }
    if (reply === null) return;
    record.status = reply.status;
    if (fault?.kind === 'drop-response') {
      req.socket.destroy();
      return;
    }
    const isRaw = Buffer.isBuffer(reply.body) || typeof reply.body === 'string';
    const body = reply.body === undefined ? Buffer.alloc(0) : isRaw ? Buffer.from(reply.body as Buffer) : Buffer.from(JSON.stringify(reply.body));
    const headers: Record<string, string> = { 'content-length': String(body.length), ...reply.headers };
    if (!isRaw && reply.body !== undefined) headers['content-type'] = 'application/json; charset=UTF-8';
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  private authorize(req: http.IncomingMessage): void {
    const m = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
    const expires = m ? this.accessTokens.get(m[1]!) : undefined;
    if (expires === undefined || expires <= Date.now()) throw DRIVE_ERRORS.authError();
  }

  private async route(req: http.IncomingMessage, url: URL, record: RequestRecord, fault: Fault | null): Promise<Reply | null> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/token') {
      const body = await readBody(req, record, fault);
      return body === null ? null : this.token(req, body);
    }
    if (path === '/upload/drive/v3/files' && url.searchParams.has('upload_id')) return this.uploads.chunk(req, url, record, fault);
    const body = await readBody(req, record, fault);
    if (body === null) return null;
    const done = await this.holdIfAsked(method, url);
    try {
      return this.carryOut(req, url, body);
    } finally {
      done?.();
    }
  }

  private carryOut(req: http.IncomingMessage, url: URL, body: Buffer): Reply {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    this.authorize(req);
    const q = url.searchParams;
    if (path === '/upload/drive/v3/files') {
      if (method !== 'POST') throw new WireError(405, 'methodNotAllowed', `emulator: ${method} on the upload URL`);
      return this.uploads.upload(req, url, body);
    }
    if (method === 'GET' && path === '/drive/v3/about') return this.routes.about(q);
    if (method === 'GET' && path === '/drive/v3/files/generateIds') return this.routes.generateIds(q);
    if (method === 'GET' && path === '/drive/v3/files') return this.routes.list(q);
    if (method === 'POST' && path === '/drive/v3/files') {
      if (q.has('uploadType')) {
        throw DRIVE_ERRORS.badRequest('media sent to the metadata URL: uploads go to /upload/drive/v3/files (pass rootUrl per call)');
      }
      const meta = jsonBody(req, body);
      return this.routes.fileReply(this.store.create({ ...this.store.validate(meta, null, 0), content: null }), q);
    }
    if (method === 'GET' && path === '/drive/v3/changes/startPageToken') {
      return { status: 200, body: { kind: 'drive#startPageToken', startPageToken: String(this.store.changeSeq + 1) } };
    }
    if (method === 'GET' && path === '/drive/v3/changes') return this.routes.changes(q);
    const fileMatch = /^\/drive\/v3\/files\/([^/]+)$/.exec(path);
    if (method === 'GET' && fileMatch) return this.routes.getFile(decodeURIComponent(fileMatch[1]!), q);
    throw new WireError(501, 'notImplemented', `emulator: ${method} ${path} is not part of what photosync may call`);
  }

  private token(req: http.IncomingMessage, body: Buffer): Reply {
    if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
      throw DRIVE_ERRORS.badRequest('the token endpoint takes a form (application/x-www-form-urlencoded)');
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const grantType = form.get('grant_type') ?? '';
    const fail = (status: number, error: string, description: string): Reply => {
      this.tokenRequests.push({ grantType, ok: false });
      return { status, body: { error, error_description: description } };
    };
    if (grantType !== 'refresh_token') return fail(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
    if (form.get('client_id') !== this.clientId) return fail(401, 'invalid_client', 'The OAuth client was not found.');
    if (!this.refreshTokens.has(form.get('refresh_token') ?? '')) return fail(400, 'invalid_grant', 'Token has been expired or revoked.');
    const accessToken = `ya29.emulator-${++this.counter}`;
    this.accessTokens.set(accessToken, Date.now() + this.tokenTtl * 1000);
    this.tokenRequests.push({ grantType, ok: true });
    return {
      status: 200,
      body: { access_token: accessToken, expires_in: this.tokenTtl, scope: 'https://www.googleapis.com/auth/drive.file', token_type: 'Bearer' },
    };
  }
}

export async function startGdriveEmulator(options: GdriveEmulatorOptions = {}): Promise<GdriveEmulator> {
  return new GdriveEmulator(options).start();
}

export { FOLDER_MIME };
