/**
 * A fault-injecting HTTP proxy on loopback, put between photosync and a real server (Apache
 * WebDAV, s3rver). At a configurable rate it answers 429 with Retry-After, 500 or 503, resets the
 * connection in the middle of a request or response body, stalls, or truncates a response; every
 * other request is forwarded untouched. It counts what it did, for the reliability figures.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export type Fault = 'throttle' | 'error500' | 'error503' | 'reset-request' | 'reset-response' | 'stall' | 'truncate';

export interface FaultProxyOptions {
  /** The real server, e.g. http://127.0.0.1:8080. */
  readonly target: string;
  /** Share of requests that get a fault (0..1). */
  readonly rate: number;
  readonly faults?: readonly Fault[];
  /** How long a stall lasts before the request goes through, ms. */
  readonly stallMs?: number;
  /** Deterministic randomness for reproducible runs. */
  readonly seed?: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly requests: number;
  readonly injected: Readonly<Record<Fault, number>>;
  setRate(rate: number): void;
  close(): Promise<void>;
}

const ALL: readonly Fault[] = ['throttle', 'error500', 'error503', 'reset-request', 'reset-response', 'stall', 'truncate'];

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const faults = options.faults ?? ALL;
  let rate = options.rate;
  let seed = options.seed ?? 12345;
  const random = (): number => {
    // mulberry32: small, seedable, good enough to spread faults.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const injected = Object.fromEntries(ALL.map((f) => [f, 0])) as Record<Fault, number>;
  let requests = 0;

  const server: Server = createServer((req, res) => {
    requests++;
    const fault = random() < rate ? faults[Math.floor(random() * faults.length)] : undefined;
    if (fault) injected[fault]++;
    switch (fault) {
      case 'throttle':
        return reject(req, res, 429, { 'retry-after': '1' });
      case 'error500':
        return reject(req, res, 500, {});
      case 'error503':
        return reject(req, res, 503, { 'retry-after': '0' });
      case 'reset-request':
        // Take part of the body, then cut the connection: the server never sees a complete request.
        req.once('data', () => req.socket.destroy());
        req.once('end', () => req.socket.destroy());
        return;
      case 'stall':
        setTimeout(() => forward(req, res, undefined), options.stallMs ?? 300);
        return;
      default:
        return forward(req, res, fault);
    }
  });

  function reject(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>): void {
    // Drain the body first, as a real server answering early would, so the client sees the status.
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(`injected ${status}`));
  }

  function forward(req: IncomingMessage, res: ServerResponse, fault: 'reset-response' | 'truncate' | undefined): void {
    const upstream = request(
      // Headers untouched, Host included: S3 signatures cover it.
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!fault) {
          up.pipe(res);
          return;
        }
        // Pass the first chunk, then fail: a reset mid-body, or a body shorter than its length.
        up.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))));
          if (fault === 'reset-response') res.socket?.destroy();
          else res.end();
          up.destroy();
        });
        up.once('end', () => {
          // An empty body cannot be cut: cut the connection instead.
          if (!res.writableEnded) res.socket?.destroy();
        });
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get requests() {
      return requests;
    },
    injected,
    setRate(r) {
      rate = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Fault proxies for a describe block: each one started is closed after the block. */
export function faultProxiesForBlock(): (options: FaultProxyOptions) => Promise<FaultProxy> {
  const proxies: FaultProxy[] = [];
  afterAll(async () => {
    for (const p of proxies) await p.close();
  });
  return async (options) => {
    const proxy = await startFaultProxy(options);
    proxies.push(proxy);
    return proxy;
  };
}
