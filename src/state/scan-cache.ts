/** Remembers each source file's hash and capture date by (size, mtime, inode). */
import type { CaptureDate, CaptureSource } from '../sources/types.ts';
import type { Db } from './store.ts';

export interface CachedScan {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly sha256: string;
  readonly capture: CaptureDate | null;
  readonly magic: string | null;
  /** Source-type specific facts read from the file (JSON-serialisable), e.g. a sidecar's contents. */
  readonly meta: unknown;
}

const RAW_COLUMNS = 'origin, size, mtime_ms, ino, sha256, capture_local, capture_offset, capture_source, magic, meta';
/** RAW_COLUMNS, in order. */
type RawRow = [string, number, number, number, string, string | null, string | null, string | null, string | null, string | null];

function fromRaw(r: RawRow): CachedScan {
  return {
    size: r[1],
    mtimeMs: r[2],
    ino: r[3],
    sha256: r[4],
    capture: r[5] !== null && r[7] !== null ? { local: r[5], offset: r[6], source: r[7] as CaptureSource } : null,
    magic: r[8],
    meta: r[9] === null ? null : (JSON.parse(r[9]) as unknown),
  };
}

export class ScanCache {
  private readonly db: Db;
  private readonly upsert;
  private readonly under;
  private readonly one;

  constructor(db: Db) {
    this.db = db;
    this.upsert = db.prepare(
      `INSERT INTO scan_cache (origin, size, mtime_ms, ino, sha256, capture_local, capture_offset, capture_source, magic, meta, scanned_at)
       VALUES (@origin, @size, @mtime_ms, @ino, @sha256, @capture_local, @capture_offset, @capture_source, @magic, @meta, @scanned_at)
       ON CONFLICT (origin) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, ino = excluded.ino,
         sha256 = excluded.sha256, capture_local = excluded.capture_local, capture_offset = excluded.capture_offset,
         capture_source = excluded.capture_source, magic = excluded.magic, meta = excluded.meta, scanned_at = excluded.scanned_at`,
    );
    this.under = db.prepare(`SELECT ${RAW_COLUMNS} FROM scan_cache WHERE origin >= ? AND origin < ?`).raw();
    this.one = db.prepare(`SELECT ${RAW_COLUMNS} FROM scan_cache WHERE origin = ?`).raw();
  }

  /**
   * Every cached entry whose origin starts with `prefix` (one query instead of one per file). It
   * may include neighbours sharing the prefix ("/photos2" for "/photos"); callers look up exact origins.
   */
  loadUnder(prefix: string): Map<string, CachedScan> {
    const upper = prefix + '\u{10FFFF}';
    const map = new Map<string, CachedScan>();
    // Arrays, not objects, per row: on a library of 100,000 files this is most of a no-op run.
    for (const r of this.under.iterate(prefix, upper) as Iterable<RawRow>) map.set(r[0], fromRaw(r));
    return map;
  }

  /** The cached entries of these origins, one lookup each: for a few files of a large library. */
  loadEach(origins: Iterable<string>): Map<string, CachedScan> {
    const map = new Map<string, CachedScan>();
    for (const origin of origins) {
      const r = this.one.get(origin) as RawRow | undefined;
      if (r) map.set(origin, fromRaw(r));
    }
    return map;
  }

  putMany(entries: readonly (CachedScan & { origin: string })[]): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const e of entries) {
        this.upsert.run({
          origin: e.origin,
          size: e.size,
          mtime_ms: e.mtimeMs,
          ino: e.ino,
          sha256: e.sha256,
          capture_local: e.capture?.local ?? null,
          capture_offset: e.capture?.offset ?? null,
          capture_source: e.capture?.source ?? null,
          magic: e.magic,
          meta: e.meta === null || e.meta === undefined ? null : JSON.stringify(e.meta),
          scanned_at: now,
        });
      }
    })();
  }
}
