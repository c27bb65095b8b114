/**
 * The folders of the share that this run made or found. Each folder costs one MKCOL per run:
 * MKCOL the folder itself first (in a photo layout its parent usually exists already), and only
 * on 409 make the parent, then retry (so the first folder of a new chain costs one more MKCOL
 * per missing level). 405 means it is already there, which is also how two uploads racing for
 * one folder both succeed. Uploads into one folder share its MKCOL.
 */
import { RemoteError } from '../errors.ts';
import type { DavClient } from './api.ts';

export interface FolderOptions {
  readonly remote: string;
  /** Nothing is recorded on this remote yet: its share folder may be created. */
  readonly mayCreateRoot: boolean;
  readonly rootMissing: () => RemoteError;
}

export class DavFolders {
  private readonly dav: DavClient;
  private readonly options: FolderOptions;
  private readonly known = new Set<string>();
  private readonly making = new Map<string, Promise<void>>();
  /** By parent: the first folder being made under a parent not known to exist (it finds out). */
  private readonly scouts = new Map<string, Promise<void>>();

  constructor(dav: DavClient, options: FolderOptions) {
    this.dav = dav;
    this.options = options;
  }

  ensure(folder: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.known.has(folder)) return Promise.resolve();
    // A share photosync has written to is not re-created: a 409 on the first PUT says it is missing.
    if (folder === '' && !this.options.mayCreateRoot) return Promise.resolve();
    const existing = this.making.get(folder);
    if (existing) return existing;
    const parent = parentOf(folder);
    const parentUnknown = folder !== '' && !this.known.has(parent);
    const scout = parentUnknown ? this.scouts.get(parent) : undefined;
    // While a sibling finds out whether the parent exists, wait for it rather than race it into
    // another 409: on a first run, a month's photos would otherwise each cost a wasted MKCOL.
    const start = scout ? scout.then(noop, noop) : Promise.resolve();
    const making: Promise<void> = start
      .then(() => this.make(folder, signal))
      .finally(() => {
        this.making.delete(folder);
        if (this.scouts.get(parent) === making) this.scouts.delete(parent);
      });
    this.making.set(folder, making);
    if (parentUnknown && !scout) this.scouts.set(parent, making);
    return making;
  }

  /** A PUT answered 409 there: the folder went away since it was made, and is made again on the retry. */
  forget(folder: string): void {
    this.known.delete(folder);
  }

  private async make(folder: string, signal: AbortSignal | undefined): Promise<void> {
    const parent = parentOf(folder);
    const parentKnown = this.known.has(parent);
    let status = await this.dav.mkcol(folder, signal);
    if (status === 409) {
      if (folder === '') throw new RemoteError(this.options.remote, 'unavailable', `the folder holding the share of ${this.options.remote} does not exist`);
      if (parent === '' && !this.options.mayCreateRoot) throw this.options.rootMissing();
      // 409 proves that what this run knew of the parent is stale (unless a racing upload made it meanwhile).
      if (parentKnown) this.known.delete(parent);
      await this.ensure(parent, signal);
      status = await this.dav.mkcol(folder, signal);
      if (status === 409) throw new RemoteError(this.options.remote, 'retryable', `MKCOL ${folder}: a parent folder vanished while it was being made`);
    }
    for (let f = folder; ; f = parentOf(f)) {
      this.known.add(f);
      if (f === '') break;
    }
  }
}

function noop(): void {}

export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? '' : p.slice(0, i);
}
