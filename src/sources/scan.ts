/**
 * Scans every configured source into a SourceSnapshot. Each source's type lists its files; files
 * whose size, mtime and inode match the scan cache are not read again; the rest are hashed on all
 * cores (the cache is updated in batches, so an interrupted scan keeps most of its work); then the
 * source type assembles the files into photos (companions, sidecar dates, albums).
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { pushAll } from '../arrays.ts';
import type { SourceConfig } from '../config/types.ts';
import type { CachedScan, ScanCache } from '../state/scan-cache.ts';
import { folderKey } from '../state/settled-folders.ts';
import { hashEachFile } from './hash-each.ts';
import { createHashPool } from './hash-pool.ts';
import { sourceKind } from './kinds.ts';
import type { HashOutcome, ListedFile, ScannedFile, SourceKind } from './source-kind.ts';
import type { SourceFile, SourceProblem, SourceSnapshot } from './types.ts';

export interface ScanProgress {
  readonly phase: 'listing' | 'hashing';
  readonly files: number;
  readonly bytes: number;
  readonly totalFiles: number;
  readonly totalBytes: number;
}

export interface ScanOptions {
  /**
   * The fingerprint of an earlier listing: when the sources list exactly the same files (path,
   * size, mtime, inode) the scan stops there and says so, without reading the cache or any file.
   */
  readonly unchangedSince?: string | undefined;
  /**
   * Folders found backed up by an earlier plan, by folderKey, with their listing then: a folder of
   * a source type that assembles folder by folder and still lists the same is left out.
   */
  readonly settled?: ReadonlyMap<string, { readonly listing: string }> | undefined;
  readonly onProgress?: (p: ScanProgress) => void;
  /** Worker threads for hashing; default: one per core. */
  readonly threads?: number;
  readonly signal?: AbortSignal;
}

const FLUSH_EVERY = 500;

/** Below this share of a source's files, their cache entries are looked up one by one instead of all loaded. */
const LOOKUP_SHARE = 1 / 8;

interface Work {
  readonly source: SourceConfig;
  readonly kind: SourceKind;
  readonly ready: ScannedFile[];
  readonly pending: ListedFile[];
}

/** A folder of a source, as listed: its files and the fingerprint of their names, sizes, mtimes and inodes. */
interface Folder {
  readonly name: string;
  readonly files: ListedFile[];
  listing: string;
}

/** A folder the scan looked at (of a source type that assembles folder by folder). */
export interface ScannedFolder {
  readonly source: string;
  readonly folder: string;
  readonly listing: string;
  /** Files listed in it. */
  readonly files: number;
}

export interface ScanResult extends SourceSnapshot {
  /** Identifies this listing of the sources (see ScanOptions.unchangedSince). */
  readonly fingerprint: string;
  /** The listing matched `unchangedSince`: `files` is empty and the earlier result stands. */
  readonly unchanged: boolean;
  /** Folders scanned whose source type assembles folder by folder (candidates to settle). */
  readonly folders: readonly ScannedFolder[];
  /** Folders left out as settled (by folderKey), and how many files they list. */
  readonly leftOut: { readonly keys: readonly string[]; readonly files: number };
}

export async function scanSources(sources: readonly SourceConfig[], cache: ScanCache, options: ScanOptions = {}): Promise<ScanResult> {
  const problems: SourceProblem[] = [];
  let skipped = 0;
  const listings: { source: SourceConfig; kind: SourceKind; folders: Folder[]; count: number }[] = [];
  const fingerprint = createHash('sha256');

  for (const source of sources) {
    if (!existsSync(source.path)) {
      problems.push({
        source: source.name,
        relPath: '.',
        message: `source ${source.path} is not there (not mounted or not connected?); nothing from it was scanned`,
      });
      continue;
    }
    options.onProgress?.({ phase: 'listing', files: 0, bytes: 0, totalFiles: 0, totalBytes: 0 });
    const kind = await sourceKind(source.type);
    const listing = await kind.list(source);
    skipped += listing.skipped;
    for (const p of listing.problems) problems.push({ source: source.name, ...p });
    fingerprint.update(`${source.name}\0${source.type}\0${source.path}\0`);
    const folders = byFolder(listing.files);
    for (const folder of folders) fingerprint.update(`${folder.name}\0${folder.listing}\n`);
    listings.push({ source, kind, folders, count: listing.files.length });
  }
  for (const p of problems) fingerprint.update(`${p.source}\0${p.relPath}\0${p.message}\n`);
  const print = fingerprint.digest('hex');
  const leftOut = { keys: [] as string[], files: 0 };
  const scannedFolders: ScannedFolder[] = [];
  if (print === options.unchangedSince) return { files: [], problems, skipped, fingerprint: print, unchanged: true, folders: [], leftOut };

  const work: Work[] = [];
  for (const { source, kind, folders, count } of listings) {
    const listed: ListedFile[] = [];
    for (const folder of folders) {
      if (kind.assemblesByFolder) {
        const key = folderKey(source.name, folder.name);
        if (options.settled?.get(key)?.listing === folder.listing) {
          leftOut.keys.push(key);
          leftOut.files += folder.files.length;
          continue;
        }
        scannedFolders.push({ source: source.name, folder: folder.name, listing: folder.listing, files: folder.files.length });
      }
      for (const file of folder.files) listed.push(file);
    }
    const known = listed.length < count * LOOKUP_SHARE ? cache.loadEach(listed.map((f) => f.origin)) : cache.loadUnder(source.path);
    const item: Work = { source, kind, ready: [], pending: [] };
    for (const file of listed) {
      const cached = known.get(file.origin);
      if (cached && cached.size === file.size && cached.mtimeMs === file.mtimeMs && cached.ino === file.ino) {
        item.ready.push({ ...file, scan: cached });
      } else {
        item.pending.push(file);
      }
    }
    work.push(item);
  }

  const totalFiles = work.reduce((n, w) => n + w.pending.length, 0);
  const totalBytes = work.reduce((n, w) => n + w.pending.reduce((b, f) => b + f.size, 0), 0);
  if (totalFiles > 0) {
    const pool = await createHashPool({ files: totalFiles, bytes: totalBytes }, options.threads);
    let doneFiles = 0;
    let doneBytes = 0;
    let unflushed: (CachedScan & { origin: string })[] = [];
    const flush = (): void => {
      if (unflushed.length > 0) cache.putMany(unflushed);
      unflushed = [];
    };
    try {
      for (const w of work) {
        if (w.pending.length === 0) continue;
        const report = (outcome: HashOutcome): void => {
          if (outcome.scan) {
            w.ready.push({ ...outcome.file, size: outcome.scan.size, mtimeMs: outcome.scan.mtimeMs, scan: outcome.scan });
            unflushed.push({ origin: outcome.file.origin, ...outcome.scan });
            if (unflushed.length >= FLUSH_EVERY) flush();
          } else {
            problems.push({ source: w.source.name, relPath: outcome.file.relPath, message: `not read: ${outcome.error ?? 'unknown error'}` });
          }
          doneFiles++;
          doneBytes += outcome.file.size;
          options.onProgress?.({ phase: 'hashing', files: doneFiles, bytes: doneBytes, totalFiles, totalBytes });
        };
        await (w.kind.hash ?? hashEachFile)(w.pending, pool, report, w.kind, options.signal);
      }
    } finally {
      flush();
      await pool.close();
    }
  }

  const files: SourceFile[] = [];
  for (const w of work) {
    w.ready.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
    const assembled = w.kind.assemble(w.source, w.ready);
    pushAll(files, assembled.files);
    for (const p of assembled.problems) problems.push({ source: w.source.name, ...p });
  }
  return { files, problems, skipped, fingerprint: print, unchanged: false, folders: scannedFolders, leftOut };
}

/** The listing by folder, in the order folders first appear, each with its fingerprint. */
function byFolder(files: readonly ListedFile[]): Folder[] {
  const folders: { folder: Folder; hash: Hash }[] = [];
  const byName = new Map<string, { folder: Folder; hash: Hash }>();
  let current: { folder: Folder; hash: Hash } | undefined;
  // Fed in large pieces: one hash update per file costs more than the hashing.
  let piece = '';
  for (const file of files) {
    const rel = file.relPath;
    const nameEnd = Math.max(0, rel.lastIndexOf('/'));
    // Listings come folder by folder: most files are in the folder of the one before.
    if (!current || nameEnd !== current.folder.name.length || !rel.startsWith(current.folder.name)) {
      if (current) current.hash.update(piece);
      piece = '';
      const name = folderOf(rel);
      current = byName.get(name);
      if (!current) {
        current = { folder: { name, files: [], listing: '' }, hash: createHash('sha256') };
        byName.set(name, current);
        folders.push(current);
      }
    }
    current.folder.files.push(file);
    piece += `${file.origin}\0${file.size}\0${file.mtimeMs}\0${file.ino}\n`;
    if (piece.length > 65536) {
      current.hash.update(piece);
      piece = '';
    }
  }
  current?.hash.update(piece);
  return folders.map(({ folder, hash }) => {
    folder.listing = hash.digest('hex');
    return folder;
  });
}

/** "DCIM/100APPLE/IMG_1.JPG" → "DCIM/100APPLE"; a file at the top is in folder ''. */
export function folderOf(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}
