/**
 * Conformance: a real Polish Takeout export (../shared/fixtures/takeout-gpth, read in place) is
 * scanned as a google-takeout source and planned with {year}/{month}/{name}; every media file
 * must land in the YYYY/MM its copy has under reference/. The same export, packed by this test
 * into a zip and into a tgz in a temp folder, must plan the same.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/types.ts';
import { MemoryInventory } from '../../src/planner/inventory.ts';
import { makePlan } from '../../src/planner/plan.ts';
import { scanSources } from '../../src/sources/scan.ts';
import type { SourceSnapshot } from '../../src/sources/types.ts';
import { State } from '../../src/state/index.ts';
import { tgzArchive, zipArchive } from '../helpers/archives.ts';
import { sha256 } from '../helpers/hash.ts';
import { requireSharedFixturesInCi, SHARED_FIXTURES, sharedFixturesPresent } from '../helpers/shared-fixtures.ts';
import { tmpdir } from '../helpers/tmp.ts';

requireSharedFixturesInCi();

const ROOT = path.join(SHARED_FIXTURES, 'takeout-gpth');
const COLLECTION = path.join(ROOT, 'test_current_reference_collection');
/** No sidecar and no embedded date; its reference folder came from a file time this copy lost. */
const UNDATED = 'tia3059641059518022454.gif';

function filesUnder(root: string, rel = ''): string[] {
  return readdirSync(path.join(root, rel)).flatMap((name) => {
    const r = rel ? `${rel}/${name}` : name;
    return statSync(path.join(root, r)).isDirectory() ? filesUnder(root, r) : [r];
  });
}

function takeout(p: string): SourceConfig {
  return { name: 'takeout', type: 'google-takeout', path: p, include: null, exclude: [], media: 'cloud', offsite: true };
}

async function scan(source: SourceConfig): Promise<SourceSnapshot> {
  const state = State.open(path.join(tmpdir(), 'state.db'));
  try {
    return await scanSources([source], state.scanCache, { threads: 2 });
  } finally {
    state.close();
  }
}

/**
 * Media file name → destination (sidecars travel with their media and are not compared). Names
 * are unique in this export; they identify a file, as the media under input/ of this copy were
 * re-encoded smaller than their reference/ copies, so only some are byte-identical (those are
 * checked by hash as well).
 */
function placements(snapshot: SourceSnapshot): Map<string, { to: string; sha256: string }> {
  const remote = { name: 'r', layout: '{year}/{month}/{name}', include: null, exclude: [] };
  const plan = makePlan({ remotes: [remote], files: snapshot.files, inventories: new Map([['r', new MemoryInventory()]]) });
  const media = plan.actions.filter((a) => !a.from.endsWith('.json'));
  return new Map(media.map((a) => [path.posix.basename(a.from), { to: a.to, sha256: a.sha256 }]));
}

/** The same placements without the undated file, whose folder comes from a file time. */
function dated(placed: Map<string, { to: string; sha256: string }>): Map<string, string> {
  return new Map([...placed].filter(([name]) => name !== UNDATED).map(([name, p]) => [name, p.to]));
}

describe.skipIf(!sharedFixturesPresent)('conformance: Google Takeout (GPTH test data)', { tags: ['slow'] }, () => {
  const reference = sharedFixturesPresent ? filesUnder(path.join(COLLECTION, 'reference')) : []; // "YYYY/MM/name"

  function expectReferencePlacement(placed: Map<string, { to: string; sha256: string }>): void {
    // Every media file placed is in the reference, and the other way round.
    expect([...placed.keys()].sort()).toEqual(reference.map((r) => path.posix.basename(r)).sort());
    let identical = 0;
    for (const ref of reference) {
      const name = path.posix.basename(ref);
      const p = placed.get(name)!;
      if (p.sha256 === sha256(readFileSync(path.join(COLLECTION, 'reference', ref)))) identical++;
      if (name === UNDATED) continue;
      expect(p.to, ref).toBe(ref);
    }
    expect(identical).toBeGreaterThanOrEqual(5);
  }

  it('places every dated media file of the extracted export in its reference year and month', async () => {
    const snapshot = await scan(takeout(path.join(COLLECTION, 'input')));
    const placed = placements(snapshot);
    expectReferencePlacement(placed);

    const byName = new Map(snapshot.files.map((f) => [f.relPath, f]));
    // The JSON beats the name: signal-2020-07-18… was taken in January 2015.
    expect(byName.get('Photos from 2015/signal-2020-07-18-183333.webm')?.capture).toMatchObject({ local: '2015-01-06T19:56:38', source: 'takeout-json' });
    // EXIF's offset gives the wall clock; the JSON (a date corrected in Google Photos) the instant.
    expect(byName.get('Photos from 2021/IMG_20210127_193339.jpg')?.capture).toEqual({ local: '2021-01-25T14:33:00', offset: '+01:00', source: 'takeout-json' });
    // Sidecars travel with their photo.
    const jpg = byName.get('Photos from 2020/IMG_20200516_154811.jpg');
    expect(byName.get('Photos from 2020/IMG_20200516_154811.jpg.json')).toMatchObject({ group: jpg?.group, stemSuffix: '.jpg.json' });

    const problems = snapshot.problems.map((p) => `${p.relPath}: ${p.message}`);
    expect(problems.filter((p) => p.startsWith('Photos from 2020/editing_multiple_lines_pt1.webm.json: '))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith(`Photos from 2019/${UNDATED}: no JSON sidecar`))).toHaveLength(1);
    expect(problems).toHaveLength(2);
  });

  it('plans the same export packed into a zip and into a tgz the same way', async () => {
    const input = path.join(COLLECTION, 'input');
    const members = filesUnder(input).map((rel) => ({ name: `Takeout/${rel}`, data: readFileSync(path.join(input, rel)) }));
    const dir = tmpdir();
    writeFileSync(path.join(dir, 'takeout-20240101T000000Z-001.zip'), zipArchive(members));
    writeFileSync(path.join(dir, 'takeout-20240101T000000Z-001.tgz'), await tgzArchive(members));

    const extracted = placements(await scan(takeout(input)));
    for (const part of ['takeout-20240101T000000Z-001.zip', 'takeout-20240101T000000Z-001.tgz']) {
      const snapshot = await scan(takeout(path.join(dir, part)));
      expect(dated(placements(snapshot)), part).toEqual(dated(extracted));
      expectReferencePlacement(placements(snapshot));
      expect(snapshot.problems.map((p) => p.relPath).sort(), part).toEqual([`Photos from 2019/${UNDATED}`, 'Photos from 2020/editing_multiple_lines_pt1.webm.json']);
    }
  });

  it('matches test_set1’s sidecar cut to "…reconstructed..json" (rule A at 46 units)', async () => {
    const snapshot = await scan(takeout(path.join(ROOT, 'test_set1', 'input')));
    expect(snapshot.problems).toEqual([]);
    const png = snapshot.files.find((f) => f.relPath === 'alignment-temple-5D-32-temple-V-reconstructed.png');
    expect(png?.capture.source).toBe('takeout-json');
    const sidecar = snapshot.files.find((f) => f.relPath === 'alignment-temple-5D-32-temple-V-reconstructed..json');
    expect(sidecar).toMatchObject({ group: png?.group, stemSuffix: '.png.json' });
    for (const rel of filesUnder(path.join(ROOT, 'test_set1', 'reference'))) {
      expect(snapshot.files.find((f) => f.relPath === rel)?.capture.source, rel).toBe('takeout-json');
    }
  });
});
