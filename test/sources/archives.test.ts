import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { listArchive, openArchiveMember } from '../../src/sources/archives/index.ts';
import { closeTarCursors, tarCursor } from '../../src/sources/archives/tar.ts';
import { closeZipIndexes } from '../../src/sources/archives/zip.ts';
import { openOrigin } from '../../src/sources/open.ts';
import { tgzArchive, zipArchive } from '../helpers/archives.ts';
import { tmpdir } from '../helpers/tmp.ts';

const MEMBERS = Array.from({ length: 6 }, (_, i) => ({ name: `dir/file-${i}.txt`, data: `contents of ${i} `.repeat(1000 * (i + 1)) }));

describe('sources: archives read in place', () => {
  afterEach(() => {
    closeTarCursors();
    closeZipIndexes();
  });

  it('serves tar.gz members asked in archive order from one pass, restarts only for one behind', async () => {
    const archive = path.join(tmpdir(), 'part.tgz');
    writeFileSync(archive, await tgzArchive(MEMBERS));
    expect((await listArchive(archive)).map((m) => m.name)).toEqual(MEMBERS.map((m) => m.name));
    const cursor = tarCursor(archive);
    // Asked all at once, in order: served one after the other by the same pass.
    const all = await Promise.all(MEMBERS.map((m) => text(openArchiveMember(archive, m.name))));
    expect(all).toEqual(MEMBERS.map((m) => m.data));
    expect(cursor.starts).toBe(1);
    // One behind the cursor: a new pass.
    expect(await text(openOrigin(`${archive}#dir/file-1.txt`))).toBe(MEMBERS[1]!.data);
    expect(cursor.starts).toBe(2);
    await expect(text(openArchiveMember(archive, 'dir/missing.txt'))).rejects.toThrow(/not in/);
    // After a full pass every name is known: a missing one fails without another pass.
    await expect(text(openArchiveMember(archive, 'dir/other.txt'))).rejects.toThrow(/not in/);
    expect(cursor.starts).toBe(2);
  });

  it('keeps serving after a reader abandons a tar member half-way', async () => {
    const archive = path.join(tmpdir(), 'part.tgz');
    writeFileSync(archive, await tgzArchive(MEMBERS));
    const first = openArchiveMember(archive, MEMBERS[2]!.name);
    first.once('data', () => first.destroy());
    expect(await text(openArchiveMember(archive, MEMBERS[4]!.name))).toBe(MEMBERS[4]!.data);
  });

  it('opens zip members in any order through one central-directory read', async () => {
    const archive = path.join(tmpdir(), 'part.zip');
    writeFileSync(archive, zipArchive(MEMBERS));
    for (const i of [5, 0, 3]) expect(await text(openOrigin(`${archive}#${MEMBERS[i]!.name}`))).toBe(MEMBERS[i]!.data);
    await expect(text(openArchiveMember(archive, 'nope'))).rejects.toThrow(/not in/);
  });
});
