/**
 * An unfinished multipart upload as the ResumeSlot keeps it, and how the next attempt recovers
 * it: the parts S3 confirms it holds are kept, anything that cannot be continued is aborted
 * (it is photosync's own) and a new upload starts.
 */
import { AbortMultipartUploadCommand, ListPartsCommand, type S3Client, type StorageClass } from '@aws-sdk/client-s3';
import { isRemoteError } from '../errors.ts';
import type { ResumeSlot, UploadBody } from '../types.ts';
import { classifyS3Error } from './errors.ts';

/** What an upload needs from the remote it belongs to. */
export interface UploadTarget {
  readonly remote: string;
  readonly client: S3Client;
  readonly bucket: string;
  readonly storageClass: StorageClass | undefined;
  /** Whether the store honours If-None-Match: * (configured or probed). */
  conditionalWrites(): Promise<boolean>;
  exists(key: string, signal?: AbortSignal): Promise<boolean>;
}

export interface SentPart {
  readonly n: number;
  readonly etag: string;
  /** base64 SHA-256 of the part's bytes, as S3 checked it. */
  readonly sha256: string;
  readonly bytes: number;
}

/** The ResumeSlot's content: everything needed to continue, or recognise, an unfinished upload. */
export interface Session {
  readonly v: 1;
  readonly key: string;
  readonly uploadId: string;
  readonly size: number;
  readonly sha256: string;
  readonly partBytes: number;
  parts: SentPart[];
}

/** Aborts our own unfinished upload; the slot is cleared only once S3 no longer holds it. */
export async function discard(target: UploadTarget, session: Session, slot: ResumeSlot | undefined): Promise<void> {
  try {
    await target.client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: session.key, UploadId: session.uploadId }));
  } catch (err) {
    if ((err as Error).name !== 'NoSuchUpload') return;
  }
  slot?.clear();
}

/**
 * The upload saved in the slot, reduced to the parts S3 confirms it holds (same number, ETag,
 * size and, where S3 reports one, SHA-256); null when there is none to continue.
 */
export async function resumeSession(
  target: UploadTarget,
  slot: ResumeSlot | undefined,
  key: string,
  body: UploadBody,
  partBytes: number,
  signal?: AbortSignal,
): Promise<Session | null> {
  const raw = slot?.load();
  if (!slot || !raw) return null;
  const saved = parseSession(raw);
  if (!saved) {
    slot.clear();
    return null;
  }
  if (saved.key !== key || saved.size !== body.size || saved.sha256 !== body.sha256 || saved.partBytes !== partBytes) {
    // An upload of other content (the plan changed): ours, so it goes; the new one replaces it in the slot.
    await discard(target, saved, slot);
    return null;
  }
  let held: Map<number, { etag: string; size: number; sha256: string | undefined }>;
  try {
    held = await listParts(target, saved, signal);
  } catch (err) {
    const error = classifyS3Error(target.remote, err, 'list the parts of an unfinished upload');
    // Gone (completed or aborted), or a store that cannot list parts: start a new upload.
    if (!isRemoteError(error, 'not-found') && !isRemoteError(error, 'fatal')) throw error;
    await discard(target, saved, slot);
    return null;
  }
  const confirmed: SentPart[] = [];
  for (const [i, part] of saved.parts.entries()) {
    const there = held.get(part.n);
    const same = there && part.n === i + 1 && unquote(there.etag) === unquote(part.etag) && there.size === part.bytes;
    if (!same || (there.sha256 !== undefined && there.sha256 !== part.sha256)) break;
    confirmed.push(part);
  }
  const session = { ...saved, parts: confirmed };
  slot.save(JSON.stringify(session));
  return session;
}

async function listParts(target: UploadTarget, session: Session, signal?: AbortSignal) {
  const held = new Map<number, { etag: string; size: number; sha256: string | undefined }>();
  let marker: string | undefined;
  do {
    const out = await target.client.send(
      new ListPartsCommand({ Bucket: target.bucket, Key: session.key, UploadId: session.uploadId, PartNumberMarker: marker }),
      { abortSignal: signal },
    );
    for (const p of out.Parts ?? []) {
      if (p.PartNumber !== undefined && p.ETag) held.set(p.PartNumber, { etag: p.ETag, size: p.Size ?? -1, sha256: p.ChecksumSHA256 });
    }
    marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
  } while (marker);
  return held;
}

function parseSession(raw: string): Session | null {
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    const ok =
      s.v === 1 && typeof s.key === 'string' && typeof s.uploadId === 'string' && typeof s.size === 'number' &&
      typeof s.sha256 === 'string' && typeof s.partBytes === 'number' && Array.isArray(s.parts);
    return ok ? (s as Session) : null;
  } catch {
    return null;
  }
}

function unquote(etag: string): string {
  return etag.replace(/"/g, '');
}
