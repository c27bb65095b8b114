/** A folder is settled only when every file listed in it was read and is backed up everywhere. */
import { describe, expect, it } from 'vitest';
import { settledFolders } from '../../src/pipeline/settle.ts';
import type { ScanResult } from '../../src/sources/scan.ts';
import type { SourceFile } from '../../src/sources/types.ts';

const file = (relPath: string, sha256: string, notes?: string[]): SourceFile => ({
  source: 'phone',
  relPath,
  origin: `/photos/${relPath}`,
  size: 1,
  mtimeMs: 0,
  sha256,
  kind: 'photo',
  capture: { local: '2024-01-01T00:00:00', offset: null, source: 'mtime' },
  ...(notes ? { notes } : {}),
});

function scan(files: SourceFile[], problems: ScanResult['problems'], listed: Record<string, number>): ScanResult {
  return {
    files,
    problems,
    skipped: 0,
    fingerprint: 'f',
    unchanged: false,
    folders: Object.entries(listed).map(([folder, n]) => ({ source: 'phone', folder, listing: `l-${folder}`, files: n })),
    leftOut: { keys: [], files: 0 },
  };
}

describe('settling folders', () => {
  const backedUp = (f: SourceFile): boolean => f.sha256 !== 'new';

  it('settles a folder whose files are all backed up, keeping their notes', () => {
    const settled = settledFolders(scan([file('a/1.jpg', 'x', ['looks like a PNG']), file('a/2.jpg', 'y'), file('top.jpg', 'z')], [], { a: 2, '': 1 }), backedUp);
    expect(settled).toEqual([
      { source: 'phone', folder: 'a', listing: 'l-a', notes: [{ relPath: 'a/1.jpg', note: 'looks like a PNG' }] },
      { source: 'phone', folder: '', listing: 'l-', notes: [] },
    ]);
  });

  it('never settles a folder with a file still to upload, a file that could not be read, or a folder that could not be read', () => {
    const files = [file('a/1.jpg', 'new'), file('b/1.jpg', 'x'), file('c/1.jpg', 'x'), file('d/1.jpg', 'x')];
    const problems = [
      { source: 'phone', relPath: 'b/2.jpg', message: 'not read: EIO' },
      { source: 'phone', relPath: 'd', message: 'cannot read folder (EACCES)' },
    ];
    // c lists two files but only one was scanned (the other vanished between listing and reading).
    expect(settledFolders(scan(files, problems, { a: 1, b: 2, c: 2, d: 1 }), backedUp)).toEqual([]);
  });
});
