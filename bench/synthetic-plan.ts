/**
 * The planner over a synthetic library, in a process of its own so its peak RSS is the plan's:
 * N source files (DCIM-style names, real SHA-256 strings, EXIF-style capture dates) and a remote
 * inventory holding all but `newPercent`% of them under a {year}/{month}/{name} layout. Times the
 * inventory's construction (MemoryInventory, as the state's rows become one) plus makePlan, both
 * from the built photosync (dist/), not the generation of the input.
 *
 *   node --import tsx bench/synthetic-plan.ts N [newPercent]   → one line of JSON
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceFile } from '../src/sources/types.ts';
import type { InventoryItem } from '../src/planner/inventory.ts';
import { REPO } from './tools.ts';

const files = Number(process.argv[2] ?? '1000000');
const newPercent = Number(process.argv[3] ?? '1');
const dist = (module: string) => pathToFileURL(path.join(REPO, 'dist', 'planner', module)).href;
const { makePlan } = (await import(dist('plan.js'))) as typeof import('../src/planner/plan.ts');
const { MemoryInventory } = (await import(dist('inventory.js'))) as typeof import('../src/planner/inventory.ts');

const generating = process.hrtime.bigint();
const source: SourceFile[] = [];
const held: InventoryItem[] = [];
const everyNew = Math.max(1, Math.round(100 / newPercent));
for (let i = 0; i < files; i++) {
  const year = 2010 + (i % 15);
  const month = String(1 + ((i * 7) % 12)).padStart(2, '0');
  const day = String(1 + ((i * 13) % 28)).padStart(2, '0');
  const name = `IMG_${String(i).padStart(7, '0')}.JPG`;
  const sha256 = createHash('sha256').update(`photo ${i}`).digest('hex');
  const relPath = `DCIM/${100 + Math.floor(i / 1000)}APPLE/${name}`;
  source.push({
    source: 'library',
    relPath,
    origin: `/photos/${relPath}`,
    size: 2_000_000 + (i % 3_000_000),
    mtimeMs: 1_600_000_000_000 + i * 1000,
    sha256,
    kind: 'photo',
    capture: { local: `${year}-${month}-${day}T12:00:00`, offset: '+01:00', source: 'exif' },
  });
  if (i % everyNew !== 0) held.push({ path: `${year}/${month}/${name}`, sha256 });
}
const generateSeconds = Number(process.hrtime.bigint() - generating) / 1e9;
// How much of the peak is the input itself (as a real scan's snapshot would also be).
const rssWithInputBytes = process.memoryUsage().rss;

const planning = process.hrtime.bigint();
const inventory = new MemoryInventory(held);
const inventorySeconds = Number(process.hrtime.bigint() - planning) / 1e9;
const plan = makePlan({
  remotes: [{ name: 'backup', layout: '{year}/{month}/{name}', include: null, exclude: [] }],
  files: source,
  inventories: new Map([['backup', inventory]]),
});
const planSeconds = Number(process.hrtime.bigint() - planning) / 1e9;

console.log(
  JSON.stringify({
    files,
    inventory: inventory.size,
    uploads: plan.summary.remotes['backup']?.uploads ?? 0,
    generateSeconds,
    inventorySeconds,
    planSeconds,
    rssWithInputBytes,
    rssAfterPlanBytes: process.memoryUsage().rss,
  }),
);
