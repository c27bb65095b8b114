/**
 * The Remote interface. Append-only is a property of the type: there is no delete, no overwrite
 * and no move here. `create` makes a file that did not exist, or fails with AlreadyExistsError.
 * The only cleanup a remote may do is remove its own unfinished upload (a temporary file, an
 * unfinished multipart upload or session).
 */
import type { Readable } from 'node:stream';

/** Hash names, in the remote's own terms. */
export type HashName = 'sha256' | 'md5' | 'sha1' | 'dropbox' | 'quickxor';

export type Hashes = Readonly<Partial<Record<HashName, string>>>;

export interface RemoteEntry {
  /** Path relative to the remote's root, "/"-separated, no leading slash. */
  readonly path: string;
  readonly size: number;
  /** Hashes as the remote reports them (its own view of the bytes it stores). */
  readonly hashes: Hashes;
}

export interface UploadBody {
  readonly size: number;
  /** The content the plan promised; a stream whose bytes do not hash to it fails before its end. */
  readonly sha256: string;
  /**
   * A fresh stream of the bytes from `start`. It holds back its last chunk until the whole content
   * hashed to `sha256`, so a source that changed mid-upload never completes an upload.
   */
  open(start?: number): Readable;
  /**
   * The whole content in memory, checked against the plan like a stream (for small bodies, where
   * one read and one write beat a stream's machinery). Sets digests() too.
   */
  readAll(): Promise<Buffer>;
  /**
   * When the bytes are a plain file on this machine and nothing throttles them: its path. A remote
   * on this machine may read it itself, provided it checks size and SHA-256 against the plan.
   */
  readonly localFile?: string | undefined;
  /** Shown in errors: the source file as the user knows it. */
  readonly label: string;
  /** Hashes of the bytes sent, in the names the remote asked for; complete once an open() stream has ended. */
  digests(): Hashes;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface UploadOptions extends CallOptions {
  /** Bytes sent so far for this upload (for progress and bandwidth accounting). */
  readonly onProgress?: ((sentBytes: number) => void) | undefined;
  /** Where a resumable upload keeps its session (upload URL, multipart id) across crashes. */
  readonly resume?: ResumeSlot | undefined;
}

/** Persisted state of one resumable upload; the executor stores it in the state database. */
export interface ResumeSlot {
  load(): string | null;
  save(session: string): void;
  clear(): void;
}

export interface Quota {
  readonly usedBytes: number | null;
  /** Bytes still free, or null when the remote cannot say. */
  readonly freeBytes: number | null;
}

/**
 * An incremental listing. Called with null, or when the service dropped the cursor, it is a
 * complete listing (`complete: true`: anything not in `entries` is gone); with a cursor, it is
 * what changed since.
 */
export interface ListChanges {
  readonly entries: readonly RemoteEntry[];
  /** Paths that disappeared since the cursor (someone else deleted them); a folder stands for all under it. */
  readonly removed: readonly string[];
  readonly complete: boolean;
  /** Where the next call continues. */
  readonly cursor: string;
}

export interface Remote {
  readonly name: string;
  readonly type: string;
  /**
   * What this remote is, independent of its name in the config ("local:/mnt/backup",
   * "s3:bucket/prefix@endpoint"); the state keys inventories by it.
   */
  readonly identity: string;
  /** Hashes the remote reports for stored files; every upload is checked against them. */
  readonly hashes: readonly HashName[];
  /**
   * The hashes the executor computes of an upload's bytes for that check, where not all of
   * `hashes`: S3 holds a small body in memory and computes its MD5 itself, only when the store did
   * not already verify the SHA-256 (an MD5 pass costs more CPU than the upload on a fast link).
   */
  readonly uploadHashes?: readonly HashName[];
  /** Every file under the remote's root, recursively (pages internally). */
  list(options?: CallOptions): AsyncIterable<RemoteEntry>;
  /** The file at `path`, or null if there is none. */
  stat(path: string, options?: CallOptions): Promise<RemoteEntry | null>;
  /** Creates `path` with the body's bytes; AlreadyExistsError if it exists. A failed create leaves nothing at `path`. */
  create(path: string, body: UploadBody, options?: UploadOptions): Promise<RemoteEntry>;
  /** Reads a stored file back (verify, restore). */
  read(path: string, options?: CallOptions): Promise<Readable>;
  /** Incremental listing, where the service has a changes feed (see ListChanges). */
  listChanges?(cursor: string | null, options?: CallOptions): Promise<ListChanges>;
  quota?(options?: CallOptions): Promise<Quota>;
  /**
   * For remotes that make their writes durable in batches (a local disk syncs its file system
   * once for many files, instead of fsyncing each): resolves once everything create() has
   * returned so far would survive a power cut. The executor journals those files only then.
   */
  durable?(): Promise<void>;
  close?(): Promise<void>;
}
