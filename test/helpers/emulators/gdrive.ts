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
import { applySelection, parseFields, parseQuery, QueryError, type Selection } from './gdrive-query.ts';
import { DriveStore, FILE_FIELDS, FOLDER_MIME, fileResource, type StoredFile } from './gdrive-store.ts';
import { DRIVE_ERRORS, WireError, parseContentRange, parseMultipart, type DriveErrorName } from './gdrive-wire.ts';

const CHUNK_UNIT = 256 * 1024;

export type Fault =
  | { readonly kind: 'error'; readonly error: DriveErrorName; readonly retryAfter?: string }
  /** The connection is cut after this many bytes of the request body (0: before any). */
  | { readonly kind: 'drop-request'; readonly afterBodyBytes: number }
  /** The request is carried out, then the connection is cut instead of answering. */
  | { readonly kind: 'drop-response' }
  /** A resumable chunk arrives whole but Drive keeps only this many of its bytes (whole 256 KiB units): 308 with a shorter Range. */
  | { readonly kind: 'short-persist'; readonly keepBytes: number };

export interface FaultMatch {
  readonly method?: string;
  readonly path?: string | RegExp;
  /** Matches the uploadType query parameter (resumable chunks carry uploadType=resumable too). */
  readonly uploadType?: string;
  /** Only requests that carry an upload_id (resumable chunks and status queries). */
  readonly chunk?: boolean;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentRange: string | undefined;
  bodyBytes: number;
  status: number;
}

export interface SessionInfo {
  readonly uploadId: string;
  readonly fileId: string | undefined;
  readonly total: number | null;
  persisted: number;
  /** Every body byte that arrived for this session, including those of cut-off requests. */
  bytesReceived: number;
  /** Each chunk request: where it started and how many bytes arrived. */
  readonly puts: { first: number; received: number }[];
  done: string | null;
  expired: boolean;
}

interface Session extends SessionInfo {
  readonly metadata: Record<string, unknown>;
  readonly mediaType: string | null;
  readonly fields: string | null;
  readonly data: Buffer[];
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | unknown;
}

export interface GdriveEmulatorOptions {
  readonly clientId?: string;
  /** Items per page at most, whatever pageSize asks (Drive may return short pages). */
  readonly pageLimit?: number;
  readonly quotaLimit?: number | null;
  readonly accessTokenTtlSeconds?: number;
}

const LIST_FIELDS: Record<string, readonly string[]> = {
  '': ['kind', 'nextPageToken', 'incompleteSearch', 'files'],
  files: FILE_FIELDS,
};
const CHANGE_FIELDS: Record<string, readonly string[]> = {
  '': ['kind', 'nextPageToken', 'newStartPageToken', 'changes'],
  changes: ['kind', 'changeType', 'time', 'removed', 'fileId', 'file'],
  file: FILE_FIELDS,
};
const ABOUT_FIELDS: Record<string, readonly string[]> = {
  '': ['kind', 'storageQuota'],
  storageQuota: ['limit', 'usage', 'usageInDrive', 'usageInDriveTrash'],
};
const DEFAULT_FILE: Selection = new Map(['kind', 'id', 'name', 'mimeType'].map((k) => [k, null]));

export class GdriveEmulator {
  readonly store: DriveStore;
  readonly clientId: string;
  readonly log: RequestRecord[] = [];
  /** Requests refused as protocol errors: photosync's bugs. */
  readonly violations: string[] = [];
  readonly tokenRequests: { grantType: string; ok: boolean }[] = [];
  private readonly server: http.Server;
  private readonly sessions = new Map<string, Session>();
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
    for (const s of this.sessions.values()) s.expired = true;
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
    return [...this.sessions.values()].map(({ uploadId, fileId, total, persisted, bytesReceived, puts, done, expired }) => ({
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
        await this.receive(req, record, null);
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

  /**
   * Reads a request body. With a drop fault the connection is cut after that many bytes; a
   * client that gives up mid-body also ends here. Returns what arrived and whether that was all.
   */
  private receive(req: http.IncomingMessage, record: RequestRecord, fault: Fault | null): Promise<{ data: Buffer; complete: boolean }> {
    const dropAt = fault?.kind === 'drop-request' ? fault.afterBodyBytes : Infinity;
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let length = 0;
      let settled = false;
      const finish = (complete: boolean): void => {
        if (settled) return;
        settled = true;
        record.bodyBytes = length;
        resolve({ data: Buffer.concat(chunks), complete });
      };
      if (dropAt === 0) {
        req.socket.destroy();
        finish(false);
        return;
      }
      req.on('data', (chunk: Buffer) => {
        if (settled) return;
        const take = Math.min(chunk.length, dropAt - length);
        chunks.push(chunk.subarray(0, take));
        length += take;
        if (length >= dropAt) {
          req.socket.destroy();
          finish(false);
        }
      });
      req.on('end', () => finish(true));
      req.on('close', () => finish(false));
      req.on('error', () => finish(false));
    });
  }

  private async body(req: http.IncomingMessage, record: RequestRecord, fault: Fault | null): Promise<Buffer | null> {
    const { data, complete } = await this.receive(req, record, fault);
    return complete ? data : null;
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
      const body = await this.body(req, record, fault);
      return body === null ? null : this.token(req, body);
    }
    if (path === '/upload/drive/v3/files' && url.searchParams.has('upload_id')) return this.chunk(req, url, record, fault);
    const body = await this.body(req, record, fault);
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
      return this.upload(req, url, body);
    }
    if (method === 'GET' && path === '/drive/v3/about') return this.about(q);
    if (method === 'GET' && path === '/drive/v3/files/generateIds') return this.generateIds(q);
    if (method === 'GET' && path === '/drive/v3/files') return this.list(q);
    if (method === 'POST' && path === '/drive/v3/files') {
      if (q.has('uploadType')) {
        throw DRIVE_ERRORS.badRequest('media sent to the metadata URL: uploads go to /upload/drive/v3/files (pass rootUrl per call)');
      }
      const meta = this.json(req, body);
      return this.fileReply(this.store.create({ ...this.store.validate(meta, null, 0), content: null }), q);
    }
    if (method === 'GET' && path === '/drive/v3/changes/startPageToken') {
      return { status: 200, body: { kind: 'drive#startPageToken', startPageToken: String(this.store.changeSeq + 1) } };
    }
    if (method === 'GET' && path === '/drive/v3/changes') return this.changes(q);
    const fileMatch = /^\/drive\/v3\/files\/([^/]+)$/.exec(path);
    if (method === 'GET' && fileMatch) return this.getFile(decodeURIComponent(fileMatch[1]!), q);
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

  private json(req: http.IncomingMessage, body: Buffer): Record<string, unknown> {
    if (body.length === 0) return {};
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) throw DRIVE_ERRORS.badRequest('metadata must be sent as application/json');
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      /* answered below */
    }
    throw DRIVE_ERRORS.badRequest('metadata is not a JSON object');
  }

  private select(q: URLSearchParams, value: unknown, known: Record<string, readonly string[]>, defaults: Selection): unknown {
    const fields = q.get('fields');
    try {
      return applySelection(value, fields === null ? defaults : parseFields(fields), (key) => known[key] ?? null);
    } catch (err) {
      if (err instanceof QueryError) throw DRIVE_ERRORS.invalid('fields', err.message);
      throw err;
    }
  }

  private fileReply(file: StoredFile, q: URLSearchParams, fields = q.get('fields')): Reply {
    const params = new URLSearchParams(fields === null ? {} : { fields });
    return { status: 200, body: this.select(params, fileResource(file), { '': FILE_FIELDS }, DEFAULT_FILE) };
  }

  private pageSize(q: URLSearchParams, fallback: number): number {
    const raw = q.get('pageSize');
    const asked = raw === null ? fallback : Number(raw);
    if (!Number.isInteger(asked) || asked < 1) throw DRIVE_ERRORS.invalid('pageSize', `Invalid pageSize ${raw}`);
    return Math.min(asked, 1000, this.pageLimit);
  }

  private list(q: URLSearchParams): Reply {
    const query = q.get('q') ?? '';
    const predicate = query === '' ? () => true : parseQuery(query, this.store.resolveId);
    const orderBy = q.get('orderBy') ?? '';
    if (!['', 'createdTime', 'name'].includes(orderBy)) throw DRIVE_ERRORS.invalid('orderBy', `emulator: unsupported orderBy ${orderBy}`);
    const size = this.pageSize(q, 100);
    const token = q.get('pageToken');
    let offset = 0;
    if (token !== null) {
      const parsed = decodeToken(token);
      if (!parsed || parsed.q !== query || parsed.orderBy !== orderBy) throw DRIVE_ERRORS.invalid('pageToken', 'Invalid Value: pageToken does not belong to this query');
      offset = parsed.offset;
    }
    const matches = [...this.store.files.values()].filter((f) => f.parents.length > 0 && predicate(f));
    if (orderBy === 'name') matches.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = matches.slice(offset, offset + size);
    const result: Record<string, unknown> = { kind: 'drive#fileList', incompleteSearch: false, files: page.map(fileResource) };
    if (offset + size < matches.length) result['nextPageToken'] = encodeToken({ q: query, orderBy, offset: offset + size });
    return { status: 200, body: this.select(q, result, LIST_FIELDS, new Map([['kind', null], ['nextPageToken', null], ['incompleteSearch', null], ['files', DEFAULT_FILE]])) };
  }

  private getFile(id: string, q: URLSearchParams): Reply {
    const file = this.store.get(id);
    if (!file) throw DRIVE_ERRORS.notFound(id);
    const alt = q.get('alt');
    if (alt === 'media') {
      if (!file.content) throw new WireError(403, 'fileNotDownloadable', 'Only files with binary content can be downloaded.');
      return { status: 200, headers: { 'content-type': file.mimeType }, body: file.content };
    }
    if (alt !== null && alt !== 'json') throw DRIVE_ERRORS.invalid('alt', `Invalid alt ${alt}`);
    return this.fileReply(file, q);
  }

  private generateIds(q: URLSearchParams): Reply {
    const count = Number(q.get('count') ?? '10');
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw DRIVE_ERRORS.invalid('count', `count must be 1..1000, got ${q.get('count')}`);
    const space = q.get('space') ?? 'drive';
    if (space !== 'drive') throw DRIVE_ERRORS.invalid('space', `emulator: only space=drive, got ${space}`);
    if ((q.get('type') ?? 'files') !== 'files') throw DRIVE_ERRORS.invalid('type', 'emulator: only type=files');
    return { status: 200, body: { kind: 'drive#generatedIds', space, ids: this.store.generateIds(count) } };
  }

  private about(q: URLSearchParams): Reply {
    if (!q.has('fields')) throw DRIVE_ERRORS.badRequest("The 'fields' parameter is required for this method.");
    const usage = this.store.usage();
    const storageQuota: Record<string, string> = { usage: String(usage), usageInDrive: String(usage), usageInDriveTrash: String(this.store.trashUsage()) };
    if (this.store.quotaLimit !== null) storageQuota['limit'] = String(this.store.quotaLimit);
    return { status: 200, body: this.select(q, { kind: 'drive#about', storageQuota }, ABOUT_FIELDS, new Map()) };
  }

  private changes(q: URLSearchParams): Reply {
    const raw = q.get('pageToken');
    if (raw === null) throw DRIVE_ERRORS.badRequest('Required parameter: pageToken');
    const token = Number(raw);
    if (!/^\d+$/.test(raw) || token < 1 || token > this.store.changeSeq + 1) throw DRIVE_ERRORS.invalid('pageToken', `Invalid Value: pageToken ${raw}`);
    const includeRemoved = q.get('includeRemoved') !== 'false';
    const size = this.pageSize(q, 100);
    const all = this.store.changesSince(token).filter((c) => includeRemoved || this.store.files.has(c.fileId));
    const page = all.slice(0, size);
    const changes = page.map((c) => {
      const file = this.store.files.get(c.fileId);
      return { kind: 'drive#change', changeType: 'file', fileId: c.fileId, time: c.time, removed: !file, ...(file ? { file: fileResource(file) } : {}) };
    });
    const result: Record<string, unknown> = { kind: 'drive#changeList', changes };
    if (all.length > size) result['nextPageToken'] = String(page[page.length - 1]!.seq + 1);
    else result['newStartPageToken'] = String(this.store.changeSeq + 1);
    const defaults: Selection = new Map<string, Selection | null>([
      ['kind', null], ['nextPageToken', null], ['newStartPageToken', null],
      ['changes', new Map<string, Selection | null>([['kind', null], ['changeType', null], ['time', null], ['removed', null], ['fileId', null], ['file', DEFAULT_FILE]])],
    ]);
    return { status: 200, body: this.select(q, result, CHANGE_FIELDS, defaults) };
  }

  private upload(req: http.IncomingMessage, url: URL, body: Buffer): Reply {
    const q = url.searchParams;
    const type = q.get('uploadType');
    if (type === 'multipart') {
      const { metadata, mediaType, media } = parseMultipart(req.headers['content-type'] ?? '', body);
      const file = this.store.validate(metadata, mediaType, media.length);
      return this.fileReply(this.store.create({ ...file, content: media }), q);
    }
    if (type === 'media') {
      const file = this.store.validate({}, req.headers['content-type'] ?? null, body.length);
      return this.fileReply(this.store.create({ ...file, content: body }), q);
    }
    if (type === 'resumable') {
      const metadata = this.json(req, body);
      const declared = req.headers['x-upload-content-length'];
      const total = declared === undefined ? null : Number(declared);
      if (total !== null && (!Number.isSafeInteger(total) || total < 0)) throw DRIVE_ERRORS.badRequest(`bad X-Upload-Content-Length ${declared}`);
      const mediaType = (req.headers['x-upload-content-type'] as string | undefined) ?? null;
      this.store.validate(metadata, mediaType, total ?? 0);
      const uploadId = `emu-upload-${++this.counter}`;
      this.sessions.set(uploadId, {
        uploadId, fileId: metadata['id'] as string | undefined, total, persisted: 0, bytesReceived: 0, puts: [], done: null, expired: false,
        metadata, mediaType, fields: q.get('fields'), data: [],
      });
      return { status: 200, headers: { location: `${this.url}/upload/drive/v3/files?uploadType=resumable&upload_id=${uploadId}` } };
    }
    throw DRIVE_ERRORS.invalid('uploadType', `Invalid uploadType ${type}`);
  }

  private incomplete(session: Session): Reply {
    // 308 Resume Incomplete: Range only once something is persisted, and never a Location.
    return { status: 308, headers: session.persisted > 0 ? { range: `bytes=0-${session.persisted - 1}` } : {} };
  }

  private async chunk(req: http.IncomingMessage, url: URL, record: RequestRecord, fault: Fault | null): Promise<Reply | null> {
    const method = req.method ?? 'PUT';
    const session = this.sessions.get(url.searchParams.get('upload_id') ?? '');
    const drain = async (): Promise<boolean> => (await this.body(req, record, fault)) !== null;
    if (method !== 'PUT' && method !== 'POST') {
      await drain();
      throw new WireError(405, 'methodNotAllowed', `emulator: ${method} on an upload session`);
    }
    try {
      this.authorize(req);
    } catch (err) {
      if (!(await drain())) return null;
      throw err;
    }
    if (!session || session.expired) {
      if (!(await drain())) return null;
      return { status: 404, body: { error: { code: 404, message: 'Not Found' } } };
    }
    let range;
    try {
      range = parseContentRange(req.headers['content-range']);
    } catch (err) {
      await drain();
      throw err;
    }
    if (range.total !== null && session.total !== null && range.total !== session.total) {
      await drain();
      throw DRIVE_ERRORS.badRequest(`Content-Range total ${range.total} differs from the session's ${session.total}`);
    }
    if (range.kind === 'status' || session.done) {
      const { data, complete } = await this.receive(req, record, fault);
      if (!complete) return null;
      if (range.kind === 'status' && data.length > 0) throw DRIVE_ERRORS.badRequest('a status query (bytes */total) has an empty body');
      if (session.done) return this.fileReply(this.store.get(session.done)!, new URLSearchParams(), session.fields);
      return this.incomplete(session);
    }
    if (range.first !== session.persisted) {
      await drain();
      throw DRIVE_ERRORS.badRequest(
        `emulator: chunk starts at byte ${range.first} but the session holds ${session.persisted}; continue after the Range of the last 308`,
      );
    }
    const total = range.total ?? session.total;
    const { data, complete } = await this.receive(req, record, fault);
    session.bytesReceived += data.length;
    session.puts.push({ first: range.first, received: data.length });
    if (!complete) {
      // Cut off mid-chunk: the server keeps what it had persisted, in whole 256 KiB units.
      const keep = Math.floor(data.length / CHUNK_UNIT) * CHUNK_UNIT;
      if (keep > 0) {
        session.data.push(data.subarray(0, keep));
        session.persisted += keep;
      }
      return null;
    }
    const length = range.last - range.first + 1;
    if (data.length !== length) throw DRIVE_ERRORS.badRequest(`Content-Range announces ${length} bytes, the body has ${data.length}`);
    if (total !== null && range.last + 1 > total) throw DRIVE_ERRORS.badRequest(`Content-Range ${record.contentRange} goes past the total`);
    const final = total !== null && range.last + 1 === total;
    if (!final && length % CHUNK_UNIT !== 0) {
      throw DRIVE_ERRORS.badRequest(
        `Invalid request. The number of bytes uploaded is required to be equal or greater than 262144, except for the final request (it's recommended to be the exact multiple of 262144). The received request contained ${length} bytes, which does not meet this requirement.`,
      );
    }
    if (fault?.kind === 'short-persist') {
      const keep = Math.min(length, Math.floor(fault.keepBytes / CHUNK_UNIT) * CHUNK_UNIT);
      session.data.push(data.subarray(0, keep));
      session.persisted += keep;
      return this.incomplete(session);
    }
    session.data.push(data);
    session.persisted += length;
    if (!final) return this.incomplete(session);
    const file = this.store.validate(session.metadata, session.mediaType, session.persisted);
    const stored = this.store.create({ ...file, content: Buffer.concat(session.data) });
    session.done = stored.id;
    return this.fileReply(stored, new URLSearchParams(), session.fields);
  }
}

function matches(match: FaultMatch, method: string, url: URL): boolean {
  if (match.method && match.method !== method) return false;
  if (typeof match.path === 'string' && match.path !== url.pathname) return false;
  if (match.path instanceof RegExp && !match.path.test(url.pathname)) return false;
  if (match.uploadType && url.searchParams.get('uploadType') !== match.uploadType) return false;
  if (match.chunk !== undefined && url.searchParams.has('upload_id') !== match.chunk) return false;
  return true;
}

function encodeToken(t: { q: string; orderBy: string; offset: number }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string): { q: string; orderBy: string; offset: number } | null {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { q: string; orderBy: string; offset: number };
    return typeof t.q === 'string' && typeof t.offset === 'number' ? t : null;
  } catch {
    return null;
  }
}

export async function startGdriveEmulator(options: GdriveEmulatorOptions = {}): Promise<GdriveEmulator> {
  return new GdriveEmulator(options).start();
}

export { FOLDER_MIME };
