/**
 * Every file under the share. One PROPFIND with Depth: infinity where the server allows it
 * (streamed: entries come out as the body arrives). Most servers refuse it (Apache's
 * DavDepthInfinity is off by default: 403; ownCloud and Nextcloud answer 412; webdav-server 403),
 * and then, for the rest of the run, the tree is walked with Depth: 1, several folders at a time.
 */
import { RemoteError } from '../errors.ts';
import { unsafePathReason } from '../safe-path.ts';
import type { RemoteEntry } from '../types.ts';
import type { DavClient } from './api.ts';
import { contentLength, isCollection, type DavResponse } from './xml.ts';

const PROPS = ['resourcetype', 'getcontentlength'];
/** Answers that mean "not with Depth: infinity" (RFC 4918 §9.1 says 403 with propfind-finite-depth; servers vary). */
const INFINITY_REFUSED = new Set([400, 403, 412, 501]);

export interface ListingOptions {
  /** Folders listed at once in the Depth: 1 walk. */
  readonly concurrency: number;
  /** This remote's own unfinished uploads, by file name: never listed. */
  readonly isOwnTemporary: (name: string) => boolean;
  /** What a missing share means: null when that is fine (nothing recorded there yet: an empty listing). */
  readonly rootMissing: () => RemoteError | null;
}

type FolderResult = { readonly files: RemoteEntry[]; readonly folders: string[] };

export class DavListing {
  private readonly dav: DavClient;
  private readonly options: ListingOptions;
  private depthInfinity = true;

  constructor(dav: DavClient, options: ListingOptions) {
    this.dav = dav;
    this.options = options;
  }

  async *files(signal?: AbortSignal): AsyncGenerator<RemoteEntry> {
    if (this.depthInfinity) {
      const reply = await this.dav.propfind('', 'infinity', PROPS, { signal });
      if (reply.statusCode === 207) {
        for await (const response of this.dav.responses(reply, 'PROPFIND Depth: infinity')) {
          const entry = this.entryOf(response);
          if (entry) yield entry;
        }
        return;
      }
      if (!INFINITY_REFUSED.has(reply.statusCode) && reply.statusCode !== 404) await this.dav.failure('PROPFIND', '', reply);
      await reply.body.dump();
      if (reply.statusCode === 404) return this.shareMissing();
      this.depthInfinity = false;
    }
    yield* this.walk(signal);
  }

  /**
   * The file a response describes, or null for a folder, for one of our temporary files, for a
   * name outside the share or one that decodes to an unsafe path (never used to build a path).
   */
  private entryOf(response: DavResponse): RemoteEntry | null {
    const path = this.pathOf(response);
    if (path === null || path === '' || isCollection(response) || response.props.size === 0) return null;
    if (this.options.isOwnTemporary(path.slice(path.lastIndexOf('/') + 1))) return null;
    return { path, size: contentLength(response), hashes: {} };
  }

  private pathOf(response: DavResponse): string | null {
    const href = response.hrefs[0];
    if (href === undefined) return null;
    const path = this.dav.paths.relative(href);
    if (path === null || (path !== '' && unsafePathReason(path) !== null)) return null;
    return path;
  }

  /** Depth: 1 from the share down, up to `concurrency` folders in flight. */
  private async *walk(signal: AbortSignal | undefined): AsyncGenerator<RemoteEntry> {
    const queue: string[] = [''];
    const seen = new Set(queue);
    const inFlight = new Map<number, Promise<{ id: number; result?: FolderResult; error?: unknown }>>();
    let nextId = 0;
    while (queue.length > 0 || inFlight.size > 0) {
      while (queue.length > 0 && inFlight.size < Math.max(1, this.options.concurrency)) {
        const id = nextId++;
        // Settled into a value, never rejected: a failure must not go unhandled while others run.
        inFlight.set(
          id,
          this.folder(queue.shift()!, signal).then(
            (result) => ({ id, result }),
            (error: unknown) => ({ id, error }),
          ),
        );
      }
      const done = await Promise.race(inFlight.values());
      inFlight.delete(done.id);
      if (!done.result) throw done.error;
      for (const folder of done.result.folders) {
        if (!seen.has(folder)) {
          seen.add(folder);
          queue.push(folder);
        }
      }
      yield* done.result.files;
    }
  }

  private async folder(folder: string, signal: AbortSignal | undefined): Promise<FolderResult> {
    const reply = await this.dav.propfind(folder, '1', PROPS, { collection: true, signal });
    if (reply.statusCode === 404) {
      await reply.body.dump();
      // A subfolder deleted while we walk is simply empty now.
      if (folder === '') this.shareMissing();
      return { files: [], folders: [] };
    }
    if (reply.statusCode !== 207) return this.dav.failure('PROPFIND', folder, reply);
    const files: RemoteEntry[] = [];
    const folders: string[] = [];
    for await (const response of this.dav.responses(reply, `PROPFIND ${folder === '' ? '/' : folder}`)) {
      if (isCollection(response)) {
        const path = this.pathOf(response);
        if (path !== null && path !== '' && path !== folder) folders.push(path);
      } else {
        const entry = this.entryOf(response);
        if (entry) files.push(entry);
      }
    }
    return { files, folders };
  }

  private shareMissing(): void {
    const error = this.options.rootMissing();
    if (error) throw error;
  }
}
