/**
 * Uploads in the Drive emulator: multipart/related and media in one request, and resumable
 * sessions by the rules (256 KiB multiples except the last chunk, a chunk must start where the
 * session's Range ended, 308 with Range and never Location, status queries, 404 once expired).
 */
import type http from 'node:http';
import { jsonBody, readBody, receive, type Fault, type RequestRecord } from './gdrive-http.ts';
import type { DriveRoutes, Reply } from './gdrive-routes.ts';
import type { DriveStore } from './gdrive-store.ts';
import { DRIVE_ERRORS, WireError, parseContentRange, parseMultipart } from './gdrive-wire.ts';

const CHUNK_UNIT = 256 * 1024;

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

export class DriveUploads {
  readonly sessions = new Map<string, Session>();
  private readonly store: DriveStore;
  private readonly routes: DriveRoutes;
  private readonly authorize: (req: http.IncomingMessage) => void;
  private readonly baseUrl: () => string;
  private counter = 0;

  constructor(store: DriveStore, routes: DriveRoutes, authorize: (req: http.IncomingMessage) => void, baseUrl: () => string) {
    this.store = store;
    this.routes = routes;
    this.authorize = authorize;
    this.baseUrl = baseUrl;
  }

  upload(req: http.IncomingMessage, url: URL, body: Buffer): Reply {
    const q = url.searchParams;
    const type = q.get('uploadType');
    if (type === 'multipart') {
      const { metadata, mediaType, media } = parseMultipart(req.headers['content-type'] ?? '', body);
      const file = this.store.validate(metadata, mediaType, media.length);
      return this.routes.fileReply(this.store.create({ ...file, content: media }), q);
    }
    if (type === 'media') {
      const file = this.store.validate({}, req.headers['content-type'] ?? null, body.length);
      return this.routes.fileReply(this.store.create({ ...file, content: body }), q);
    }
    if (type === 'resumable') {
      const metadata = jsonBody(req, body);
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
      return { status: 200, headers: { location: `${this.baseUrl()}/upload/drive/v3/files?uploadType=resumable&upload_id=${uploadId}` } };
    }
    throw DRIVE_ERRORS.invalid('uploadType', `Invalid uploadType ${type}`);
  }

  private incomplete(session: Session): Reply {
    // 308 Resume Incomplete: Range only once something is persisted, and never a Location.
    return { status: 308, headers: session.persisted > 0 ? { range: `bytes=0-${session.persisted - 1}` } : {} };
  }

  async chunk(req: http.IncomingMessage, url: URL, record: RequestRecord, fault: Fault | null): Promise<Reply | null> {
    const method = req.method ?? 'PUT';
    const session = this.sessions.get(url.searchParams.get('upload_id') ?? '');
    const drain = async (): Promise<boolean> => (await readBody(req, record, fault)) !== null;
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
      const { data, complete } = await receive(req, record, fault);
      if (!complete) return null;
      if (range.kind === 'status' && data.length > 0) throw DRIVE_ERRORS.badRequest('a status query (bytes */total) has an empty body');
      if (session.done) return this.routes.fileReply(this.store.get(session.done)!, new URLSearchParams(), session.fields);
      return this.incomplete(session);
    }
    if (range.first !== session.persisted) {
      await drain();
      throw DRIVE_ERRORS.badRequest(
        `emulator: chunk starts at byte ${range.first} but the session holds ${session.persisted}; continue after the Range of the last 308`,
      );
    }
    const total = range.total ?? session.total;
    const { data, complete } = await receive(req, record, fault);
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
    return this.routes.fileReply(stored, new URLSearchParams(), session.fields);
  }
}
