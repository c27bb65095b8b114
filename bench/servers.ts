/**
 * The real servers both tools write to, started once per benchmark run on loopback through the
 * tests' own helpers: Apache httpd with mod_dav (its access log counts requests) and s3rver (its
 * request log counts requests). s3rver runs in this process; the benchmark process is idle while
 * a tool runs, so it takes the same share of the machine whichever tool is measured.
 */
import { startApache, type ApacheServer } from '../test/helpers/servers/apache.ts';
import { S3RVER_KEYS, startS3rver, type S3rverHandle } from '../test/helpers/servers/s3rver.ts';

export { S3RVER_KEYS };

export class Servers {
  private apache: Promise<ApacheServer> | null = null;
  private s3: Promise<S3rverHandle> | null = null;

  webdav(): Promise<ApacheServer> {
    this.apache ??= startApache();
    return this.apache;
  }

  /** As AWS behaves since 2024: conditional writes honoured, SHA-256 checksums checked and echoed. */
  s3rver(): Promise<S3rverHandle> {
    this.s3 ??= startS3rver({ conditionalWrites: true, checksums: true });
    return this.s3;
  }

  async stop(): Promise<void> {
    const started = [this.apache, this.s3].filter((s): s is Promise<ApacheServer> | Promise<S3rverHandle> => s !== null);
    await Promise.allSettled(started.map(async (s) => (await s).stop()));
  }
}

/** Every request the server has seen so far, oldest first, by kind (S3 operation, or HTTP method for Apache). */
export async function requestLog(server: ApacheServer | S3rverHandle): Promise<string[]> {
  // A PUT with x-amz-copy-source is a server-side copy (rclone's way of updating an object's modtime).
  if (Array.isArray(server.requests)) return server.requests.map((r) => (r.headers['x-amz-copy-source'] ? 'CopyObject' : r.op));
  return (await (server as ApacheServer).requests()).map((r) => r.method);
}

/** "HeadObject 5000, ListObjects 1" for a slice of a request log. */
export function countByKind(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of kinds) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}
