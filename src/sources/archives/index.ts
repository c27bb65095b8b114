/**
 * Reads files inside Takeout archive parts in place, never extracting to disk: a zip member
 * through its central directory (random access, zip.ts), a tar.gz member through a cursor that
 * serves members asked for in archive order in one pass (tar.ts).
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { drainTarEntry, eachTarMember, listTar, openTarMember } from './tar.ts';
import type { ArchiveMember } from './types.ts';
import { listZip, openZipMember } from './zip.ts';

export type { ArchiveMember } from './types.ts';

const ARCHIVE_NAME = /\.(?:zip|tgz|tar\.gz)$/i;

export function isArchiveName(name: string): boolean {
  return ARCHIVE_NAME.test(name);
}

function isZip(archive: string): boolean {
  return /\.zip$/i.test(archive);
}

export function listArchive(archive: string): Promise<ArchiveMember[]> {
  return isZip(archive) ? listZip(archive) : listTar(archive);
}

/**
 * One pass over an archive: `visit` gets each member named in `wanted`, in archive order, and
 * must read its stream to the end. Other members are skipped (zip) or inflated and dropped (tar).
 */
export async function readArchiveMembers(
  archive: string,
  wanted: ReadonlySet<string>,
  visit: (member: ArchiveMember, stream: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  if (isZip(archive)) {
    for (const member of await listZip(archive)) {
      if (wanted.has(member.name)) await visit(member, await openZipMember(archive, member.name));
    }
    return;
  }
  await eachTarMember(archive, async (header, entry) => {
    if (wanted.has(header.name)) await visit({ name: header.name, size: header.size ?? 0, mtimeMs: header.mtime?.getTime() ?? 0 }, entry);
    else await drainTarEntry(entry);
  });
}

export function openArchiveMember(archive: string, member: string): Readable {
  if (!isZip(archive)) return openTarMember(archive, member);
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  openZipMember(archive, member).then(
    (stream) => pipeline(stream, out).catch((err: unknown) => out.destroy(err as Error)),
    (err: unknown) => out.destroy(err as Error),
  );
  return out;
}
