/**
 * What s3rver 3.7.1 lacks of the S3 API photosync uses, added as a Koa middleware in front of
 * its router. Observed without it: ListParts and AbortMultipartUpload answer 405, 
 * ListMultipartUploads 501, UploadPart to an unknown upload id creates it, If-None-Match: * on
 * PUT is ignored (the object is overwritten), x-amz-checksum-sha256 is neither checked nor
 * echoed, an aws-chunked body is stored with its chunk framing as the object's bytes, and every
 * truncated ListObjectsV2 page answers 500: its continuation tokens are DES-encrypted, which
 * OpenSSL 3 (Node >= 17) refuses without --openssl-legacy-provider.
 *
 * Always added: the multipart bookkeeping calls, NoSuchUpload for unknown upload ids, V2 pages
 * served through s3rver's V1 listing (marker) with tokens of our own, a request log, injected
 * faults, and a 501 for aws-chunked bodies (so a client that sends them fails loudly instead of
 * storing framing). These added calls skip s3rver's access-key check. Optional, to test both kinds of store: S3's conditional
 * writes, and S3's SHA-256 checksum checks and echoes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FilesystemStore, KoaContext, KoaMiddleware } from 's3rver';

export interface S3ExtensionOptions {
  /** Honour If-None-Match: * on PutObject and CompleteMultipartUpload with 412, as S3 does since 2024. */
  readonly conditionalWrites?: boolean;
  /** Check x-amz-checksum-sha256 (400 BadDigest) and echo it, per part and as the composite at Complete. */
  readonly checksums?: boolean;
}

export type S3Operation =
  | 'PutObject' | 'UploadPart' | 'CreateMultipartUpload' | 'CompleteMultipartUpload' | 'AbortMultipartUpload'
  | 'ListParts' | 'ListMultipartUploads' | 'ListObjects' | 'HeadObject' | 'GetObject' | 'Other';

export interface RecordedRequest {
  readonly op: S3Operation;
  readonly bucket: string;
  readonly key: string;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Fault {
  readonly op: S3Operation;
  /** 200 sends the error inside a 200 answer, as CompleteMultipartUpload may. */
  readonly status: number;
  readonly code: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface S3Extensions {
  readonly middleware: KoaMiddleware;
  readonly requests: RecordedRequest[];
  readonly faults: Fault[];
}

export function s3Extensions(store: FilesystemStore, options: S3ExtensionOptions): S3Extensions {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const uploadDir = (bucket: string, uploadId: string): string => path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);

  const middleware: KoaMiddleware = async (ctx, next) => {
    const [bucket = '', ...rest] = ctx.path.replace(/^\//, '').split('/').map((s) => decodeURIComponent(s));
    const key = rest.join('/');
    const q = (name: string): string | undefined => (typeof ctx.query[name] === 'string' ? (ctx.query[name] as string) : undefined);
    const uploadId = q('uploadId');
    const op = operation(ctx.method, key, uploadId !== undefined, 'uploads' in ctx.query);
    requests.push({ op, bucket, key, query: { ...ctx.query }, headers: { ...ctx.headers } });

    const fault = faults.find((f) => f.op === op && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      await drain(ctx.req);
      return error(ctx, fault.status, fault.code, 'injected by the test');
    }
    if (ctx.headers['content-encoding']?.includes('aws-chunked')) return error(ctx, 501, 'NotImplemented', 's3rver 3.7 does not decode aws-chunked bodies');

    switch (op) {
      case 'ListMultipartUploads':
        return xml(ctx, 200, listUploads(store.getResourcePath(bucket, undefined, 'uploads'), bucket, q('prefix') ?? ''));
      case 'ListParts':
      case 'AbortMultipartUpload':
      case 'UploadPart':
      case 'CompleteMultipartUpload': {
        const dir = uploadDir(bucket, uploadId ?? '');
        if (!uploadId || !existsSync(dir)) return error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
        if (op === 'ListParts') return xml(ctx, 200, listParts(dir, bucket, key, uploadId));
        if (op === 'AbortMultipartUpload') {
          rmSync(dir, { recursive: true, force: true });
          ctx.status = 204;
          return;
        }
        if (op === 'UploadPart') return withChecksum(ctx, next, options, (sha256) => writeFileSync(path.join(dir, `${q('partNumber')}.sha256`), sha256));
        return complete(ctx, next, options, store, bucket, key, dir);
      }
      case 'ListObjects':
        return q('list-type') === '2' ? listV2ThroughV1(ctx, next) : next();
      case 'PutObject':
        if (conditionalRefusal(ctx, options) && (await store.existsObject(bucket, key))) return preconditionFailed(ctx);
        return withChecksum(ctx, next, options, () => {});
      default:
        return next();
    }
  };
  return { middleware, requests, faults };
}

function operation(method: string, key: string, hasUploadId: boolean, hasUploads: boolean): S3Operation {
  if (key === '') {
    if (method === 'GET') return hasUploads ? 'ListMultipartUploads' : 'ListObjects';
    return 'Other';
  }
  switch (method) {
    case 'PUT':
      return hasUploadId ? 'UploadPart' : 'PutObject';
    case 'POST':
      return hasUploads ? 'CreateMultipartUpload' : hasUploadId ? 'CompleteMultipartUpload' : 'Other';
    case 'DELETE':
      return hasUploadId ? 'AbortMultipartUpload' : 'Other';
    case 'GET':
      return hasUploadId ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    default:
      return 'Other';
  }
}

function conditionalRefusal(ctx: KoaContext, options: S3ExtensionOptions): boolean {
  return Boolean(options.conditionalWrites) && ctx.headers['if-none-match'] === '*';
}

/** Buffers the body, checks its SHA-256 against x-amz-checksum-sha256 and echoes it, as S3 does. */
async function withChecksum(ctx: KoaContext, next: () => Promise<void>, options: S3ExtensionOptions, stored: (sha256: string) => void): Promise<void> {
  const claimed = ctx.headers['x-amz-checksum-sha256'];
  if (!options.checksums || typeof claimed !== 'string') return next();
  const data = await drain(ctx.req);
  const actual = createHash('sha256').update(data).digest('base64');
  if (actual !== claimed) return error(ctx, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
  ctx.req = Readable.from([data]);
  await next();
  if (ctx.status === 200) {
    ctx.set('x-amz-checksum-sha256', actual);
    stored(actual);
  }
}

async function complete(
  ctx: KoaContext,
  next: () => Promise<void>,
  options: S3ExtensionOptions,
  store: FilesystemStore,
  bucket: string,
  key: string,
  dir: string,
): Promise<void> {
  const request = await drain(ctx.req);
  ctx.req = Readable.from([request]);
  if (conditionalRefusal(ctx, options) && (await store.existsObject(bucket, key))) return preconditionFailed(ctx);
  const numbers = [...request.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => m[1]!);
  const digests = numbers.map((n) => (existsSync(path.join(dir, `${n}.sha256`)) ? readFileSync(path.join(dir, `${n}.sha256`), 'utf8') : null));
  await next();
  if (!options.checksums || ctx.status !== 200 || typeof ctx.body !== 'string' || digests.some((d) => d === null)) return;
  const h = createHash('sha256');
  for (const d of digests) h.update(Buffer.from(d!, 'base64'));
  const composite = `${h.digest('base64')}-${digests.length}`;
  ctx.body = ctx.body.replace('</CompleteMultipartUploadResult>', `<ChecksumSHA256>${composite}</ChecksumSHA256><ChecksumType>COMPOSITE</ChecksumType></CompleteMultipartUploadResult>`);
}

async function listV2ThroughV1(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
  const { 'list-type': _v2, 'continuation-token': token, 'start-after': startAfter, 'fetch-owner': _owner, ...rest } = ctx.query;
  const marker = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : startAfter;
  ctx.query = { ...rest, ...(typeof marker === 'string' ? { marker } : {}) };
  await next();
  if (ctx.status !== 200 || typeof ctx.body !== 'string') return;
  const keys = [...ctx.body.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => unescape(m[1]!));
  const last = keys.at(-1);
  const nextToken = ctx.body.includes('<IsTruncated>true</IsTruncated>') && last !== undefined ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '';
  ctx.body = ctx.body.replace('</ListBucketResult>', `<KeyCount>${keys.length}</KeyCount>${nextToken}</ListBucketResult>`);
}

function listUploads(root: string, bucket: string, prefix: string): string {
  const uploads = existsSync(root) ? readdirSync(root) : [];
  const entries = uploads
    .map((id) => ({ id, key: readFileSync(path.join(root, id, 'key'), 'utf8') }))
    .filter((u) => u.key.startsWith(prefix))
    .map((u) => `<Upload><Key>${escape(u.key)}</Key><UploadId>${u.id}</UploadId></Upload>`);
  return `<ListMultipartUploadsResult><Bucket>${escape(bucket)}</Bucket><IsTruncated>false</IsTruncated>${entries.join('')}</ListMultipartUploadsResult>`;
}

function listParts(dir: string, bucket: string, key: string, uploadId: string): string {
  const numbers = readdirSync(dir).filter((f) => /^\d+$/.test(f)).map(Number).sort((a, b) => a - b);
  const parts = numbers.map((n) => {
    const file = path.join(dir, String(n));
    const sha = existsSync(`${file}.sha256`) ? `<ChecksumSHA256>${readFileSync(`${file}.sha256`, 'utf8')}</ChecksumSHA256>` : '';
    return `<Part><PartNumber>${n}</PartNumber><ETag>"${readFileSync(`${file}.md5`, 'utf8')}"</ETag><Size>${statSync(file).size}</Size>${sha}</Part>`;
  });
  return `<ListPartsResult><Bucket>${escape(bucket)}</Bucket><Key>${escape(key)}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`;
}

function preconditionFailed(ctx: KoaContext): void {
  error(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
}

function error(ctx: KoaContext, status: number, code: string, message: string): void {
  xml(ctx, status, `<Error><Code>${code}</Code><Message>${escape(message)}</Message></Error>`);
}

function xml(ctx: KoaContext, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Undoes the escaping of s3rver's XML writer (he.escape: named and numeric entities). */
function unescape(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return named[e] ?? all;
  });
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
