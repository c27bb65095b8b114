/**
 * Scans every configured source into a SourceSnapshot. Files whose size, mtime and inode match the
 * scan cache are not read again; the rest are hashed on all cores, and the cache is updated in
 * batches so an interrupted scan keeps most of its work.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceConfig } from '../config/types.ts';
import { captureFromMtime, filenameCaptureDate } from '../media/capture-date.ts';
import { mediaClassOf } from '../media/kinds.ts';
import { sniffMismatch } from '../media/sniff.ts';
import type { CachedScan, ScanCache } from '../state/scan-cache.ts';
import { createHashPool } from './hash-pool.ts';
import type { CaptureDate, SourceFile, SourceProblem, SourceSnapshot } from './types.ts';
import { walkSource, type WalkedFile } from './walk.ts';

export interface ScanProgress {
  readonly phase: 'listing' | 'hashing';
  readonly files: number;
  readonly bytes: number;
  readonly totalFiles: number;
  readonly totalBytes: number;
}

export interface ScanOptions {
  readonly onProgress?: (p: ScanProgress) => void;
  /** Worker threads for hashing; default: one per core. */
  readonly threads?: number;
  readonly signal?: AbortSignal;
}

const FLUSH_EVERY = 500;

export async function scanSources(
  sources: readonly SourceConfig[],
  cache: ScanCache,
  options: ScanOptions = {},
): Promise<SourceSnapshot> {
  const problems: SourceProblem[] = [];
  let skipped = 0;
  const pending: { source: SourceConfig; file: WalkedFile; cached: CachedScan | undefined }[] = [];
  const ready: { source: SourceConfig; file: WalkedFile; scan: CachedScan }[] = [];

  for (const source of sources) {
    if (!existsSync(source.path) || !statSync(source.path).isDirectory()) {
      problems.push({
        source: source.name,
        relPath: '.',
        message: `source folder ${source.path} is not there (not mounted or not connected?); nothing from it was scanned`,
      });
      continue;
    }
    options.onProgress?.({ phase: 'listing', files: 0, bytes: 0, totalFiles: 0, totalBytes: 0 });
    const walked = await walkSource(source.path, source);
    skipped += walked.skipped;
    for (const p of walked.problems) problems.push({ source: source.name, ...p });
    const known = cache.loadUnder(source.path, path.sep);
    for (const file of walked.files) {
      const cached = known.get(file.absPath);
      if (cached && cached.size === file.size && cached.mtimeMs === file.mtimeMs && cached.ino === file.ino) {
        ready.push({ source, file, scan: cached });
      } else {
        pending.push({ source, file, cached });
      }
    }
  }

  const totalBytes = pending.reduce((n, p) => n + p.file.size, 0);
  if (pending.length > 0) {
    const pool = await createHashPool({ files: pending.length, bytes: totalBytes }, options.threads);
    let doneFiles = 0;
    let doneBytes = 0;
    let unflushed: (CachedScan & { origin: string })[] = [];
    const flush = (): void => {
      if (unflushed.length > 0) cache.putMany(unflushed);
      unflushed = [];
    };
    try {
      await Promise.all(
        pending.map(async ({ source, file }) => {
          if (options.signal?.aborted) return;
          try {
            const result = await pool.hash({ path: file.absPath, kind: mediaClassOf(file.relPath) });
            const scan: CachedScan = {
              size: result.size,
              mtimeMs: result.mtimeMs,
              ino: result.ino,
              sha256: result.sha256,
              capture: result.capture,
              magic: result.magic,
            };
            ready.push({ source, file: { ...file, size: result.size, mtimeMs: result.mtimeMs }, scan });
            unflushed.push({ origin: file.absPath, ...scan });
            if (unflushed.length >= FLUSH_EVERY) flush();
          } catch (err) {
            problems.push({ source: source.name, relPath: file.relPath, message: `not read: ${(err as Error).message}` });
          } finally {
            doneFiles++;
            doneBytes += file.size;
            options.onProgress?.({ phase: 'hashing', files: doneFiles, bytes: doneBytes, totalFiles: pending.length, totalBytes });
          }
        }),
      );
    } finally {
      flush();
      await pool.close();
    }
  }

  const order = new Map(sources.map((s, i) => [s.name, i]));
  const files = ready.map(({ source, file, scan }) => toSourceFile(source, file, scan));
  files.sort(
    (a, b) =>
      (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) ||
      (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0),
  );
  return { files, problems, skipped };
}

function toSourceFile(source: SourceConfig, file: WalkedFile, scan: CachedScan): SourceFile {
  const name = path.posix.basename(file.relPath);
  const capture: CaptureDate = scan.capture ?? filenameCaptureDate(name) ?? captureFromMtime(file.mtimeMs);
  const mismatch = scan.magic ? sniffMismatch(name, scan.magic) : null;
  return {
    source: source.name,
    relPath: file.relPath,
    origin: file.absPath,
    size: file.size,
    mtimeMs: file.mtimeMs,
    sha256: scan.sha256,
    kind: mediaClassOf(name),
    capture,
    ...(mismatch ? { notes: [mismatch] } : {}),
  };
}
