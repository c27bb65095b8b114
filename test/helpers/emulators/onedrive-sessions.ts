/**
 * Upload sessions of the OneDrive emulator (cloud-apis.md §3.2): fragments must come in order,
 * each a multiple of 320 KiB except the last, under 60 MiB, with one TOTAL throughout and a
 * Content-Length that matches the bytes; an overlap is 416, a gap is a violation. The name is
 * checked against the conflictBehavior again when the last fragment completes the file.
 */
import { randomBytes } from 'node:crypto';
import { DriveError, type ConflictBehavior, type EmulatedDrive, type EmuItem } from './onedrive-drive.ts';

export const FRAGMENT_UNIT = 320 * 1024;
export const MAX_FRAGMENT = 60 * 1024 * 1024;

export interface UploadSession {
  readonly id: string;
  readonly parentId: string;
  readonly name: string;
  readonly behavior: ConflictBehavior;
  /** The fileSize the session was created with, if any: every fragment's TOTAL must equal it. */
  readonly fileSize: number | null;
  total: number | null;
  received: number;
  readonly chunks: Buffer[];
  expires: number;
  /** Bytes of fragments the session took in. */
  acceptedBytes: number;
  /** Bytes of every fragment request that arrived, taken or not (a dropped one too). */
  receivedBytes: number;
  overlaps: number;
  state: 'open' | 'done' | 'cancelled';
}

export type FragmentResult =
  | { readonly kind: 'more'; readonly session: UploadSession }
  | { readonly kind: 'done'; readonly item: EmuItem; readonly status: 200 | 201 };

export class UploadSessions {
  readonly all = new Map<string, UploadSession>();
  private readonly drive: EmulatedDrive;
  private readonly ttlMs: number;

  constructor(drive: EmulatedDrive, ttlMs: number) {
    this.drive = drive;
    this.ttlMs = ttlMs;
  }

  open(parentId: string, name: string, behavior: ConflictBehavior, checkConflictNow: boolean, fileSize: number | null): UploadSession {
    this.drive.checkName(name);
    if (!this.drive.get(parentId)?.folder) throw new DriveError(404, 'itemNotFound', 'the parent folder does not exist');
    if (checkConflictNow && behavior === 'fail' && this.drive.child(parentId, name)) {
      throw new DriveError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    }
    if (this.drive.driveType === 'business') {
      // ODB refuses a second session for a name while one is open, whatever the conflictBehavior.
      const busy = [...this.all.values()].some((s) => this.live(s) && s.parentId === parentId && s.name.toLowerCase() === name.toLowerCase());
      if (busy) throw new DriveError(409, 'nameAlreadyExists', 'A file with the same name is currently being uploaded.');
    }
    const session: UploadSession = {
      id: randomBytes(12).toString('base64url'),
      parentId,
      name,
      behavior,
      fileSize,
      total: null,
      received: 0,
      chunks: [],
      expires: Date.now() + this.ttlMs,
      acceptedBytes: 0,
      receivedBytes: 0,
      overlaps: 0,
      state: 'open',
    };
    this.all.set(session.id, session);
    return session;
  }

  find(id: string): UploadSession {
    const session = this.all.get(id);
    if (!session || !this.live(session)) throw new DriveError(404, 'itemNotFound', 'The upload session was not found (uploadSessionNotFound)');
    return session;
  }

  cancel(id: string): void {
    this.find(id).state = 'cancelled';
  }

  expireAll(): void {
    for (const s of this.all.values()) s.expires = 0;
  }

  fragment(id: string, contentRange: string | undefined, contentLength: string | undefined, body: Buffer): FragmentResult {
    const session = this.find(id);
    session.receivedBytes += body.length;
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '');
    if (!m) throw new DriveError(400, 'invalidRequest', `Content-Range ${JSON.stringify(contentRange)} is not "bytes a-b/TOTAL"`, true);
    const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const length = end - start + 1;
    if (session.total !== null && total !== session.total) {
      throw new DriveError(400, 'invalidRequest', `TOTAL ${total} differs from the ${session.total} of earlier fragments`, true);
    }
    if (session.fileSize !== null && total !== session.fileSize) {
      throw new DriveError(400, 'invalidRequest', `TOTAL ${total} differs from the session's fileSize ${session.fileSize}`, true);
    }
    if (length <= 0 || end >= total) throw new DriveError(400, 'invalidRange', `range ${start}-${end} does not fit ${total}`, true);
    if (contentLength !== String(body.length) || body.length !== length) {
      throw new DriveError(400, 'invalidRequest', `fragmentLengthMismatch: Content-Length ${contentLength}, body ${body.length}, range ${length}`, true);
    }
    if (length >= MAX_FRAGMENT) throw new DriveError(400, 'invalidRequest', `a fragment of ${length} bytes is not under 60 MiB`, true);
    if (end + 1 < total && length % FRAGMENT_UNIT !== 0) {
      throw new DriveError(400, 'invalidRequest', `a fragment of ${length} bytes is not a multiple of 320 KiB`, true);
    }
    if (start < session.received) {
      session.overlaps++;
      throw new DriveError(416, 'invalidRange', 'fragmentOverlap: the fragment overlaps data already received');
    }
    if (start > session.received) {
      throw new DriveError(416, 'invalidRange', `fragmentOutOfOrder: expected byte ${session.received}, got ${start}`, true);
    }
    session.total = total;
    session.chunks.push(Buffer.from(body));
    session.received += length;
    session.acceptedBytes += length;
    if (session.received < total) return { kind: 'more', session };
    // The session outlives a conflict at the end (until it expires), as the service's does.
    const placed = this.drive.place(session.parentId, session.name, false, Buffer.concat(session.chunks), session.behavior);
    session.state = 'done';
    return { kind: 'done', ...placed };
  }

  status(session: UploadSession): { expirationDateTime: string; nextExpectedRanges: string[] } {
    const done = session.total !== null && session.received >= session.total;
    return { expirationDateTime: new Date(session.expires).toISOString(), nextExpectedRanges: done ? [] : [`${session.received}-`] };
  }

  private live(session: UploadSession): boolean {
    return session.state === 'open' && session.expires > Date.now();
  }
}
