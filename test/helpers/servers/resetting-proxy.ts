/** Connection faults on loopback: a TCP proxy that breaks chosen connections, to test what a client does about them. */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface ResettingProxy {
  /** http://127.0.0.1:port, to put in front of the target's path. */
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Resets the next `n` connections, and drops the open ones (kept-alive connections would carry requests past the resets). */
  reset(n: number): void;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:port that resets (RST) the next `resets` connections as soon as they send something. */
export async function resettingProxy(port: number, resets: number): Promise<ResettingProxy> {
  let left = resets;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (left > 0) {
      left--;
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => connections,
    reset: (n: number) => {
      left = n;
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
