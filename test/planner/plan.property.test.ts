/**
 * Planner properties over random histories of source changes (adds, edits, deletes, renames,
 * copies across sources), each followed by plan + a simulated apply: every source item ends up on
 * every remote, nothing on a remote is ever removed or changed, no content is stored twice on one
 * remote, and no action aims at a taken name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/planner/inventory.ts';
import { pathKey } from '../../src/planner/path-key.ts';
import { makePlan } from '../../src/planner/plan.ts';
import type { PlanRemote } from '../../src/planner/types.ts';
import type { SourceFile } from '../../src/sources/types.ts';
import { sha256 } from '../helpers/hash.ts';

type Op =
  | { kind: 'add'; source: number; name: string; dir: string; content: number }
  | { kind: 'edit'; pick: number; content: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'rename'; pick: number; name: string }
  | { kind: 'copy'; pick: number; source: number }
  | { kind: 'apply' };

const SOURCES = ['phone', 'camera'];
const REMOTES: PlanRemote[] = [
  { name: 'dated', layout: '{year}/{month}/{name}', include: null, exclude: [] },
  // A flat layout makes name clashes (IMG_0001.JPG from several folders) the normal case.
  { name: 'flat', layout: '{name}', include: null, exclude: [] },
  { name: 'bysource', layout: '{source}/{stem}.{ext}', include: null, exclude: [] },
];

// Few names and contents, so clashes and duplicates are frequent; names differ in case too.
const nameArb = fc.constantFrom('IMG_0001.JPG', 'img_0001.jpg', 'IMG_0002.JPG', 'IMG_0001.HEIC', 'clip.MOV', 'noext', 'IMG_0001~abc.JPG');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), source: fc.nat(1), name: nameArb, dir: fc.constantFrom('100APPLE', '101APPLE', 'x'), content: fc.nat(12) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), content: fc.nat(12) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(), name: nameArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copy' as const), pick: fc.nat(), source: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'apply' as const }) },
);

function contentBytes(n: number): string {
  return `content-${n}`;
}

function dateOf(content: string): string {
  const n = Number(content.split('-')[1] ?? 0);
  return `20${String(10 + (n % 3)).padStart(2, '0')}-${String(1 + (n % 12)).padStart(2, '0')}-15T12:00:00`;
}

describe('planner: properties', () => {
  it('keeps every source item on every remote, append-only, without duplicates', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        // source files: key "source/relPath" → content
        const files = new Map<string, string>();
        // remotes: path → sha256; never shrinks
        const remotes = new Map(REMOTES.map((r) => [r.name, new Map<string, string>()]));
        const everStored = new Map(REMOTES.map((r) => [r.name, new Map<string, string>()]));

        const snapshot = (): SourceFile[] =>
          [...files.entries()]
            .map(([key, content]) => {
              const [source, ...rest] = key.split('/');
              return {
                source: source!,
                relPath: rest.join('/'),
                origin: `/src/${key}`,
                size: content.length,
                mtimeMs: 0,
                sha256: sha256(content),
                kind: 'photo' as const,
                capture: { local: dateOf(content), offset: null, source: 'exif' as const },
              };
            })
            .sort((a, b) => SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source) || (a.relPath < b.relPath ? -1 : 1));

        const planAndApply = (): void => {
          const inventories = new Map(
            REMOTES.map((r) => [r.name, new MemoryInventory([...remotes.get(r.name)!].map(([path, sha]) => ({ path, sha256: sha })))]),
          );
          const plan = makePlan({ remotes: REMOTES, files: snapshot(), inventories });
          for (const action of plan.actions) {
            expect(action.op).toBe('upload');
            const held = remotes.get(action.remote)!;
            // Never aimed at a taken name (case- and Unicode-folded), never content already there.
            expect([...held.keys()].some((p) => pathKey(p) === pathKey(action.to))).toBe(false);
            expect([...held.values()]).not.toContain(action.sha256);
            expect(action.to.split('/').every((s) => s !== '' && s !== '..')).toBe(true);
            held.set(action.to, action.sha256);
          }
          for (const r of REMOTES) {
            const summary = plan.summary.remotes[r.name]!;
            expect(summary.deletions).toBe(0);
          }
          // Nothing previously stored was removed or changed.
          for (const [name, held] of remotes) {
            const ever = everStored.get(name)!;
            for (const [path, sha] of ever) expect(held.get(path)).toBe(sha);
            for (const [path, sha] of held) ever.set(path, sha);
          }
          // Every current source item is on every remote, exactly once.
          const current = new Set([...files.values()].map((c) => sha256(c)));
          for (const held of remotes.values()) {
            const stored = [...held.values()];
            expect(new Set(stored).size).toBe(stored.length);
            for (const sha of current) expect(stored).toContain(sha);
          }
          // A second plan right after has nothing to do.
          const again = makePlan({
            remotes: REMOTES,
            files: snapshot(),
            inventories: new Map(REMOTES.map((r) => [r.name, new MemoryInventory([...remotes.get(r.name)!].map(([path, sha]) => ({ path, sha256: sha })))])),
          });
          expect(again.actions).toHaveLength(0);
        };

        const keys = (): string[] => [...files.keys()].sort();
        for (const op of ops) {
          const all = keys();
          const picked = all.length > 0 && 'pick' in op ? all[op.pick % all.length] : undefined;
          switch (op.kind) {
            case 'add':
              files.set(`${SOURCES[op.source]}/DCIM/${op.dir}/${op.name}`, contentBytes(op.content));
              break;
            case 'edit':
              if (picked) files.set(picked, contentBytes(op.content + 100));
              break;
            case 'delete':
              if (picked) files.delete(picked);
              break;
            case 'rename':
              if (picked) {
                const content = files.get(picked)!;
                files.delete(picked);
                files.set(`${picked.slice(0, picked.lastIndexOf('/'))}/${op.name}`, content);
              }
              break;
            case 'copy':
              if (picked) files.set(`${SOURCES[op.source]}/copied/${picked.split('/').pop()}`, files.get(picked)!);
              break;
            case 'apply':
              planAndApply();
              break;
          }
        }
        planAndApply();
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same input gives the same plan', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(nameArb, fc.nat(5), fc.constantFrom('a', 'b', 'c')), { maxLength: 20, selector: (t) => `${t[2]}/${t[0]}` }), (entries) => {
        const files: SourceFile[] = entries.map(([name, content, dir]) => ({
          source: 'phone',
          relPath: `${dir}/${name}`,
          origin: `/p/${dir}/${name}`,
          size: 1,
          mtimeMs: 0,
          sha256: sha256(String(content)),
          kind: 'photo',
          capture: { local: '2024-05-01T00:00:00', offset: null, source: 'mtime' },
        }));
        const inventories = () => new Map(REMOTES.map((r) => [r.name, new MemoryInventory()]));
        expect(makePlan({ remotes: REMOTES, files, inventories: inventories() })).toEqual(makePlan({ remotes: REMOTES, files, inventories: inventories() }));
      }),
    );
  });
});
