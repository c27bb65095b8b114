/**
 * A folder on a local or external disk, or a mounted share. A file is written to a dot-prefixed
 * temporary name in its destination folder, its bytes hashed as written and compared with the plan,
 * then hard-linked to its final name and made durable (fsync per file, or one file-system sync
 * per batch: durability.ts); link() refuses to replace an existing file, so not
 * even a race can overwrite one. On file systems without hard links (FAT, exFAT, some SMB
 * mounts) photosync checks that the name is free, then renames, under its apply lock.
 */
import { close, type Dir, createReadStream, fsync, open as openFd, unlink as unlinkFile, write } from 'node:fs';
import { link, lstat, mkdir, opendir, readdir, rename, statfs, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { LocalRemoteConfig } from '../../config/types.ts';
import { AlreadyExistsError, IntegrityError, NotFoundError, RemoteError } from '../errors.ts';
import { assertSafePath } from '../safe-path.ts';
import { remoteIdentity } from '../identity.ts';
import type { RemoteDefinition } from '../registry.ts';
import type { CallOptions, Quota, Remote, RemoteEntry, UploadBody, UploadOptions } from '../types.ts';
import { availableParallelism } from 'node:os';
import { PhotosyncError, SourceChangedError } from '../../errors.ts';
import { isInside } from '../../paths.ts';
import { createBatchPool, workerBeside, type BatchPool } from '../../workers/batch-pool.ts';
import { copySmallFile, NO_HARDLINK_CODES, type CopyResult, type CopyTask } from './copy-worker.ts';
import { durabilityFor, syncDir, type Durability } from './durability.ts';
import { classifyFsError } from './errors.ts';

// The callback API: per call it costs far less than fs/promises' FileHandle objects, which adds up
// over tens of thousands of small photos.
const fsOpen = promisify(openFd);
const fsWrite = (fd: number, buffer: Buffer, offset: number, length: number): Promise<number> =>
  new Promise((resolve, reject) => write(fd, buffer, offset, length, null, (err, written) => (err ? reject(err) : resolve(written))));
const fsFsync = promisify(fsync);
const fsClose = promisify(close);
const fsUnlink = promisify(unlinkFile);

/** Temporary names are unique per process (its pid) and within it (this counter, shared by every instance). */
let tempCounter = 0;
/**
 * Names this process's temporary files. The pid alone is not enough: in a container photosync has
 * the same pid on every run, and would take an earlier run's leftovers for its own.
 */
const RUN_TOKEN = `${process.pid}.${randomBytes(4).toString('hex')}`;

/** The first few small files are copied on the main thread: a run that small does not need a worker. */
const INLINE_COPIES = 16;

/** Up to this size a body is read whole and written in one call. */
const SMALL_FILE = 4 * 1024 * 1024;
/** Files of a folder whose sizes are asked for together while listing. */
const STAT_BATCH = 256;
const PARTIAL_PREFIX = '.photosync-';
const PARTIAL_SUFFIX = '.partial';

export interface LocalRemoteOptions {
  /** Nothing is recorded on this remote yet, so its folder may be created; once it holds files, a missing folder is an error (a drive not mounted). */
  readonly mayCreateRoot: boolean;
}

export class LocalRemote implements Remote {
  readonly type = 'local';
  readonly hashes = ['sha256'] as const;
  readonly name: string;
  readonly identity: string;
  private readonly root: string;
  private readonly mayCreateRoot: boolean;
  private readonly readyDirs = new Map<string, Promise<void>>();
  private rootChecked: Promise<void> | undefined;
  private durabilityChecked: Promise<Durability> | undefined;
  private copyPool: BatchPool<CopyTask, CopyResult> | undefined;
  private smallCopies = 0;

  constructor(config: LocalRemoteConfig, options: LocalRemoteOptions) {
    this.name = config.name;
    this.root = config.path;
    this.identity = remoteIdentity(config);
    this.mayCreateRoot = options.mayCreateRoot;
  }

  async *list(): AsyncIterable<RemoteEntry> {
    if (!(await this.rootExists())) return;
    const stack = [''];
    while (stack.length > 0) {
      const rel = stack.pop()!;
      let dir: Dir;
      try {
        dir = await opendir(path.join(this.root, rel));
      } catch (err) {
        // A folder photosync cannot enter holds nothing it wrote (the root of an ext4 disk has
        // lost+found, readable by root only); one gone since its parent was read holds nothing.
        const code = (err as NodeJS.ErrnoException).code;
        if (rel !== '' && (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'ENOTDIR')) continue;
        throw classifyFsError(this.name, err, `list ${rel === '' ? this.root : rel}`);
      }
      let files: string[] = [];
      for await (const entry of dir) {
        const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) stack.push(childRel);
        else if (entry.isFile() && !isPartial(entry.name)) files.push(childRel);
        if (files.length >= STAT_BATCH) {
          yield* this.sized(files);
          files = [];
        }
      }
      yield* this.sized(files);
    }
  }

  /**
   * Sizes of a folder's files, asked all at once: one lstat at a time would wait a thread-pool
   * round trip per file (a 100,000-file backup disk listed in 11 s instead of 5).
   */
  private async *sized(files: readonly string[]): AsyncIterable<RemoteEntry> {
    const sizes = await Promise.all(files.map((rel) => this.sizeOf(rel)));
    for (const [i, rel] of files.entries()) {
      const size = sizes[i];
      if (size !== null && size !== undefined) yield { path: rel, size, hashes: {} };
    }
  }

  /** A listed file's size; null if it went away since its folder was read. */
  private async sizeOf(rel: string): Promise<number | null> {
    try {
      return (await lstat(path.join(this.root, rel))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw classifyFsError(this.name, err, `list ${rel}`);
    }
  }

  async stat(p: string): Promise<RemoteEntry | null> {
    const full = this.resolve(p);
    try {
      const st = await lstat(full);
      return st.isFile() ? { path: p, size: st.size, hashes: {} } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw classifyFsError(this.name, err, `stat ${p}`);
    }
  }

  async create(p: string, body: UploadBody, options: UploadOptions = {}): Promise<RemoteEntry> {
    const final = this.resolve(p);
    const dir = path.dirname(final);
    await this.ensureDir(dir);
    const durability = await this.durability();
    const temp = path.join(dir, `${PARTIAL_PREFIX}${RUN_TOKEN}-${++tempCounter}${PARTIAL_SUFFIX}`);
    if (body.localFile !== undefined && body.size <= SMALL_FILE) {
      return this.copySmall(p, body.localFile, body, { temp, final, folder: dir, fsync: durability.perFile }, options);
    }
    try {
      if (body.size <= SMALL_FILE) {
        await writeSmall(temp, await body.readAll(), durability.perFile);
        options.onProgress?.(body.size);
      } else {
        await writeStream(temp, body, options, durability.perFile);
      }
      // Both ways, the bytes written are bytes that hashed to the plan's SHA-256 on their way in.
      const sha256 = body.digests().sha256;
      if (sha256 !== body.sha256) throw new IntegrityError(this.name, `the bytes written for ${p} were not verified`);
      try {
        await link(temp, final);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') throw new AlreadyExistsError(this.name, p);
        if (!NO_HARDLINK_CODES.has(code)) throw err;
        if (await this.stat(p)) throw new AlreadyExistsError(this.name, p);
        await rename(temp, final);
      }
      if (durability.perFile) await syncDir(dir);
      return { path: p, size: body.size, hashes: { sha256 } };
    } catch (err) {
      throw this.writeFailure(err, `write ${p}`);
    } finally {
      // The temporary file is ours: once linked, or on failure, it goes (after a rename it is already gone).
      await unlinkQuietly(temp);
    }
  }

  /**
   * A small file straight from a local source: read, checked, written and linked with
   * synchronous calls, in a worker thread once there are enough files to be worth one.
   */
  private async copySmall(
    p: string,
    source: string,
    body: UploadBody,
    where: Pick<CopyTask, 'temp' | 'final' | 'folder' | 'fsync'>,
    options: UploadOptions,
  ): Promise<RemoteEntry> {
    const task: CopyTask = { source, size: body.size, sha256: body.sha256, ...where };
    let result: CopyResult;
    try {
      result = ++this.smallCopies <= INLINE_COPIES ? copySmallFile(task) : await this.copier().run(task, body.size);
    } catch (err) {
      throw this.writeFailure(err, `write ${p}`);
    }
    if (result.kind === 'changed') throw new SourceChangedError(body.label, result.detail);
    if (result.kind === 'unreadable') throw new Error(`cannot read ${body.label}: ${result.detail}`);
    if (result.kind === 'exists') throw new AlreadyExistsError(this.name, p);
    options.onProgress?.(body.size);
    return { path: p, size: body.size, hashes: { sha256: body.sha256 } };
  }

  /**
   * A failure of the backup disk is classified (a full or read-only disk stops this remote); one
   * of the source file (unreadable, changed, gone) is the item's own and passes through as it is,
   * so one bad photo does not stop the whole backup.
   */
  private writeFailure(err: unknown, what: string): unknown {
    if (err instanceof PhotosyncError || err instanceof SourceChangedError) return err;
    const at = (err as NodeJS.ErrnoException).path;
    if (at !== undefined && !isInside(this.root, at)) return err;
    return classifyFsError(this.name, err, what);
  }

  private copier(): BatchPool<CopyTask, CopyResult> {
    this.copyPool ??= createBatchPool<CopyTask, CopyResult>({
      worker: workerBeside(import.meta.url, 'copy-worker'),
      threads: Math.min(2, availableParallelism()),
      batchFiles: 64,
    });
    return this.copyPool;
  }

  async close(): Promise<void> {
    await this.copyPool?.close();
    this.copyPool = undefined;
  }

  async durable(): Promise<void> {
    await (await this.durability()).barrier();
  }

  async read(p: string, options: CallOptions = {}): Promise<Readable> {
    const full = this.resolve(p);
    if (!(await this.stat(p))) throw new NotFoundError(this.name, p);
    return createReadStream(full, { signal: options.signal });
  }

  async quota(): Promise<Quota> {
    // Before the first backup the folder may not exist yet; its parent's disk is where it will be.
    const where = (await this.rootExists()) ? this.root : path.dirname(this.root);
    const fs = await statfs(where);
    return { usedBytes: null, freeBytes: fs.bavail * fs.bsize };
  }

  private resolve(p: string): string {
    assertSafePath(this.name, p);
    return path.join(this.root, ...p.split('/'));
  }

  private durability(): Promise<Durability> {
    this.durabilityChecked ??= this.checkRoot().then(() => durabilityFor(this.root));
    return this.durabilityChecked;
  }

  /**
   * Whether the root folder is there. A missing root is an error once photosync has written to
   * this remote (the drive is probably not mounted); before that, it is created on first write.
   */
  private async rootExists(): Promise<boolean> {
    try {
      const st = await lstat(this.root);
      if (!st.isDirectory()) throw new RemoteError(this.name, 'unavailable', `${this.root} is not a folder`);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw classifyFsError(this.name, err, this.root);
      if (this.mayCreateRoot) return false;
      throw new RemoteError(
        this.name,
        'unavailable',
        `the folder of remote "${this.name}" (${this.root}) is missing, though photosync recorded files there: is the drive connected and mounted?`,
      );
    }
  }

  private checkRoot(): Promise<void> {
    this.rootChecked ??= this.rootExists().then(async (present) => {
      if (!present) await mkdir(this.root, { recursive: true });
    });
    return this.rootChecked;
  }

  /** Creates each destination folder once per run, and clears our own leftovers from an interrupted run there. */
  private ensureDir(dir: string): Promise<void> {
    let ready = this.readyDirs.get(dir);
    if (!ready) {
      ready = (async () => {
        await this.checkRoot();
        await mkdir(dir, { recursive: true });
        for (const name of await readdir(dir)) {
          if (isPartial(name) && !name.startsWith(`${PARTIAL_PREFIX}${RUN_TOKEN}-`)) {
            await unlink(path.join(dir, name)).catch(() => {});
          }
        }
      })().catch((err: unknown) => {
        this.readyDirs.delete(dir);
        throw classifyFsError(this.name, err, `create folder ${dir}`);
      });
      this.readyDirs.set(dir, ready);
    }
    return ready;
  }
}

function isPartial(name: string): boolean {
  return name.startsWith(PARTIAL_PREFIX) && name.endsWith(PARTIAL_SUFFIX);
}

/** Small files: one read (already checked against the plan), one write. */
async function writeSmall(temp: string, data: Buffer, fsync: boolean): Promise<void> {
  const fd = await fsOpen(temp, 'wx');
  try {
    let offset = 0;
    while (offset < data.length) offset += await fsWrite(fd, data, offset, data.length - offset);
    if (fsync) await fsFsync(fd);
  } finally {
    await fsClose(fd);
  }
}

/** Streams the body into a new file (never an existing one). */
async function writeStream(temp: string, body: UploadBody, options: UploadOptions, fsync: boolean): Promise<void> {
  const fd = await fsOpen(temp, 'wx');
  try {
    let sent = 0;
    for await (const chunk of body.open() as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      let offset = 0;
      while (offset < chunk.length) offset += await fsWrite(fd, chunk, offset, chunk.length - offset);
      sent += chunk.length;
      options.onProgress?.(sent);
    }
    if (fsync) await fsFsync(fd);
  } finally {
    await fsClose(fd);
  }
}

async function unlinkQuietly(file: string): Promise<void> {
  await fsUnlink(file).catch(() => {});
}

export const definition: RemoteDefinition<LocalRemoteConfig> = {
  create: async (config, context) => new LocalRemote(config, { mayCreateRoot: context.firstUse }),
};
