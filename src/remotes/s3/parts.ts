/** An upload body read into parts held in memory; the body's own stream checks the whole content against the plan before its last bytes. */
import type { Readable } from 'node:stream';
import { IntegrityError } from '../errors.ts';
import type { UploadBody } from '../types.ts';

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

/** The whole (small) body, which the body's stream only ends once it matched the plan. */
export async function readWhole(remote: string, body: UploadBody, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const part of partsOf(body.open(), Math.max(1, body.size), signal)) chunks.push(part);
  const data = Buffer.concat(chunks);
  if (data.length !== body.size) throw new IntegrityError(remote, `read ${data.length} bytes of a ${body.size}-byte body`);
  return data;
}
