/**
 * What each kind of source (`type:` in the config) provides to the scan: the files it holds,
 * optionally its own way of hashing them (archives are read in one pass), what it learns from a
 * sidecar's text, and how its files become SourceFiles (companion groups, sidecar dates, albums).
 */
import type { SourceConfig } from '../config/types.ts';
import type { CachedScan } from '../state/scan-cache.ts';
import type { HashPool } from './hash-pool.ts';
import type { SourceFile } from './types.ts';

export interface ListedFile {
  /** How to open the bytes (a path, or "<archive>#<entry>"). */
  readonly origin: string;
  /** "/"-separated path as the user sees it inside the source. */
  readonly relPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export interface Listing {
  readonly files: readonly ListedFile[];
  readonly skipped: number;
  readonly problems: readonly { relPath: string; message: string }[];
}

/** A listed file with what hashing it (now or in an earlier run) found. */
export interface ScannedFile extends ListedFile {
  readonly scan: CachedScan;
}

export interface HashOutcome {
  readonly file: ListedFile;
  readonly scan?: CachedScan;
  readonly error?: string;
}

export interface SourceKind {
  list(source: SourceConfig): Promise<Listing>;
  /**
   * What assemble() makes of a folder's files depends on nothing outside that folder (companions
   * pair up within a folder, no sidecar or album elsewhere speaks for them), so a folder found
   * backed up can be left out of later scans while it lists the same (see ScanOptions.settled).
   */
  readonly assemblesByFolder?: boolean;
  /**
   * Hashes files the cache does not know, reporting each as it finishes. Default: one task per
   * file on the worker pool.
   */
  hash?(
    files: readonly ListedFile[],
    pool: HashPool,
    report: (outcome: HashOutcome) => void,
    kind: SourceKind,
    signal?: AbortSignal,
  ): Promise<void>;
  /** What to keep from a sidecar's text (cached with its hash, so it is not read again). */
  sidecarMeta?(relPath: string, text: string): unknown;
  /** Turns the scanned files into SourceFiles: capture dates, companion groups, albums. */
  assemble(source: SourceConfig, files: readonly ScannedFile[]): { files: SourceFile[]; problems: { relPath: string; message: string }[] };
}
