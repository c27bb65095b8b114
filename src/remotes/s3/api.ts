/**
 * The S3 client and the small translations between S3's vocabulary and photosync's: keys,
 * ETags, base64 checksums, metadata.
 */
import { createHash } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { FinalizeRequestMiddleware, MetadataBearer } from '@aws-sdk/types';
import type { S3RemoteConfig } from '../../config/types.ts';

export const MiB = 1024 * 1024;
/** S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them. */
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PART_BYTES = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;

/** Object metadata (x-amz-meta-sha256) recording the plan's SHA-256 of the content, hex. */
export const SHA256_METADATA = 'sha256';

export interface S3Clients {
  /**
   * For the calls inside create(): one attempt each. The executor's backoff decides about retries
   * (it knows about throttling across the whole remote), and an upload body is a one-shot stream.
   */
  readonly write: S3Client;
  /**
   * For list/stat/read, which nobody above retries: the SDK's standard mode (3 attempts, backoff
   * that honours Retry-After). These calls are idempotent.
   */
  readonly read: S3Client;
}

/**
 * Credentials come only from the standard AWS chain. A profile (in the config, or AWS_PROFILE)
 * goes to the SDK's own chain, which then skips the environment keys, as the AWS CLI does.
 * Otherwise keys in the remote's environment are used; photosync hands that environment in
 * (normally process.env), which keeps the choice testable without touching the process.
 */
export function createClients(config: S3RemoteConfig, env: NodeJS.ProcessEnv): S3Clients {
  const profile = config.profile ?? env.AWS_PROFILE;
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const base: S3ClientConfig = {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    ...(profile ? { profile } : {}),
    ...(!profile && keyId && secret
      ? { credentials: { accessKeyId: keyId, secretAccessKey: secret, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {}),
    // Integrity comes from photosync's own SHA-256, not the SDK's default CRC32: every upload
    // body is a Buffer sent with x-amz-checksum-sha256 (computed here, verified by S3), and SigV4
    // also signs the body's SHA-256 (x-amz-content-sha256, which S3 checks as well). The SDK's
    // default (WHEN_SUPPORTED) would add a CRC32 wherever no checksum is given, and for a stream
    // body send it as an aws-chunked body with a trailer, which stores that do not decode
    // aws-chunked (s3rver 3.7) keep as the object's bytes. WHEN_REQUIRED rules that out for good.
    // Responses are still validated whenever S3 returns a full-object checksum.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    // Without an idle timeout the SDK waits forever on a connection that went silent (a body cut
    // short on a kept-alive connection never ends by itself); with one, the call fails with a
    // TimeoutError, which is retried.
    requestHandler: { socketTimeout: config.timeoutMs, connectionTimeout: Math.min(config.timeoutMs, 60_000) },
  };
  // The SDK warns once per process, on stderr, that its 2027 releases need Node 22. That is for
  // photosync's maintainers (the lockfile pins the SDK), not for a user, whose nightly cron job
  // would mail it every time.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const write = new S3Client({ ...base, maxAttempts: 1 });
  write.middlewareStack.addRelativeTo(signKnownPayloadHash, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'photosyncKnownPayloadHash' });
  const read = new S3Client({ ...base, maxAttempts: 3, retryMode: 'standard' });
  return { write, read };
}

/**
 * SigV4 signs the body's SHA-256 (x-amz-content-sha256), which the SDK computes by hashing the
 * body once more unless the header is already there. photosync's writes (PutObject, UploadPart)
 * carry that very hash as the checksum of the body, checked against the bytes before the request
 * started: hand it to the signer instead of a third SHA-256 pass over every byte.
 */
const signKnownPayloadHash: FinalizeRequestMiddleware<object, MetadataBearer> = (next) => async (args) => {
  const checksum = (args.input as { ChecksumSHA256?: unknown }).ChecksumSHA256;
  const request = args.request as { headers?: Record<string, string>; body?: unknown };
  if (typeof checksum === 'string' && request.headers && ArrayBuffer.isView(request.body) && !Object.keys(request.headers).some((h) => h.toLowerCase() === 'x-amz-content-sha256')) {
    const sha256 = fullObjectSha256(checksum);
    if (sha256) request.headers['x-amz-content-sha256'] = sha256;
  }
  return next(args);
};

/** The plan's hex SHA-256 as S3 wants it in x-amz-checksum-sha256. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** A full-object base64 SHA-256 from S3 as hex; null for composite ("…-N") or malformed values. */
export function fullObjectSha256(checksum: string | undefined, checksumType?: string): string | null {
  if (checksum === undefined || checksum.includes('-') || (checksumType !== undefined && checksumType !== 'FULL_OBJECT')) return null;
  const raw = Buffer.from(checksum, 'base64');
  return raw.length === 32 ? raw.toString('hex') : null;
}

export function sha256Base64(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

/** S3's checksum of a multipart object built from SHA-256 parts: the SHA-256 of the raw part digests, "-N". */
export function compositeSha256(partChecksums: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of partChecksums) h.update(Buffer.from(part, 'base64'));
  return `${h.digest('base64')}-${partChecksums.length}`;
}

/**
 * An ETag is the MD5 of the bytes only for objects uploaded in one PUT and not encrypted with
 * KMS or a customer key; a multipart ETag ends in "-N". Listings do not say how an object is
 * encrypted, so a bucket that uses SSE-KMS by default reports ETags that look like, but are
 * not, MD5s: photosync records them, it never deletes or skips anything because of them.
 */
export function md5FromEtag(etag: string | undefined): string | null {
  const bare = etag?.replace(/"/g, '').toLowerCase();
  return bare !== undefined && /^[0-9a-f]{32}$/.test(bare) ? bare : null;
}

export function isHex64(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{64}$/.test(value);
}
