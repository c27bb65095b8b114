/**
 * Scans every configured source into a SourceSnapshot. Each source's type lists its files; files
 * whose size, mtime and inode match the scan cache are not read again; the rest are hashed on all
 * cores (the cache is updated in batches, so an interrupted scan keeps most of its work); then the
 * source type assembles the files into photos (companions, sidecar dates, albums).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { SourceConfig } from '../config/types.ts';
import type { CachedScan, ScanCache } from '../state/scan-cache.ts';
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
  readonly onProgress?: (p: ScanProgress) => void;
  /** Worker threads for hashing; default: one per core. */
  readonly threads?: number;
  readonly signal?: AbortSignal;
}

const FLUSH_EVERY = 500;

interface Work {
  readonly source: SourceConfig;
  readonly kind: SourceKind;
  readonly ready: ScannedFile[];
  readonly pending: ListedFile[];
}

export interface ScanResult extends SourceSnapshot {
  /** Identifies this listing of the sources (see ScanOptions.unchangedSince). */
  readonly fingerprint: string;
  /** The listing matched `unchangedSince`: `files` is empty and the earlier result stands. */
  readonly unchanged: boolean;
}

export async function scanSources(sources: readonly SourceConfig[], cache: ScanCache, options: ScanOptions = {}): Promise<ScanResult> {
  const problems: SourceProblem[] = [];
  let skipped = 0;
  const listings: { source: SourceConfig; kind: SourceKind; files: readonly ListedFile[] }[] = [];
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
    // Fed in large pieces: one hash update per file costs more than the hashing.
    let piece = '';
    for (const f of listing.files) {
      piece += `${f.origin}\0${f.size}\0${f.mtimeMs}\0${f.ino}\n`;
      if (piece.length > 65536) {
        fingerprint.update(piece);
        piece = '';
      }
    }
    fingerprint.update(piece);
    listings.push({ source, kind, files: listing.files });
  }
  for (const p of problems) fingerprint.update(`${p.source}\0${p.relPath}\0${p.message}\n`);
  const print = fingerprint.digest('hex');
  if (print === options.unchangedSince) return { files: [], problems, skipped, fingerprint: print, unchanged: true };

  const work: Work[] = [];
  for (const { source, kind, files: listed } of listings) {
    const known = cache.loadUnder(source.path);
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
    files.push(...assembled.files);
    for (const p of assembled.problems) problems.push({ source: w.source.name, ...p });
  }
  return { files, problems, skipped, fingerprint: print, unchanged: false };
}
