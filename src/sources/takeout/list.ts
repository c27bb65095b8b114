/**
 * Lists a Takeout export as one virtual tree: an extracted folder, a folder of takeout-*.zip /
 * .tgz parts, both at once, or a single archive. Archives are read in place (a zip's central
 * directory; a tgz's headers, which costs one inflating pass). Parts are independent archives, so
 * a sidecar may be in another part than its media, and the same path may be in two parts: a
 * second copy of a path with the same size is the same file and is listed once.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pushAll } from '../../arrays.ts';
import type { SourceConfig } from '../../config/types.ts';
import { globMatcher } from '../../globs.ts';
import { isJunk, isMediaFile } from '../../media/kinds.ts';
import { isArchiveName, listArchive } from '../archives/index.ts';
import { ARCHIVE_SEPARATOR } from '../open.ts';
import type { ListedFile, Listing } from '../source-kind.ts';
import { walkSource } from '../walk.ts';
import { takeoutRelPath } from './names.ts';

export async function listTakeout(source: SourceConfig): Promise<Listing> {
  const included = source.include ? globMatcher(source.include) : isMediaFile;
  const excluded = globMatcher(source.exclude);
  const problems: { relPath: string; message: string }[] = [];
  const files: ListedFile[] = [];
  const seen = new Set<string>();
  let skipped = 0;

  const consider = (name: string, file: Omit<ListedFile, 'relPath'>, where: string): void => {
    const relPath = takeoutRelPath(name);
    if (relPath === null) {
      problems.push({ relPath: where, message: `unsafe name ${JSON.stringify(name)}, not read` });
      return;
    }
    const segments = relPath.split('/');
    if (segments.some((s) => isJunk(s) || s === '__MACOSX') || !included(relPath) || excluded(relPath)) {
      skipped++;
      return;
    }
    const key = `${relPath}\u0000${file.size}`;
    if (seen.has(key)) return;
    seen.add(key);
    files.push({ ...file, relPath });
  };

  const parts: string[] = [];
  const info = await stat(source.path);
  if (info.isFile()) {
    if (isArchiveName(source.path)) parts.push(source.path);
    else problems.push({ relPath: path.basename(source.path), message: 'not a .zip, .tgz or .tar.gz archive, nor a folder' });
  } else {
    // Everything but OS junk: archives are parts, the rest is judged by its Takeout path.
    const walked = await walkSource(source.path, { include: ['*'], exclude: [] });
    skipped += walked.skipped;
    pushAll(problems, walked.problems);
    for (const f of walked.files) {
      if (isArchiveName(f.relPath)) parts.push(f.origin);
      else consider(f.relPath, { origin: f.origin, size: f.size, mtimeMs: f.mtimeMs, ino: f.ino }, f.relPath);
    }
  }

  for (const part of parts.sort()) {
    const where = path.relative(info.isFile() ? path.dirname(source.path) : source.path, part);
    try {
      const identity = archiveIdentity(await stat(part));
      for (const member of await listArchive(part)) {
        consider(member.name, { origin: `${part}${ARCHIVE_SEPARATOR}${member.name}`, size: member.size, mtimeMs: member.mtimeMs, ino: identity }, `${where}${ARCHIVE_SEPARATOR}${member.name}`);
      }
    } catch (err) {
      problems.push({ relPath: where, message: `cannot read the archive (${(err as Error).message}); nothing in it was scanned` });
    }
  }
  files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return { files, skipped, problems };
}

/**
 * What stands for a member's inode in the scan cache: a 48-bit digest of its archive's inode,
 * size and mtime, so a replaced or re-downloaded part makes every member of it be read again.
 */
function archiveIdentity(info: { ino: number; size: number; mtimeMs: number }): number {
  return createHash('sha256').update(`${info.ino}:${info.size}:${info.mtimeMs}`).digest().readUIntBE(0, 6);
}
