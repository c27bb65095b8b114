/**
 * A source of more files than a call's arguments can hold (about 125,000 on Node 20): nothing on
 * the way from the walk to the plan may spread the whole library into one call (see src/arrays.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitToSpace } from '../../src/planner/fit-space.ts';
import { MemoryInventory } from '../../src/planner/inventory.ts';
import { makePlan } from '../../src/planner/plan.ts';
import type { PlanRemote } from '../../src/planner/types.ts';
import { scanSources } from '../../src/sources/scan.ts';
import { State } from '../../src/state/index.ts';
import { tmpdir } from '../helpers/tmp.ts';

const FILES = 130_000;
const REMOTE: PlanRemote = { name: 'usb', layout: '{name}', include: null, exclude: [] };

describe('sources and planner: a large library', { tags: ['slow'] }, () => {
  it(`scans ${FILES.toLocaleString('en')} photos of one source`, { timeout: 180_000 }, async () => {
    const root = tmpdir();
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(root, `${100 + Math.floor(i / 5000)}APPLE`);
      if (i % 5000 === 0) mkdirSync(dir);
      writeFileSync(path.join(dir, `IMG_${i}.JPG`), String(i));
    }
    const state = State.open(path.join(tmpdir(), 'state.db'));
    try {
      const snapshot = await scanSources([{ name: 'phone', type: 'local', path: root, include: null, exclude: [], media: 'phone', offsite: false }], state.scanCache);
      expect(snapshot.files).toHaveLength(FILES);
      expect(new Set(snapshot.files.map((f) => f.sha256)).size).toBe(FILES);

      const body = makePlan({ remotes: [REMOTE], files: snapshot.files, inventories: new Map([['usb', new MemoryInventory()]]) });
      expect(body.actions).toHaveLength(FILES);
      expect(fitToSpace(body, new Map([['usb', 1e12]]), false).actions).toHaveLength(FILES);
      const half = fitToSpace(body, new Map([['usb', body.summary.remotes['usb']!.bytes / 2]]), true);
      expect(half.summary.remotes['usb']?.space?.deferred).toBe(FILES - half.actions.length);
      expect(half.actions.length).toBeGreaterThan(FILES / 3);
    } finally {
      state.close();
    }
  });
});
