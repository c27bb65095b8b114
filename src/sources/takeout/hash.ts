/**
 * Hashes a Takeout source: plain files on the worker pool, archive members in one pass per
 * archive on this thread (inflating runs on libuv's pool; two archives at a time keep both cores
 * busy). A member's capture date comes from its header bytes only; a sidecar's text is handed to
 * sidecarMeta so it is parsed once and cached with the member's hash.
 */
import pLimit from 'p-limit';
import { mediaClassOf } from '../../media/kinds.ts';
import { readArchiveMembers } from '../archives/index.ts';
import { hashEachFile, type HashFiles } from '../hash-each.ts';
import { hashStream } from '../hash-worker.ts';
import { archivePart } from '../open.ts';
import type { HashOutcome, ListedFile, SourceKind } from '../source-kind.ts';

const ARCHIVES_AT_ONCE = 2;

export const hashTakeout: HashFiles = async (files, pool, report, kind, signal) => {
  const plain: ListedFile[] = [];
  const byArchive = new Map<string, Map<string, ListedFile>>();
  for (const file of files) {
    const part = archivePart(file.origin);
    if (!part) {
      plain.push(file);
      continue;
    }
    let members = byArchive.get(part.archive);
    if (!members) byArchive.set(part.archive, (members = new Map()));
    members.set(part.member, file);
  }
  const limit = pLimit(ARCHIVES_AT_ONCE);
  await Promise.all([
    hashEachFile(plain, pool, report, kind, signal),
    ...[...byArchive].map(([archive, members]) => limit(() => hashArchive(archive, members, report, kind, signal))),
  ]);
};

async function hashArchive(
  archive: string,
  members: ReadonlyMap<string, ListedFile>,
  report: (outcome: HashOutcome) => void,
  kind: SourceKind,
  signal?: AbortSignal,
): Promise<void> {
  const done = new Set<string>();
  try {
    await readArchiveMembers(archive, new Set(members.keys()), async (member, stream) => {
      if (signal?.aborted) throw new Error('scan cancelled');
      const file = members.get(member.name)!;
      done.add(member.name);
      const fileKind = mediaClassOf(file.relPath);
      const wantText = fileKind === 'sidecar' && kind.sidecarMeta !== undefined;
      try {
        const { text, ...rest } = await hashStream(stream, member.size, { origin: file.origin, kind: fileKind, wantText }, file);
        report({ file, scan: { ...rest, meta: text !== undefined && kind.sidecarMeta ? kind.sidecarMeta(file.relPath, text) : null } });
      } catch (err) {
        // A member that read short is reported; if the archive itself broke, the pass fails below.
        report({ file, error: (err as Error).message });
      }
    });
  } catch (err) {
    if (signal?.aborted) return;
    // The archive could not be read on: every member not reached is reported, none dropped.
    for (const [name, file] of members) if (!done.has(name)) report({ file, error: `archive unreadable: ${(err as Error).message}` });
    return;
  }
  for (const [name, file] of members) if (!done.has(name)) report({ file, error: 'no longer in the archive' });
}
