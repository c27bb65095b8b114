/**
 * Amazon S3 and S3-compatible stores. A file is the object `prefix + path`. Small files go in
 * one PutObject, larger ones in a multipart upload (multipart.ts). Every body is read into
 * memory (one part at a time) and verified against the plan before its request starts, then
 * sent with its SHA-256 in x-amz-checksum-sha256, so S3 itself refuses bytes that differ, and a
 * source that changes mid-upload never leaves anything at the key.
 *
 * Create-if-absent: `If-None-Match: *` where the store honours it (AWS since 2024), else a HEAD
 * right before the write. The HEAD leaves a window in which another writer could take the name;
 * photosync holds its apply lock, so only a foreign writer to the same prefix could race it.
 * S3 has no quota, so there is no quota().
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type PutObjectCommandOutput,
  type StorageClass,
} from '@aws-sdk/client-s3';
import type { S3RemoteConfig } from '../../config/types.ts';
import { AlreadyExistsError, IntegrityError, RemoteError, isRemoteError } from '../errors.ts';
import { downloadBody } from '../download.ts';
import { remoteIdentity } from '../identity.ts';
import type { RemoteDefinition } from '../registry.ts';
import { assertSafePath } from '../safe-path.ts';
import type { CallOptions, Hashes, Remote, RemoteEntry, UploadBody, UploadOptions } from '../types.ts';
import {
  MAX_PART_BYTES,
  MIN_PART_BYTES,
  MiB,
  SHA256_METADATA,
  createClients,
  fullObjectSha256,
  hexToBase64,
  isHex64,
  md5FromEtag,
  type S3Clients,
} from './api.ts';
import { classifyS3Error } from './errors.ts';
import { partSizeFor, uploadInParts } from './multipart.ts';
import type { UploadTarget } from './session.ts';

/** photosync's own objects under the prefix (the conditional-write probe); never listed, never a file's name. */
const RESERVED = '.photosync/';
const PROBE_PATH = `${RESERVED}conditional-write-probe`;
const PROBE_BYTES = Buffer.from('photosync checks here whether this store honours If-None-Match: *\n');

export interface S3Tuning {
  /**
   * Bodies up to this size go in one PutObject, larger ones in parts. Either way one request's
   * body is held in memory, so `transfers` × this is the memory an S3 remote may use.
   */
  readonly singlePutMaxBytes: number;
  readonly partBytes: number;
  /** ListObjectsV2 page size (S3 returns at most 1000). */
  readonly listPageSize: number;
}

export const DEFAULT_TUNING: S3Tuning = { singlePutMaxBytes: 8 * MiB, partBytes: 8 * MiB, listPageSize: 1000 };

export interface S3RemoteOptions {
  /** Where the AWS credential chain looks for AWS_ACCESS_KEY_ID, AWS_PROFILE, … */
  readonly env: NodeJS.ProcessEnv;
  readonly tuning?: Partial<S3Tuning>;
}

export class S3Remote implements Remote {
  readonly type = 's3';
  readonly hashes = ['sha256', 'md5'] as const;
  readonly uploadHashes = ['sha256'] as const;
  readonly name: string;
  readonly identity: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly storageClass: StorageClass | undefined;
  private readonly configuredConditional: boolean | null;
  private readonly tuning: S3Tuning;
  private readonly clients: S3Clients;
  private probe: Promise<boolean> | undefined;

  constructor(config: S3RemoteConfig, options: S3RemoteOptions) {
    this.name = config.name;
    this.identity = remoteIdentity(config);
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.storageClass = (config.storageClass ?? undefined) as StorageClass | undefined;
    this.configuredConditional = config.conditionalWrites;
    this.tuning = checkTuning({ ...DEFAULT_TUNING, ...options.tuning });
    this.clients = createClients(config, options.env);
  }

  async *list(options: CallOptions = {}): AsyncIterable<RemoteEntry> {
    let token: string | undefined;
    do {
      const page = await this.call(`list s3://${this.bucket}/${this.prefix}`, () =>
        this.clients.read.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix || undefined, MaxKeys: this.tuning.listPageSize, ContinuationToken: token }),
          { abortSignal: options.signal },
        ),
      );
      for (const object of page.Contents ?? []) {
        const rel = object.Key?.startsWith(this.prefix) ? object.Key.slice(this.prefix.length) : null;
        // Keys ending in "/" are the folder markers some consoles create; they hold no file.
        if (rel === null || rel === '' || rel.endsWith('/') || rel.startsWith(RESERVED)) continue;
        const md5 = md5FromEtag(object.ETag);
        yield { path: rel, size: object.Size ?? 0, hashes: md5 ? { md5 } : {} };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) throw new RemoteError(this.name, 'fatal', 'S3 returned a truncated listing without a continuation token');
    } while (token);
  }

  async stat(p: string, options: CallOptions = {}): Promise<RemoteEntry | null> {
    const key = this.key(p);
    try {
      const head = await this.clients.read.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }), { abortSignal: options.signal });
      return { path: p, size: head.ContentLength ?? 0, hashes: storedHashes(head) };
    } catch (err) {
      const error = classifyS3Error(this.name, err, `stat ${p}`, p);
      if (isRemoteError(error, 'not-found')) return null;
      throw error;
    }
  }

  async create(p: string, body: UploadBody, options: UploadOptions = {}): Promise<RemoteEntry> {
    const key = this.key(p);
    if (body.size > this.tuning.singlePutMaxBytes) {
      const partBytes = partSizeFor(body.size, this.tuning.partBytes, this.name);
      return uploadInParts(this.uploadTarget(), p, key, body, partBytes, options);
    }
    const { signal } = options;
    try {
      const data = await body.readAll();
      const conditional = await this.conditionalWrites();
      if (!conditional && (await this.exists(key, signal))) throw new AlreadyExistsError(this.name, p);
      const out = await this.clients.write.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: data,
          ContentLength: data.length,
          ChecksumSHA256: hexToBase64(body.sha256),
          Metadata: { [SHA256_METADATA]: body.sha256 },
          StorageClass: this.storageClass,
          ...(conditional ? { IfNoneMatch: '*' } : {}),
        }),
        { abortSignal: signal },
      );
      options.onProgress?.(data.length);
      return { path: p, size: data.length, hashes: this.confirmedHashes(p, body.sha256, data, out) };
    } catch (err) {
      throw classifyS3Error(this.name, err, `upload ${p}`, p);
    }
  }

  async read(p: string, options: CallOptions = {}): Promise<Readable> {
    const key = this.key(p);
    // Where S3 returns a full-object checksum, the SDK checks the bytes against it as they stream.
    const out = await this.call(`read ${p}`, () => this.clients.read.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: options.signal }), p);
    // In Node the SDK's body is an IncomingMessage (or its checksum-validating wrapper), both Readables.
    return downloadBody(this.name, p, out.Body as Readable, options.signal);
  }

  async close(): Promise<void> {
    this.clients.write.destroy();
    this.clients.read.destroy();
  }

  private key(p: string): string {
    assertSafePath(this.name, p, p.startsWith(RESERVED) ? `"${RESERVED}" is photosync's own` : null);
    return this.prefix + p;
  }

  private async call<T>(what: string, run: () => Promise<T>, p?: string): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw classifyS3Error(this.name, err, what, p);
    }
  }

  private async exists(key: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.clients.write.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      return true;
    } catch (err) {
      const error = classifyS3Error(this.name, err, `check whether ${key} exists`);
      if (isRemoteError(error, 'not-found')) return false;
      throw error;
    }
  }

  /**
   * Whether the store honours If-None-Match: *, as configured, else found out once per run: the
   * probe object is written twice with If-None-Match: *; a store that honours it refuses the
   * second write (or the first, once the probe exists from an earlier run) with 412. A store
   * that ignores it rewrites photosync's own probe with the same bytes, which harms nothing.
   */
  private conditionalWrites(): Promise<boolean> {
    if (this.configuredConditional !== null) return Promise.resolve(this.configuredConditional);
    // Shared by concurrent uploads, so no one upload's abort signal may cancel it.
    this.probe ??= this.probeConditionalWrites().catch((err: unknown) => {
      this.probe = undefined;
      throw err;
    });
    return this.probe;
  }

  private async probeConditionalWrites(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.clients.write.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.prefix + PROBE_PATH,
            Body: PROBE_BYTES,
            ContentLength: PROBE_BYTES.length,
            IfNoneMatch: '*',
          }),
        );
      } catch (err) {
        const error = classifyS3Error(this.name, err, 'check whether the store honours If-None-Match', PROBE_PATH);
        if (isRemoteError(error, 'already-exists')) return true;
        // Stores that reject the header outright rather than ignoring it.
        if (isRemoteError(error, 'fatal') && (error.status === 501 || error.status === 400)) return false;
        throw error;
      }
    }
    return false;
  }

  private uploadTarget(): UploadTarget {
    return {
      remote: this.name,
      client: this.clients.write,
      bucket: this.bucket,
      storageClass: this.storageClass,
      conditionalWrites: () => this.conditionalWrites(),
      exists: (key, signal) => this.exists(key, signal),
    };
  }

  /**
   * The hashes S3 itself vouches for: the SHA-256 when it echoes the checksum it verified, the
   * MD5 when the ETag is one (a single PUT, not encrypted with KMS or a customer key). A store
   * that verified the SHA-256 has vouched for the bytes; from one that did not, the ETag must be
   * the MD5 of the bytes sent (`data`, this body's bytes, already checked against the plan).
   */
  private confirmedHashes(p: string, planned: string, data: Buffer, out: PutObjectCommandOutput): Hashes {
    const hashes: { sha256?: string; md5?: string } = {};
    if (out.ChecksumSHA256 !== undefined) {
      const echoed = fullObjectSha256(out.ChecksumSHA256, out.ChecksumType);
      if (echoed !== planned) throw new IntegrityError(this.name, `S3 reports SHA-256 ${out.ChecksumSHA256} for ${p}, photosync sent ${hexToBase64(planned)}`);
      hashes.sha256 = echoed;
    }
    const md5 = isEncryptedWithKey(out) ? null : md5FromEtag(out.ETag);
    if (md5 && hashes.sha256 === undefined) {
      const sent = createHash('md5').update(data).digest('hex');
      if (md5 !== sent) throw new IntegrityError(this.name, `S3 reports MD5 ${md5} for ${p}, the bytes sent hash to ${sent}`);
    }
    if (md5) hashes.md5 = md5;
    return hashes;
  }
}

/**
 * What a HEAD tells about the content: S3's full-object SHA-256 when it has one, else the SHA-256
 * photosync recorded in the object's metadata at upload (after S3 had verified the bytes
 * against it). A multipart object's S3 checksum is a checksum of part checksums, not of the file.
 */
function storedHashes(head: HeadObjectCommandOutput): Hashes {
  const hashes: { sha256?: string; md5?: string } = {};
  const recorded = head.Metadata?.[SHA256_METADATA];
  const sha256 = fullObjectSha256(head.ChecksumSHA256, head.ChecksumType) ?? (isHex64(recorded) ? recorded : null);
  if (sha256) hashes.sha256 = sha256;
  const md5 = isEncryptedWithKey(head) ? null : md5FromEtag(head.ETag);
  if (md5) hashes.md5 = md5;
  return hashes;
}

function isEncryptedWithKey(out: { ServerSideEncryption?: string | undefined; SSECustomerAlgorithm?: string | undefined }): boolean {
  return Boolean(out.SSECustomerAlgorithm) || (out.ServerSideEncryption ?? '').startsWith('aws:kms');
}

function checkTuning(t: S3Tuning): S3Tuning {
  const problems: string[] = [];
  if (!(t.partBytes >= MIN_PART_BYTES && t.partBytes <= MAX_PART_BYTES)) problems.push(`partBytes must be 5 MiB to 5 GiB, not ${t.partBytes}`);
  if (!(t.singlePutMaxBytes >= 0 && t.singlePutMaxBytes <= MAX_PART_BYTES)) problems.push(`singlePutMaxBytes must be 0 to 5 GiB, not ${t.singlePutMaxBytes}`);
  if (!(Number.isInteger(t.listPageSize) && t.listPageSize >= 1 && t.listPageSize <= 1000)) problems.push(`listPageSize must be 1 to 1000, not ${t.listPageSize}`);
  if (problems.length > 0) throw new Error(`invalid S3 tuning: ${problems.join('; ')}`);
  return t;
}

export const definition: RemoteDefinition<S3RemoteConfig> = {
  create: async (config, context) => new S3Remote(config, { env: context.env }),
};
