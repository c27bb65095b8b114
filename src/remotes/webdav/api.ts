/**
 * The HTTP side of the WebDAV remote: one undici Pool per share (keep-alive, `transfers`
 * connections), requests by path under the share, answers classified into RemoteErrors.
 *
 * Why undici rather than the `webdav` package: photosync needs exact control of the wire, and the
 * package decides things for it. Its putFileContents sends no Content-Length for streams and turns
 * a 412 into `false`; createDirectory PROPFINDs every ancestor and fails on 405 when two uploads
 * race to create a folder; its PROPFINDs have no body (allprop), so quota properties may be
 * missing; and it gives no hook to abort a PUT when the body's stream fails. Those are the four
 * things this remote is about, so it speaks HTTP itself (undici is what Node's fetch is built on).
 */
import { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { VERSION } from '../../version.ts';
import { RemoteError } from '../errors.ts';
import { classifyNetworkError, classifyResponse, type ClassifyContext } from './errors.ts';
import { DavPaths } from './paths.ts';
import { MultistatusCutShort, MultistatusParser, type DavResponse } from './xml.ts';

export interface DavClientOptions {
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  /** Most requests in flight at once (the remote's `transfers`). */
  readonly connections: number;
  /** Longest silence (waiting for an answer, or between bytes of a body) before a request fails, ms. */
  readonly timeoutMs: number;
  readonly classify: ClassifyContext;
}

export type DavReply = Dispatcher.ResponseData;

export interface SendOptions {
  readonly collection?: boolean;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | Readable;
  readonly signal?: AbortSignal | undefined;
}

export interface PutOptions {
  readonly size: number;
  readonly ifNoneMatch?: boolean;
  /**
   * When the source fails, finish the request with zero bytes instead of aborting it, then throw
   * the source's error. Only for a temporary name, which is deleted next: a server that writes a
   * PUT straight into its target (webdav-server does) goes on with an aborted PUT after the client
   * has gone, and may create the file after a DELETE sent at once. A completed PUT is finished
   * business on the server when the DELETE arrives. Past MAX_PADDING (a large file whose source
   * vanished early) the request is aborted after all: a leftover temporary file is invisible to
   * list() and harmless, a gigabyte of zeros on the wire is not.
   */
  readonly padOnSourceError?: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((sentBytes: number) => void) | undefined;
}

export type Depth = '0' | '1' | 'infinity';

const PADDING = Buffer.alloc(256 * 1024);
const MAX_PADDING = 16 * 1024 * 1024;

export class DavClient {
  readonly paths: DavPaths;
  private readonly pool: Pool;
  private readonly authorization: string | null;
  private readonly classify: ClassifyContext;
  private closing: Promise<void> | null = null;

  constructor(options: DavClientOptions) {
    this.paths = new DavPaths(options.url);
    this.classify = options.classify;
    this.authorization =
      options.username !== null && options.password !== null
        ? `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`
        : null;
    // Connections open on first use: constructing the pool does no I/O.
    // A body cut short on a kept-alive connection never ends by itself: only the timeout ends it.
    this.pool = new Pool(this.paths.origin, {
      connections: Math.max(1, options.connections),
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /**
   * Sends one request; a connection failure comes back as a classified RemoteError. The caller
   * reads or dumps the body. A request without a streamed body is sent once more at once if its
   * connection broke: the usual cause is a kept-alive connection the server closed as it was
   * reused, and listing has no retry above it. Repeating is safe: a MKCOL that had in fact worked
   * answers 405 (taken as done), a MOVE 404 (its temporary file is gone: the remote then reports
   * the name taken, and the executor finds its own content there), the
   * If-None-Match probe 412 on its fresh name (taken as "not honoured", the cautious answer).
   */
  async send(method: string, relPath: string, options: SendOptions = {}): Promise<DavReply> {
    const headers: Record<string, string> = { 'user-agent': `photosync/${VERSION}`, ...options.headers };
    if (this.authorization) headers.authorization = this.authorization;
    const attempts = options.body instanceof Readable ? 1 : 2;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.request({
          method: method as Dispatcher.HttpMethod,
          path: this.paths.target(relPath, options.collection),
          headers,
          body: options.body ?? null,
          signal: options.signal ?? null,
        });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        const classified = classifyNetworkError(this.classify, err, `${method} ${relPath === '' ? '/' : relPath}`);
        if (attempt >= attempts || classified.failure !== 'retryable') throw classified;
      }
    }
  }

  /** Turns an unwanted answer into its RemoteError (reading the start of the body for the message). */
  async failure(method: string, relPath: string, reply: DavReply): Promise<never> {
    const body = await excerpt(reply);
    throw classifyResponse(this.classify, { method, path: relPath, status: reply.statusCode, headers: reply.headers, body });
  }

  /**
   * PUT with a body of exactly `size` bytes, streamed. If the source stream fails (the file changed
   * since the scan), the request is aborted before its last bytes, so the server never sees a
   * complete body; that error is rethrown as it is.
   */
  async put(relPath: string, source: Readable, options: PutOptions): Promise<DavReply> {
    let sourceError: unknown;
    let sent = 0;
    const counted = async function* (): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          sent += chunk.length;
          options.onProgress?.(sent);
          yield chunk;
        }
      } catch (err) {
        sourceError = err;
        if (!options.padOnSourceError || options.size - sent > MAX_PADDING) throw err;
        for (let left = options.size - sent; left > 0; left -= PADDING.length) yield PADDING.subarray(0, Math.min(left, PADDING.length));
      }
    };
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(options.size) };
    if (options.ifNoneMatch) headers['if-none-match'] = '*';
    let reply: DavReply;
    try {
      reply = await this.send('PUT', relPath, { headers, body: Readable.from(counted(), { objectMode: false }), signal: options.signal });
    } catch (err) {
      throw sourceError ?? err;
    } finally {
      source.destroy();
    }
    if (sourceError !== undefined) {
      await reply.body.dump();
      throw sourceError;
    }
    return reply;
  }

  /** PROPFIND asking for the named DAV: properties only (never allprop, which may leave out quota). */
  propfind(relPath: string, depth: Depth, props: readonly string[], options: { collection?: boolean; signal?: AbortSignal | undefined } = {}): Promise<DavReply> {
    const body =
      '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop>' +
      props.map((p) => `<D:${p}/>`).join('') +
      '</D:prop></D:propfind>';
    return this.send('PROPFIND', relPath, {
      collection: options.collection ?? relPath === '',
      headers: { depth, 'content-type': 'application/xml; charset=utf-8' },
      body,
      signal: options.signal,
    });
  }

  /** MKCOL; the status is the answer (201 made, 405 already there, 409 parent missing). */
  async mkcol(relPath: string, signal?: AbortSignal): Promise<number> {
    const reply = await this.send('MKCOL', relPath, { collection: true, signal });
    if (reply.statusCode === 201 || reply.statusCode === 405 || reply.statusCode === 409) {
      await reply.body.dump();
      return reply.statusCode;
    }
    return this.failure('MKCOL', relPath, reply);
  }

  /** MOVE without overwriting: the server must answer 412 if `to` exists (RFC 4918 §9.9.3). */
  move(from: string, to: string, signal?: AbortSignal): Promise<DavReply> {
    return this.send('MOVE', from, { headers: { destination: this.paths.url(to), overwrite: 'F' }, signal });
  }

  /** The responses of a 207 body, as they arrive; a broken connection or body is a classified error. */
  async *responses(reply: DavReply, what: string): AsyncGenerator<DavResponse> {
    const parser = new MultistatusParser();
    reply.body.setEncoding('utf8');
    const parse = (step: () => DavResponse[]): DavResponse[] => {
      try {
        return step();
      } catch (err) {
        const failure = err instanceof MultistatusCutShort ? 'retryable' : 'fatal';
        throw new RemoteError(this.classify.remote, failure, `${what}: ${(err as Error).message}`);
      }
    };
    try {
      const chunks = reply.body as AsyncIterable<string>;
      const iterator = chunks[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<string>;
        try {
          next = await iterator.next();
        } catch (err) {
          throw classifyNetworkError(this.classify, err, what);
        }
        if (next.done) break;
        yield* parse(() => parser.write(next.value));
      }
      yield* parse(() => parser.end());
    } finally {
      // Stopping early (the caller broke out of its loop) must still free the connection.
      if (!reply.body.readableEnded) reply.body.destroy();
    }
  }

  close(): Promise<void> {
    this.closing ??= this.pool.close();
    return this.closing;
  }
}


/** The start of an error answer's body, for the message; the rest is not read. */
async function excerpt(reply: DavReply, limit = 2000): Promise<string> {
  let text = '';
  try {
    reply.body.setEncoding('utf8');
    for await (const chunk of reply.body as AsyncIterable<string>) {
      text += chunk;
      if (text.length >= limit) break;
    }
  } catch {
    /* the status says enough */
  } finally {
    if (!reply.body.readableEnded) reply.body.destroy();
  }
  return text.slice(0, limit);
}
