import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/planner/inventory.ts';
import { makePlan } from '../../src/planner/plan.ts';
import { groupCompanions } from '../../src/sources/companions.ts';
import { scanSources } from '../../src/sources/scan.ts';
import type { SourceFile } from '../../src/sources/types.ts';
import { State } from '../../src/state/index.ts';
import { jpeg, movie } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

function f(relPath: string, kind: SourceFile['kind'], day = 1): SourceFile {
  return {
    source: 'phone',
    relPath,
    origin: relPath,
    size: 1,
    mtimeMs: 0,
    sha256: relPath,
    kind,
    capture: { local: `2024-01-0${day}T00:00:00`, offset: null, source: 'exif' },
  };
}

describe('sources: companions', () => {
  it('groups a Live Photo, its sidecars and an icloudpd video; keeps edits and unrelated files apart', () => {
    const grouped = groupCompanions([
      f('100APPLE/IMG_1234.HEIC', 'photo', 1),
      f('100APPLE/IMG_1234_HEVC.MOV', 'video', 2),
      f('100APPLE/IMG_1234.AAE', 'sidecar', 3),
      f('100APPLE/IMG_O1234.AAE', 'sidecar', 3),
      f('100APPLE/IMG_1234.HEIC.xmp', 'sidecar', 3),
      f('100APPLE/IMG_E1234.HEIC', 'photo', 4),
      f('100APPLE/IMG_1235.JPG', 'photo', 5),
      f('101APPLE/IMG_1234.MOV', 'video', 6),
      f('100APPLE/orphan.AAE', 'sidecar', 7),
    ]);
    const byPath = new Map(grouped.map((g) => [g.relPath, g]));
    const group = byPath.get('100APPLE/IMG_1234.HEIC')?.group;
    expect(group).toBeDefined();
    expect(byPath.get('100APPLE/IMG_1234.HEIC')?.groupPrimary).toBe(true);
    for (const p of ['100APPLE/IMG_1234_HEVC.MOV', '100APPLE/IMG_1234.AAE', '100APPLE/IMG_O1234.AAE', '100APPLE/IMG_1234.HEIC.xmp']) {
      expect(byPath.get(p)?.group, p).toBe(group);
      expect(byPath.get(p)?.capture.local, p).toBe('2024-01-01T00:00:00');
    }
    expect(byPath.get('100APPLE/IMG_1234_HEVC.MOV')?.stemSuffix).toBe('.MOV');
    expect(byPath.get('100APPLE/IMG_1234.HEIC.xmp')?.stemSuffix).toBe('.HEIC.xmp');
    expect(byPath.get('100APPLE/IMG_O1234.AAE')?.companionStem).toBe('IMG_O1234');
    expect(byPath.get('100APPLE/IMG_E1234.HEIC')?.group).toBeUndefined();
    expect(byPath.get('100APPLE/IMG_E1234.HEIC')?.editOf).toBe('100APPLE/IMG_1234.HEIC');
    for (const p of ['100APPLE/IMG_1235.JPG', '101APPLE/IMG_1234.MOV', '100APPLE/orphan.AAE']) expect(byPath.get(p)?.group, p).toBeUndefined();
  });

  it('lands an icloud export’s Live Photo and sidecars under one stem, renamed together on a clash', async () => {
    const root = testdir({
      '2023/07/14/IMG_7190.HEIC': jpeg({ exif: { dateTimeOriginal: '2023:07:14 10:00:00' }, comment: 'a heic stand-in' }),
      '2023/07/14/IMG_7190_HEVC.MOV': movie({ created: '2023-07-14T08:00:01Z' }),
      '2023/07/14/IMG_O7190.AAE': '<plist>adjustments</plist>',
      '2023/07/14/IMG_E7190.JPG': jpeg({ exif: { dateTimeOriginal: '2023:07:14 10:00:00' }, grey: 1 }),
    });
    const state = State.open(path.join(tmpdir(), 's.db'));
    try {
      const snapshot = await scanSources(
        [{ name: 'icloud', type: 'icloud-export', path: root, include: null, exclude: [], media: 'internal-disk', offsite: false }],
        state.scanCache,
      );
      const remote = { name: 'nas', layout: '{year}/{month}/{name}', include: null, exclude: [] };
      const fresh = makePlan({ remotes: [remote], files: snapshot.files, inventories: new Map([['nas', new MemoryInventory()]]) });
      expect(fresh.actions.map((a) => a.to).sort()).toEqual([
        '2023/07/IMG_7190.HEIC',
        '2023/07/IMG_7190.MOV',
        '2023/07/IMG_E7190.JPG',
        '2023/07/IMG_O7190.AAE',
      ]);
      const taken = new MemoryInventory([{ path: '2023/07/IMG_7190.MOV', sha256: 'f'.repeat(64) }]);
      const clash = makePlan({ remotes: [remote], files: snapshot.files, inventories: new Map([['nas', taken]]) });
      const still = snapshot.files.find((x) => x.relPath.endsWith('IMG_7190.HEIC'))!;
      const suffix = `~${still.sha256.slice(0, 8)}`;
      expect(clash.actions.filter((a) => a.group).map((a) => a.to).sort()).toEqual([
        `2023/07/IMG_7190${suffix}.HEIC`,
        `2023/07/IMG_7190${suffix}.MOV`,
        `2023/07/IMG_O7190${suffix}.AAE`,
      ]);
    } finally {
      state.close();
    }
  });
});
