/**
 * A real s3rver on 127.0.0.1 (random port, temporary folder, one bucket), with the S3 features
 * it lacks added in front (s3rver-extensions.ts). s3rver accepts any SigV4 signature but checks
 * the access key id: S3RVER/S3RVER are its keys, any other id gets 403 InvalidAccessKeyId.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { s3Extensions, type Fault, type RecordedRequest, type S3ExtensionOptions } from './s3rver-extensions.ts';

export const S3RVER_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

export interface S3rverHandle {
  readonly endpoint: string;
  readonly bucket: string;
  /** Every request that reached the server, in order. */
  readonly requests: RecordedRequest[];
  /** Faults to inject; each is used up after `times` matching requests. */
  readonly faults: Fault[];
  stop(): Promise<void>;
}

export async function startS3rver(options: S3ExtensionOptions = {}, bucket = 'photosync-test'): Promise<S3rverHandle> {
  const { default: S3rver } = await import('s3rver');
  const directory = mkdtempSync(path.join(tmpdir(), 'photosync-s3rver-'));
  try {
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false, configureBuckets: [{ name: bucket }] });
    const extensions = s3Extensions(server.store, options);
    // Koa composes its middleware list when the server starts, so this one runs before s3rver's router.
    server.middleware.unshift(extensions.middleware);
    const address = await server.run();
    if (address.address !== '127.0.0.1') throw new Error(`s3rver listens on ${address.address}, not on loopback`);
    return {
      endpoint: `http://127.0.0.1:${address.port}`,
      bucket,
      requests: extensions.requests,
      faults: extensions.faults,
      stop: async () => {
        await server.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(directory, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Starts s3rver for a test file (call at its top level) and stops it after the file. If it cannot
 * start, CI fails the file with the reason; elsewhere the file's S3 tests skip (null), with the
 * reason printed.
 */
export async function s3rverForFile(options: S3ExtensionOptions = {}): Promise<S3rverHandle | null> {
  try {
    const server = await startS3rver(options);
    afterAll(() => server.stop());
    return server;
  } catch (err) {
    const reason = `s3rver could not start: ${err instanceof Error ? err.message : String(err)}`;
    if (process.env.CI) throw new Error(reason, { cause: err });
    console.warn(`skipping the S3 tests: ${reason}`);
    return null;
  }
}
