/**
 * A WebDAV share (Synology, QNAP, Nextcloud, Apache mod_dav). Append-only on a protocol that can
 * overwrite: once per run the remote checks whether the server honours `If-None-Match: *` on PUT
 * (a probe on a temporary name of its own). If it does, each file is one PUT straight to its name
 * and a taken name answers 412. If not, the file goes to a dot-prefixed temporary name in the
 * same folder and is moved into place with `Overwrite: F`, which servers must refuse with 412
 * when the name is taken (RFC 4918 §9.9.3).
 *
 * WebDAV reports no content hash, so uploads are verified by reading them back (verify:
 * readback, the default) or by size only (verify: size: the server's 2xx to a PUT whose
 * Content-Length was the planned size, which costs no extra request).
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { WebdavRemoteConfig } from '../../config/types.ts';
import { AlreadyExistsError, IntegrityError, NotFoundError, RemoteError } from '../errors.ts';
import { downloadBody } from '../download.ts';
import { remoteIdentity } from '../identity.ts';
import { hashRemoteFile } from '../remote-hash.ts';
import type { RemoteDefinition } from '../registry.ts';
import { assertSafePath } from '../safe-path.ts';
import type { CallOptions, HashName, Quota, Remote, RemoteEntry, UploadBody, UploadOptions } from '../types.ts';
import { DavClient, type DavReply } from './api.ts';
import { resolveCredentials } from './credentials.ts';
import { DavFolders, parentOf } from './folders.ts';
import { DavListing } from './listing.ts';
import { contentLength, davProp, isCollection } from './xml.ts';

const PARTIAL_PREFIX = '.photosync-';
const PARTIAL_SUFFIX = '.partial';

export interface WebdavRemoteOptions {
  /** Nothing is recorded on this remote yet, so its folder may be created. */
  readonly mayCreateRoot: boolean;
  readonly password: string | null;
  readonly authHint: string;
}

export class WebdavRemote implements Remote {
  readonly type = 'webdav';
  readonly hashes: readonly HashName[] = [];
  readonly name: string;
  readonly identity: string;
  private readonly dav: DavClient;
  private readonly listing: DavListing;
  private readonly verify: WebdavRemoteConfig['verify'];
  private readonly mayCreateRoot: boolean;
  private readonly folders: DavFolders;
  /** Whether PUT honours If-None-Match: *; asked once per run, on first upload. */
  private conditionalPut: Promise<boolean> | null = null;

  constructor(config: WebdavRemoteConfig, options: WebdavRemoteOptions) {
    this.name = config.name;
    this.identity = remoteIdentity(config);
    this.verify = config.verify;
    this.mayCreateRoot = options.mayCreateRoot;
    this.dav = new DavClient({
      url: config.url,
      username: config.username,
      password: options.password,
      connections: config.transfers,
      timeoutMs: config.timeoutMs,
      classify: { remote: config.name, authHint: options.authHint, loginSent: config.username !== null && options.password !== null },
    });
    this.folders = new DavFolders(this.dav, { remote: config.name, mayCreateRoot: options.mayCreateRoot, rootMissing: () => this.rootMissingError() });
    this.listing = new DavListing(this.dav, {
      concurrency: config.transfers,
      isOwnTemporary: isPartial,
      rootMissing: () => (this.mayCreateRoot ? null : this.rootMissingError()),
    });
  }

  list(options: CallOptions = {}): AsyncIterable<RemoteEntry> {
    return this.listing.files(options.signal);
  }

  async stat(p: string, options: CallOptions = {}): Promise<RemoteEntry | null> {
    this.checkPath(p);
    const reply = await this.dav.propfind(p, '0', ['resourcetype', 'getcontentlength'], { collection: false, signal: options.signal });
    if (reply.statusCode === 404) {
      await reply.body.dump();
      return null;
    }
    if (reply.statusCode !== 207) return this.dav.failure('PROPFIND', p, reply);
    // Depth 0 describes the resource asked for, whatever spelling of its href (or Unicode
    // normalisation of its name) the server answers with.
    let entry: RemoteEntry | null | undefined;
    for await (const response of this.dav.responses(reply, `PROPFIND ${p}`)) {
      if (entry === undefined) entry = isCollection(response) || response.props.size === 0 ? null : { path: p, size: contentLength(response), hashes: {} };
    }
    return entry ?? null;
  }

  async create(p: string, body: UploadBody, options: UploadOptions = {}): Promise<RemoteEntry> {
    this.checkPath(p);
    const folder = parentOf(p);
    await this.folders.ensure(folder, options.signal);
    if (await this.honoursIfNoneMatch(folder, options.signal)) await this.putDirect(p, folder, body, options);
    else await this.putViaTemporary(p, folder, body, options);
    // The body's stream ends only once every byte it gave hashed to the plan's SHA-256.
    if (body.digests().sha256 !== body.sha256) throw new IntegrityError(this.name, `the bytes sent for ${p} were not verified`);
    if (this.verify === 'size') return { path: p, size: body.size, hashes: {} };
    return this.readBack(p, body, options.signal);
  }

  async read(p: string, options: CallOptions = {}): Promise<Readable> {
    this.checkPath(p);
    const reply = await this.dav.send('GET', p, { signal: options.signal });
    if (reply.statusCode === 200) return downloadBody(this.name, p, reply.body, options.signal);
    if (reply.statusCode === 404) {
      await reply.body.dump();
      throw new NotFoundError(this.name, p, { status: 404 });
    }
    return this.dav.failure('GET', p, reply);
  }

  /** RFC 4331 quota of the share, asked for explicitly (an allprop PROPFIND may leave it out). */
  async quota(options: CallOptions = {}): Promise<Quota> {
    const reply = await this.dav.propfind('', '0', ['quota-available-bytes', 'quota-used-bytes'], { signal: options.signal });
    if (reply.statusCode === 404) {
      await reply.body.dump();
      return { usedBytes: null, freeBytes: null };
    }
    if (reply.statusCode !== 207) return this.dav.failure('PROPFIND', '', reply);
    let quota: Quota | null = null;
    for await (const response of this.dav.responses(reply, 'PROPFIND (quota)')) {
      quota ??= { usedBytes: byteCount(davProp(response, 'quota-used-bytes')), freeBytes: byteCount(davProp(response, 'quota-available-bytes')) };
    }
    return quota ?? { usedBytes: null, freeBytes: null };
  }

  close(): Promise<void> {
    return this.dav.close();
  }

  private async putDirect(p: string, folder: string, body: UploadBody, options: UploadOptions): Promise<void> {
    const reply = await this.dav.put(p, body.open(), { size: body.size, ifNoneMatch: true, signal: options.signal, onProgress: options.onProgress });
    if (isSuccess(reply)) return void (await reply.body.dump());
    return this.uploadFailure('PUT', p, folder, reply);
  }

  private async putViaTemporary(p: string, folder: string, body: UploadBody, options: UploadOptions): Promise<void> {
    const temp = this.temporaryName(folder);
    let moved = false;
    try {
      const put = await this.dav.put(temp, body.open(), {
        size: body.size,
        padOnSourceError: true,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      if (!isSuccess(put)) return await this.uploadFailure('PUT', p, folder, put);
      await put.body.dump();
      const move = await this.dav.move(temp, p, options.signal);
      if (move.statusCode === 404) {
        // The temporary file is gone: most likely a MOVE whose answer was lost did its work and
        // this is its repeat. Whether the final name now holds our bytes is decided by content.
        await move.body.dump();
        throw new AlreadyExistsError(this.name, p, { status: 404 });
      }
      if (!isSuccess(move)) return await this.uploadFailure('MOVE', p, folder, move);
      moved = true;
      await move.body.dump();
    } finally {
      if (!moved) await this.removeTemporary(temp);
    }
  }

  private async uploadFailure(method: string, p: string, folder: string, reply: DavReply): Promise<never> {
    if (reply.statusCode === 412) {
      await reply.body.dump();
      throw new AlreadyExistsError(this.name, p, { status: 412 });
    }
    if (reply.statusCode === 409) {
      // The folder went away since it was made (or the share did): make it again before the retry.
      this.folders.forget(folder);
      if (folder === '' && !this.mayCreateRoot) {
        await reply.body.dump();
        throw this.rootMissingError();
      }
    }
    return this.dav.failure(method, p, reply);
  }

  /** GETs the new file and compares its SHA-256 with the plan's. */
  private async readBack(p: string, body: UploadBody, signal: AbortSignal | undefined): Promise<RemoteEntry> {
    // A read of another length than the PUT sent, from a server that said it stored it all, was
    // most likely cut off on the way: hashRemoteFile fails it as retryable, and it is read again.
    const sha256 = await hashRemoteFile(this, p, body.size, { signal });
    if (sha256 !== body.sha256) {
      throw new IntegrityError(this.name, `${p} on ${this.name} reads back with SHA-256 ${sha256}, but bytes with SHA-256 ${body.sha256} were sent`);
    }
    return { path: p, size: body.size, hashes: { sha256 } };
  }

  /** Whether PUT with If-None-Match: * creates a new name and refuses a taken one; probed once per run. */
  private honoursIfNoneMatch(folder: string, signal: AbortSignal | undefined): Promise<boolean> {
    this.conditionalPut ??= this.probeIfNoneMatch(folder, signal).catch((err: unknown) => {
      this.conditionalPut = null;
      throw err;
    });
    return this.conditionalPut;
  }

  private async probeIfNoneMatch(folder: string, signal: AbortSignal | undefined): Promise<boolean> {
    const probe = this.temporaryName(folder);
    const put = async (): Promise<number> => {
      const reply = await this.dav.send('PUT', probe, { headers: { 'if-none-match': '*', 'content-length': '0' }, body: '', signal });
      if (!isSuccess(reply) && reply.statusCode !== 412) return this.uploadFailure('PUT', probe, folder, reply);
      await reply.body.dump();
      return reply.statusCode;
    };
    try {
      // A server that refuses a fresh name cannot be trusted with its 412s either.
      if ((await put()) === 412) return false;
      return (await put()) === 412;
    } finally {
      await this.removeTemporary(probe);
    }
  }

  private temporaryName(folder: string): string {
    const name = `${PARTIAL_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`;
    return folder === '' ? name : `${folder}/${name}`;
  }

  /** The one DELETE this remote sends: of a temporary name it made itself in this run. */
  private async removeTemporary(temp: string): Promise<void> {
    try {
      const reply = await this.dav.send('DELETE', temp);
      await reply.body.dump();
    } catch {
      /* best effort: a leftover is invisible to list() and harmless */
    }
  }

  private checkPath(p: string): void {
    assertSafePath(this.name, p);
  }

  private rootMissingError(): RemoteError {
    return new RemoteError(
      this.name,
      'unavailable',
      `the folder of remote "${this.name}" is missing on the server, though photosync recorded files there: is the share mounted, and the url right?`,
    );
  }
}

function isSuccess(reply: DavReply): boolean {
  return reply.statusCode >= 200 && reply.statusCode < 300;
}

function isPartial(name: string): boolean {
  return name.startsWith(PARTIAL_PREFIX) && name.endsWith(PARTIAL_SUFFIX);
}

/** RFC 4331 values are non-negative integers; servers use negative ones for "unknown" or "unlimited". */
function byteCount(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

export const definition: RemoteDefinition<WebdavRemoteConfig> = {
  create: async (config, context) => {
    const { password, authHint } = await resolveCredentials(config, context);
    return new WebdavRemote(config, { mayCreateRoot: context.firstUse, password, authHint });
  },
};
