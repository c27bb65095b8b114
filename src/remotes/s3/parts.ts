/** An upload body cut into parts held in memory; the body's own stream checks the whole content against the plan before its last bytes. */
import type { Readable } from 'node:stream';

/**
 * The stream cut into parts of exactly `size` bytes (the last one shorter). Each part is held
 * in memory: its SHA-256 goes in the request's headers, before its bytes.
 */
export async function* partsOf(stream: Readable, size: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    signal?.throwIfAborted();
    pending.push(chunk);
    pendingBytes += chunk.length;
    while (pendingBytes >= size) {
      const all = Buffer.concat(pending, pendingBytes);
      yield all.subarray(0, size);
      const rest = all.subarray(size);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
