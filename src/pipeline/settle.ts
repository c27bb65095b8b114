/**
 * Which of the folders a plan looked at are settled: every file listed in the folder was scanned
 * (no problem reading it) and is backed up on every remote that wants it. Only then may later plans
 * leave the folder out while it lists the same. A folder with anything left to do, or anything
 * that could not be read, is looked at again next time.
 */
import { groupBy } from '../group-by.ts';
import type { ScanResult } from '../sources/scan.ts';
import { folderOf } from '../sources/scan.ts';
import type { SourceFile } from '../sources/types.ts';
import { folderKey, type FolderNote, type SettledFolder } from '../state/settled-folders.ts';

export function settledFolders(scan: ScanResult, backedUp: (file: SourceFile) => boolean): SettledFolder[] {
  const files = groupBy(scan.files, (file) => folderKey(file.source, folderOf(file.relPath)));
  // A problem names a file (its folder is unsettled) or a folder that could not be read (itself).
  const troubled = new Set<string>();
  for (const p of scan.problems) {
    troubled.add(folderKey(p.source, folderOf(p.relPath)));
    troubled.add(folderKey(p.source, p.relPath));
  }

  const settled: SettledFolder[] = [];
  for (const folder of scan.folders) {
    const key = folderKey(folder.source, folder.folder);
    const scanned = files.get(key) ?? [];
    if (troubled.has(key) || scanned.length !== folder.files || !scanned.every(backedUp)) continue;
    const notes: FolderNote[] = scanned.flatMap((f) => (f.notes ?? []).map((note) => ({ relPath: f.relPath, note })));
    settled.push({ source: folder.source, folder: folder.folder, listing: folder.listing, notes });
  }
  return settled;
}
