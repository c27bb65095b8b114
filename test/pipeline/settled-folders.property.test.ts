/**
 * Leaving settled folders out never changes a plan: over random histories of a library (photos
 * added, edited in place, deleted; a backup losing a file, found by a refresh; applies), the plan
 * made from the folders that changed has exactly the actions of a plan made from every file.
 * Real files, a real state database and real local remotes; no include/exclude rules (with them
 * the plan of changed folders may upload more, never less: see src/planner/backed-up.ts).
 */
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { applyPlan, withApplyLock } from '../../src/pipeline/apply-plan.ts';
import { makePlanFile } from '../../src/pipeline/make-plan.ts';
import { Session } from '../../src/pipeline/session.ts';
import type { PlanFile } from '../../src/planner/plan-file.ts';
import { tmpdir } from '../helpers/tmp.ts';

type Op =
  | { kind: 'add'; folder: string; name: string; content: number }
  | { kind: 'edit'; pick: number; content: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'lose'; pick: number }
  | { kind: 'apply' };

const FOLDERS = ['DCIM/100APPLE', 'DCIM/101APPLE', 'DCIM', 'Camera'];
// Few names and contents: name clashes on the flat remote and the same photo in two folders are common.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), folder: fc.constantFrom(...FOLDERS), name: fc.constantFrom('IMG_0001.JPG', 'IMG_0002.JPG', 'IMG_0001.MOV', 'clip.mp4'), content: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), content: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lose' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'apply' as const }) },
);

/** What an action does, without its position in the plan. */
const effects = (plan: PlanFile): string[] => plan.actions.map((a) => `${a.remote}:${a.to}<-${a.source}:${a.from}:${a.sha256}`).sort();
const notes = (plan: PlanFile): string[] => plan.notes.map((n) => `${n.source}:${n.relPath}:${n.note}`).sort();

describe('planning: settled folders', { tags: ['slow'] }, () => {
  it('plans what a plan over every file plans, whatever happened to the library and the backups', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
        const dir = tmpdir();
        const photos = path.join(dir, 'photos');
        mkdirSync(photos);
        writeFileSync(
          path.join(dir, 'photosync.yaml'),
          `version: 1
state: ./state.db
sources:
  phone: { type: local, path: ./photos }
remotes:
  dated: { type: local, path: ./dated }
  flat: { type: local, path: ./flat, layout: "{name}" }
`,
        );
        const session = await Session.open(loadConfig(path.join(dir, 'photosync.yaml'), {}), {});
        const files: string[] = [];
        let clock = Date.UTC(2024, 0, 1) / 1000;
        // Every write gets its own mtime, as it would in life: a listing that is the same is the same files.
        const write = (rel: string, content: number): void => {
          const file = path.join(photos, rel);
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, `photo ${content} `.repeat(content + 1));
          utimesSync(file, clock, clock);
          clock += 60;
        };
        const planBoth = async (): Promise<PlanFile> => {
          const changed = (await makePlanFile(session)).plan;
          const whole = (await makePlanFile(session, { needFiles: true })).plan;
          expect(effects(changed)).toEqual(effects(whole));
          expect(notes(changed)).toEqual(notes(whole));
          return whole;
        };
        try {
          for (const op of ops) {
            if (op.kind === 'add') {
              const rel = `${op.folder}/${op.name}`;
              write(rel, op.content);
              if (!files.includes(rel)) files.push(rel);
            } else if (op.kind === 'edit' && files.length > 0) {
              write(files[op.pick % files.length]!, op.content);
            } else if (op.kind === 'delete' && files.length > 0) {
              rmSync(path.join(photos, files.splice(op.pick % files.length, 1)[0]!));
            } else if (op.kind === 'lose') {
              const held = session.state.inventories;
              const rows = [...held.rows(session.handle('dated').record.id)];
              if (rows.length === 0) continue;
              rmSync(path.join(dir, 'dated', rows[op.pick % rows.length]!.path));
              await session.refresh(session.handle('dated'));
            } else if (op.kind === 'apply') {
              const plan = await planBoth();
              await withApplyLock(session, (lock) => applyPlan(session, lock, plan, null));
            }
            await planBoth();
          }
        } finally {
          await session.close();
        }
        return existsSync(photos);
      }),
      { numRuns: 30 },
    );
  });
});
