/**
 * The Dropbox SDK, wired for photosync: tokens come from photosync's token source (the SDK never
 * refreshes on its own, so rotation and storage stay in auth/), requests go through Node's fetch
 * with the call's abort signal, and `api_url` redirects the SDK's fixed hosts (it has no base-URL
 * option: cloud-apis.md §2.8). A 401 for an expired or invalid token gets one refresh and one retry.
 *
 * The SDK in v10.34 is written for node-fetch v2: it hands fetch a plain header object and a
 * Buffer or string body, and reads downloads with `res.buffer()`, which whatwg fetch lacks. Its
 * download also holds the whole file in memory, so `download` here streams without it.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Dropbox, DropboxAuth, DropboxResponseError, type DropboxResponse } from 'dropbox';
import type { AccessTokenProvider } from '../../auth/tokens.ts';
import { isExpiredToken, NetworkError } from './errors.ts';

export interface DropboxApiOptions {
  /** Base URL that stands for every Dropbox host: https://api.dropboxapi.com/2/x → {apiUrl}/api/2/x. */
  readonly apiUrl: string | null;
  readonly tokens: AccessTokenProvider;
  readonly fetch?: typeof fetch;
}

type SdkFetch = (url: string, init: { method: string; headers: Record<string, string>; body?: Buffer | string | null }) => Promise<SdkResponse>;

/** What the SDK reads of a response (node-fetch v2's shape), over a body read in full. */
interface SdkResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  text(): Promise<string>;
  json(): Promise<unknown>;
  buffer(): Promise<Buffer>;
}

const HOST = /^https:\/\/(api|content|notify)\.dropboxapi\.com\//;

/** The same escaping the SDK applies to Dropbox-API-Arg: header values must be ASCII. */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class DropboxApi {
  private readonly apiUrl: string | null;
  private readonly tokens: AccessTokenProvider;
  private readonly fetchImpl: typeof fetch;

  constructor(options: DropboxApiOptions) {
    this.apiUrl = options.apiUrl?.replace(/\/+$/, '') ?? null;
    this.tokens = options.tokens;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Runs one SDK route with a fresh token; its result, or the SDK's error (see errors.ts). */
  async call<T>(run: (sdk: Dropbox) => Promise<DropboxResponse<T>>, signal?: AbortSignal): Promise<T> {
    return this.withToken(async (token) => (await run(this.client(token, signal))).result);
  }

  /** files/download as a stream of the file's bytes. */
  async download(path: string, signal?: AbortSignal): Promise<Readable> {
    return this.withToken(async (token) => {
      const response = await this.send(
        'https://content.dropboxapi.com/2/files/download',
        { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': headerSafeJson({ path }) } },
        signal,
      );
      if (!response.ok) throw await responseError(response);
      return response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    });
  }

  private async withToken<T>(run: (token: string) => Promise<T>): Promise<T> {
    try {
      return await run(await this.tokens.get());
    } catch (err) {
      if (!isExpiredToken(err)) throw err;
      return run(await this.tokens.refresh());
    }
  }

  /** A client per call: each carries its own token and signal, and no SDK state is shared. */
  private client(token: string, signal: AbortSignal | undefined): Dropbox {
    const sdkFetch: SdkFetch = async (url, init) => {
      const response = await this.send(url, { method: init.method, headers: init.headers, body: init.body ?? null }, signal);
      let body: Buffer;
      try {
        body = Buffer.from(await response.arrayBuffer());
      } catch (err) {
        throw networkError(err, signal);
      }
      return {
        ok: response.ok,
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        text: async () => body.toString('utf8'),
        json: async () => JSON.parse(body.toString('utf8')) as unknown,
        buffer: async () => body,
      };
    };
    return new Dropbox({ auth: new DropboxAuth({ accessToken: token, fetch: sdkFetch }), fetch: sdkFetch });
  }

  private async send(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    signal?.throwIfAborted();
    try {
      return await this.fetchImpl(this.rewrite(url), { ...init, ...(signal ? { signal } : {}) });
    } catch (err) {
      throw networkError(err, signal);
    }
  }

  private rewrite(url: string): string {
    if (this.apiUrl === null) return url;
    const match = HOST.exec(url);
    if (!match) throw new Error(`the Dropbox SDK asked for an unexpected URL ${url}`);
    return `${this.apiUrl}/${match[1]!}/${url.slice(match[0].length)}`;
  }
}

function networkError(err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return new NetworkError(`network error talking to Dropbox (${cause?.code ?? cause?.message ?? (err as Error).message})`, { cause: err });
}

/** The error the SDK would have thrown for this response. */
async function responseError(response: Response): Promise<DropboxResponseError<unknown>> {
  const text = await response.text().catch(() => '');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain-text errors (400, some 429s) stay text.
  }
  return new DropboxResponseError(response.status, response.headers, parsed);
}
