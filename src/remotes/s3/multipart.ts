/**
 * Multipart uploads, hand-rolled on Create/UploadPart/Complete rather than lib-storage's Upload:
 * Upload keeps its upload id and parts in memory only (nothing to resume after a crash), sends
 * parts concurrently and out of order, and can only put one checksum value in its params, not a
 * SHA-256 per part. Here parts go one after another (the executor already runs `transfers` files
 * at once), each with its own SHA-256 that S3 verifies, and after each part the upload id and the
 * parts sent are saved in the ResumeSlot. The next attempt asks S3 (ListParts) which of those
 * parts it really holds, re-reads them from the source to check they are still the same bytes,
 * and sends only the rest.
 */
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { SourceChangedError } from '../../errors.ts';
import { AlreadyExistsError, IntegrityError, RemoteError, isRemoteError } from '../errors.ts';
import type { RemoteEntry, ResumeSlot, UploadBody, UploadOptions } from '../types.ts';
import { MAX_PART_BYTES, MAX_PARTS, MiB, SHA256_METADATA, compositeSha256, sha256Base64 } from './api.ts';
import { classifyS3Error } from './errors.ts';
import { partsOf } from './parts.ts';
import { discard, resumeSession, type Session, type UploadTarget } from './session.ts';

/** The parts uploaded earlier are not what the source holds now: the upload is discarded and started again. */
class StaleUploadError extends RemoteError {}

/** Parts of at least `partBytes`, grown (in whole MiB) where the file would otherwise need more than 10,000. */
export function partSizeFor(size: number, partBytes: number, remote: string): number {
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  const chosen = Math.max(partBytes, needed);
  if (chosen > MAX_PART_BYTES) throw new RemoteError(remote, 'fatal', `${size} bytes is more than S3 can store in one object`);
  return chosen;
}

export async function uploadInParts(
  target: UploadTarget,
  path: string,
  key: string,
  body: UploadBody,
  partBytes: number,
  options: UploadOptions,
): Promise<RemoteEntry> {
  const { signal } = options;
  const slot = options.resume;
  const call = { abortSignal: signal };
  let session: Session | null = null;
  try {
    session = await resumeSession(target, slot, key, body, partBytes, signal);
    if (!session) {
      // Also checked before Complete; this one saves uploading a whole file to a name that is taken.
      if (await target.exists(key, signal)) throw new AlreadyExistsError(target.remote, path);
      const created = await target.client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: key,
          ChecksumAlgorithm: 'SHA256',
          Metadata: { [SHA256_METADATA]: body.sha256 },
          StorageClass: target.storageClass,
        }),
        call,
      );
      if (!created.UploadId) throw new RemoteError(target.remote, 'fatal', `S3 started an upload for ${path} without an upload id`);
      session = { v: 1, key, uploadId: created.UploadId, size: body.size, sha256: body.sha256, partBytes, parts: [] };
      slot?.save(JSON.stringify(session));
    }
    const active = session;
    let sent = 0;
    let n = 0;
    for await (const data of partsOf(body.open(), partBytes, signal)) {
      n++;
      const checksum = sha256Base64(data);
      const earlier = active.parts[n - 1];
      if (earlier) {
        if (earlier.sha256 !== checksum || earlier.bytes !== data.length) {
          throw new StaleUploadError(target.remote, 'retryable', `part ${n} of the unfinished upload of ${path} differs from the source now; starting it again`);
        }
        continue;
      }
      const out = await target.client.send(
        new UploadPartCommand({
          Bucket: target.bucket,
          Key: key,
          UploadId: active.uploadId,
          PartNumber: n,
          Body: data,
          ContentLength: data.length,
          ChecksumSHA256: checksum,
        }),
        call,
      );
      if (!out.ETag || (out.ChecksumSHA256 !== undefined && out.ChecksumSHA256 !== checksum)) {
        throw new IntegrityError(target.remote, `S3 acknowledged part ${n} of ${path} with ${out.ChecksumSHA256 ?? 'no ETag'}, not the SHA-256 sent`);
      }
      active.parts.push({ n, etag: out.ETag, sha256: checksum, bytes: data.length });
      slot?.save(JSON.stringify(active));
      sent += data.length;
      options.onProgress?.(sent);
    }
    // The body's stream ends only once all of it hashed to the plan's SHA-256, so the parts are
    // exactly the planned content. Now the name must still be free.
    const stored = active.parts.reduce((total, p) => total + p.bytes, 0);
    if (stored !== body.size || active.parts.length !== n) {
      throw new IntegrityError(target.remote, `the parts of ${path} hold ${stored} bytes, not ${body.size}`);
    }
    return await complete(target, path, active, slot, signal);
  } catch (err) {
    const error = classifyS3Error(target.remote, err, `upload ${path}`, path);
    if (session && mustDiscard(error, slot, signal)) await discard(target, session, slot);
    throw error;
  }
}

async function complete(target: UploadTarget, path: string, session: Session, slot: ResumeSlot | undefined, signal?: AbortSignal): Promise<RemoteEntry> {
  // Checked even where If-None-Match is honoured: the probe only showed PutObject honours it,
  // and some S3-compatible stores honour it on PutObject but not on Complete.
  if (await target.exists(session.key, signal)) throw new AlreadyExistsError(target.remote, path);
  const conditional = await target.conditionalWrites();
  let out;
  try {
    out = await target.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: session.key,
        UploadId: session.uploadId,
        MultipartUpload: { Parts: session.parts.map((p) => ({ PartNumber: p.n, ETag: p.etag, ChecksumSHA256: p.sha256 })) },
        ...(conditional ? { IfNoneMatch: '*' } : {}),
      }),
      { abortSignal: signal },
    );
  } catch (err) {
    const name = (err as Error).name;
    // S3 wants a fresh upload after a conflicting concurrent write.
    if (name === 'ConditionalRequestConflict') throw new StaleUploadError(target.remote, 'retryable', `a concurrent write to ${path} interfered; starting again`, { cause: err });
    if (name === 'NoSuchUpload') {
      if (await target.exists(session.key, signal)) throw new AlreadyExistsError(target.remote, path, { cause: err });
      throw new StaleUploadError(target.remote, 'retryable', `the unfinished upload of ${path} is gone from S3; starting again`, { cause: err });
    }
    throw err;
  }
  slot?.clear();
  const hashes: { sha256?: string } = {};
  if (out.ChecksumSHA256 !== undefined) {
    if (out.ChecksumSHA256 !== compositeSha256(session.parts.map((p) => p.sha256))) {
      throw new IntegrityError(target.remote, `S3 reports checksum ${out.ChecksumSHA256} for ${path}, which is not the one of the parts sent`);
    }
    // S3 checked every part's SHA-256 and the parts make up the planned content.
    hashes.sha256 = session.sha256;
  }
  return { path, size: session.size, hashes };
}

/**
 * Whether an unfinished upload is dropped, or kept in the slot for the next attempt. Without a
 * slot nothing could resume it. With one it is kept through failures that may pass (network,
 * throttling, the source unreadable for now, a crash), and dropped when it can never complete:
 * the name is taken, the source changed, S3 refused the upload, or the caller stopped the run.
 */
function mustDiscard(error: Error, slot: ResumeSlot | undefined, signal: AbortSignal | undefined): boolean {
  if (!slot || signal?.aborted || error instanceof StaleUploadError) return true;
  if (error instanceof SourceChangedError) return true;
  if (isRemoteError(error)) return !(error.retryable || error.failure === 'auth');
  return false;
}
