/** S3 remotes pointed at a test s3rver, and the tools the S3 tests share. */
import { pipeline, Transform } from 'node:stream';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3RemoteConfig } from '../../src/config/types.ts';
import { S3Remote, type S3Tuning } from '../../src/remotes/s3/index.ts';
import type { UploadBody } from '../../src/remotes/types.ts';
import { CLOUD_REMOTE_COMMON } from './remote-fixtures.ts';
import { S3RVER_KEYS, type S3rverHandle } from './servers/s3rver.ts';
import type { S3Operation } from './servers/s3rver-extensions.ts';

export const MiB = 1024 * 1024;

/** 5 MiB parts (S3's minimum) above 5 MiB, and pages of 7 keys, so small tests exercise parts and pages. */
export const SMALL_TUNING: S3Tuning = { singlePutMaxBytes: 5 * MiB, partBytes: 5 * MiB, listPageSize: 7 };

let prefixes = 0;

/** A config for a fresh, empty prefix in the server's bucket. */
export function s3Config(server: S3rverHandle, overrides: Partial<S3RemoteConfig> = {}): S3RemoteConfig {
  prefixes++;
  return {
    name: 'cloud',
    type: 's3',
    ...CLOUD_REMOTE_COMMON,
    bucket: server.bucket,
    prefix: `run-${process.pid}-${prefixes}/`,
    region: 'us-east-1',
    timeoutMs: 300_000,
    endpoint: server.endpoint,
    forcePathStyle: true,
    profile: null,
    storageClass: null,
    conditionalWrites: null,
    ...overrides,
  };
}

export function s3Remote(config: S3RemoteConfig, env: NodeJS.ProcessEnv = { ...S3RVER_KEYS }): S3Remote {
  return new S3Remote(config, { env, tuning: SMALL_TUNING });
}

/** Unfinished multipart uploads under a prefix, asked of the server through the SDK. */
export async function openUploads(server: S3rverHandle, prefix: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: S3RVER_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_KEYS.AWS_SECRET_ACCESS_KEY },
  });
  try {
    const out = await client.send(new ListMultipartUploadsCommand({ Bucket: server.bucket, Prefix: prefix }));
    return (out.Uploads ?? []).map((u) => u.Key ?? '');
  } finally {
    client.destroy();
  }
}

/** Requests of one kind the server received after `since` (an index into its log). */
export function requestsOf(server: S3rverHandle, op: S3Operation, since = 0): { key: string; query: Readonly<Record<string, unknown>>; headers: Readonly<Record<string, unknown>> }[] {
  return server.requests.slice(since).filter((r) => r.op === op);
}

/**
 * The body, but its stream dies once `limit` bytes have passed (a crash, as far as the upload
 * can tell: a plain error, not a changed source). `corrupt` flips the byte at that offset
 * first, like a source read that returned wrong bytes.
 */
export function interruptedBody(body: UploadBody, limit: number, corrupt?: number): UploadBody {
  return {
    size: body.size,
    sha256: body.sha256,
    digests: () => body.digests(),
    readAll: () => Promise.reject(new Error('simulated crash')),
    label: body.label,
    open(start) {
      let seen = 0;
      const cut = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (seen + chunk.length > limit) {
            callback(new Error('simulated crash'));
            return;
          }
          if (corrupt !== undefined && corrupt >= seen && corrupt < seen + chunk.length) {
            chunk = Buffer.from(chunk);
            chunk[corrupt - seen] = (chunk[corrupt - seen]! + 1) % 256;
          }
          seen += chunk.length;
          callback(null, chunk);
        },
      });
      return pipeline(body.open(start), cut, () => {});
    },
  };
}
