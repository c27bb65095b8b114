/**
 * Opens a source file's bytes again from its origin (see SourceFile.origin): a plain path, or
 * "<archive path>#<member name>" for a file inside a Takeout archive, read in place.
 */
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';

export const ARCHIVE_SEPARATOR = '#';

export function isArchiveOrigin(origin: string): boolean {
  return archivePart(origin) !== null;
}

/** The archive and member of an archive origin, else null. Archive paths end in .zip, .tgz or .tar.gz. */
export function archivePart(origin: string): { archive: string; member: string } | null {
  const m = /^(.*?\.(?:zip|tgz|tar\.gz))#(.+)$/i.exec(origin);
  return m ? { archive: m[1]!, member: m[2]! } : null;
}

export function openOrigin(origin: string): Readable {
  const archive = archivePart(origin);
  if (!archive) return createReadStream(origin, { highWaterMark: 1024 * 1024 });
  // Archive code loads only when an archive member is read.
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  import('./archives/index.ts').then(
    ({ openArchiveMember }) => {
      const member = openArchiveMember(archive.archive, archive.member);
      member.on('error', (err) => out.destroy(err));
      member.pipe(out);
    },
    (err: unknown) => out.destroy(err as Error),
  );
  return out;
}
