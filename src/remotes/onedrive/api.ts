/**
 * The Microsoft Graph client as this remote uses it. The middleware chain is the SDK's default
 * minus its RetryHandler: that handler sleeps up to 3 × 180 s on 429/503/504 inside one call,
 * invisible to the executor's pacing and progress, and never retries uploads anyway (cloud-apis.md
 * §3.6). Without it every throttle surfaces at once as a `throttled` RemoteError with the
 * service's Retry-After, and the executor's backoff decides. The last link is a fetch we choose
 * (the global one; tests pass one that trusts the emulator's certificate).
 */
import {
  AuthenticationHandler,
  Client,
  GraphClientError,
  GraphError,
  RedirectHandler,
  RedirectHandlerOptions,
  ResponseType,
  TelemetryHandler,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import type { AccessTokenProvider } from '../../auth/tokens.ts';
import { RemoteError } from '../errors.ts';
import { classifyGraphError, failureOfResponse, isExpiredToken } from './errors.ts';

export interface DriveItem {
  readonly id: string;
  readonly name?: string;
  readonly size?: number;
  readonly file?: { readonly hashes?: { readonly quickXorHash?: string; readonly sha256Hash?: string } };
  readonly folder?: { readonly childCount?: number };
  readonly deleted?: object;
  readonly parentReference?: { readonly id?: string; readonly path?: string };
}

export interface DriveQuota {
  readonly total?: number;
  readonly used?: number;
  readonly remaining?: number;
}

interface Page<T> {
  readonly value: T[];
  readonly '@odata.nextLink'?: string;
  readonly '@odata.deltaLink'?: string;
}

export interface GraphApiOptions {
  /** The remote's name, for errors. */
  readonly remote: string;
  /** Graph base URL including the version ("https://graph.microsoft.com/v1.0"); null for Microsoft's. */
  readonly apiUrl: string | null;
  readonly tokens: AccessTokenProvider;
  readonly fetch: typeof fetch;
}

const DEFAULT_API_URL = 'https://graph.microsoft.com/v1.0';

export class GraphApi {
  private readonly remote: string;
  private readonly client: Client;
  private readonly tokens: AccessTokenProvider;

  constructor(options: GraphApiOptions) {
    this.remote = options.remote;
    this.tokens = options.tokens;
    const url = new URL(options.apiUrl ?? DEFAULT_API_URL);
    if (url.protocol !== 'https:') {
      // The client attaches the token only to https URLs and mangles absolute http links (§3.8).
      throw new RemoteError(options.remote, 'fatal', `api_url ${url.href} is not https; the Graph client sends its token over https only`);
    }
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const version = /^(v\d+\.\d+|beta)$/.test(segments.at(-1) ?? '') ? segments.pop()! : 'v1.0';
    const fetchImpl = options.fetch;
    const send: Middleware = {
      execute: async (context: Context) => {
        context.response = await fetchImpl(context.request, context.options as RequestInit);
      },
    };
    const tokenSource = {
      getAccessToken: async () => {
        try {
          return await this.tokens.get();
        } catch (err) {
          // The client turns anything else thrown here into a GraphError and drops the original.
          const wrapped = new GraphClientError((err as Error).message);
          wrapped.customError = err;
          throw wrapped;
        }
      },
    };
    this.client = Client.initWithMiddleware({
      baseUrl: `${url.origin}/${segments.join('/')}`,
      defaultVersion: version,
      // Hostname without port (the client compares it so); the token goes nowhere else.
      customHosts: new Set([url.hostname]),
      middleware: [new AuthenticationHandler(tokenSource), new RedirectHandler(new RedirectHandlerOptions()), new TelemetryHandler(), send],
    });
  }

  get<T>(path: string, what: string, signal?: AbortSignal): Promise<T> {
    return this.call(what, signal, () => this.client.api(path).option('signal', signal).get() as Promise<T>);
  }

  post<T>(path: string, body: unknown, what: string, signal?: AbortSignal): Promise<T> {
    return this.call(what, signal, () => this.client.api(path).option('signal', signal).post(body) as Promise<T>);
  }

  putBytes<T>(path: string, bytes: Buffer, what: string, signal?: AbortSignal): Promise<T> {
    return this.call(what, signal, () =>
      this.client.api(path).header('Content-Type', 'application/octet-stream').option('signal', signal).put(bytes) as Promise<T>,
    );
  }

  /**
   * A download: the client follows the 302 to the pre-authenticated URL, dropping the token on
   * the way. Asked for as RAW, because with STREAM the client throws a failed response's body
   * stream as the error, without its code or headers (no Retry-After).
   */
  async getStream(path: string, what: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array> | null> {
    return this.call(what, signal, async () => {
      const response = (await this.client.api(path).option('signal', signal).responseType(ResponseType.RAW).get()) as Response;
      if (response.ok) return response.body;
      const failure = await failureOfResponse(response);
      const err = new GraphError(failure.status, failure.message);
      err.code = failure.code;
      err.headers = response.headers;
      throw err;
    });
  }

  /** Every item of a collection, following @odata.nextLink; then the deltaLink, if it was a delta feed. */
  async *pages<T>(path: string, what: string, signal?: AbortSignal): AsyncGenerator<T[], string | null> {
    let next: string | undefined = path;
    while (next !== undefined) {
      const page: Page<T> = await this.get<Page<T>>(next, what, signal);
      yield page.value;
      if (page['@odata.deltaLink'] !== undefined) return page['@odata.deltaLink'];
      next = page['@odata.nextLink'];
    }
    return null;
  }

  /** Runs one Graph call; a 401 refreshes the access token once and repeats it. */
  private async call<T>(what: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!isExpiredToken(err)) throw classifyGraphError(this.remote, err, what, signal);
    }
    try {
      await this.tokens.refresh();
      return await run();
    } catch (err) {
      throw classifyGraphError(this.remote, err, what, signal);
    }
  }
}
