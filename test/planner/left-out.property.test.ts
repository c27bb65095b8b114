/**
 * What makes leaving settled folders out of a plan safe, at the planner's level: files of folders
 * every remote already holds the content of add nothing to a plan, so taking them out of the input
 * leaves its actions exactly as they were, names and hash suffixes included. The hard case is a copy:
 * the same still in a settled folder and beside a new Live Photo video in another folder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/planner/inventory.ts';
import { makePlan } from '../../src/planner/plan.ts';
import type { PlanRemote } from '../../src/planner/types.ts';
import { groupCompanions } from '../../src/sources/companions.ts';
import { folderOf } from '../../src/sources/scan.ts';
import type { SourceFile } from '../../src/sources/types.ts';
import { sha256 } from '../helpers/hash.ts';

const REMOTES: PlanRemote[] = [
  { name: 'dated', layout: '{year}/{month}/{name}', include: null, exclude: [] },
  { name: 'flat', layout: '{name}', include: null, exclude: [] },
];
const FOLDERS = ['DCIM/100APPLE', 'DCIM/101APPLE', 'Camera'];
const NAMES = ['IMG_0001.JPG', 'IMG_0001.MOV', 'IMG_0002.JPG', 'IMG_0001.AAE'];

const fileArb = fc.record({ folder: fc.constantFrom(...FOLDERS), name: fc.constantFrom(...NAMES), content: fc.nat(5) });

function sourceFile(folder: string, name: string, content: number): SourceFile {
  const kind = name.endsWith('.MOV') ? 'video' : name.endsWith('.AAE') ? 'sidecar' : 'photo';
  return {
    source: 'phone',
    relPath: `${folder}/${name}`,
    origin: `/phone/${folder}/${name}`,
    size: 1,
    mtimeMs: 0,
    sha256: sha256(`${kind} ${content}`),
    kind,
    capture: { local: `2024-0${1 + (content % 3)}-01T00:00:00`, offset: null, source: 'exif' },
  };
}

describe('planner: files every remote holds', () => {
  it('leaving out the folders whose contents every remote holds does not change the actions', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fileArb, { minLength: 1, maxLength: 12, selector: (f) => `${f.folder}/${f.name}` }),
        fc.array(fc.tuple(fc.nat(5), fc.constantFrom('photo', 'video', 'sidecar')), { maxLength: 6 }),
        (picked, held) => {
          const sorted = [...picked].sort((a, b) => (`${a.folder}/${a.name}` < `${b.folder}/${b.name}` ? -1 : 1));
          const files = groupCompanions(sorted.map((f) => sourceFile(f.folder, f.name, f.content)));
          // Every remote holds the same contents, under names of its own.
          const heldShas = new Set(held.map(([content, kind]) => sha256(`${kind} ${content}`)));
          const inventories = () =>
            new Map(REMOTES.map((r) => [r.name, new MemoryInventory([...heldShas].map((sha, i) => ({ path: `old/${i}`, sha256: sha })))]));
          const settled = new Set(
            FOLDERS.filter((folder) => files.filter((f) => folderOf(f.relPath) === folder).every((f) => heldShas.has(f.sha256))),
          );
          const rest = files.filter((f) => !settled.has(folderOf(f.relPath)));

          const whole = makePlan({ remotes: REMOTES, files, inventories: inventories() });
          const changed = makePlan({ remotes: REMOTES, files: rest, inventories: inventories() });
          expect(changed.actions).toEqual(whole.actions);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
