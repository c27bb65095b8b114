/**
 * Conformance: real camera and phone files (../shared/fixtures/media) yield the capture dates
 * ExifTool reads from them (fixtures/README.md), and land in the expected year/month folders.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/planner/plan.ts';
import { MemoryInventory } from '../../src/planner/inventory.ts';
import { scanSources } from '../../src/sources/scan.ts';
import { State } from '../../src/state/index.ts';
import { requireSharedFixturesInCi, SHARED_FIXTURES, sharedFixturesPresent } from '../helpers/shared-fixtures.ts';
import { tmpdir } from '../helpers/tmp.ts';

requireSharedFixturesInCi();

const EXPECTED: Record<string, { local: string; offset: string | null; folder: string }> = {
  'heic-iphone7.heic': { local: '2019-10-20T18:34:30', offset: '+02:00', folder: '2019/10' },
  'heic-iphone.heic': { local: '2019-08-21T10:57:23', offset: '+07:00', folder: '2019/08' },
  'IMG_20180725_163423-tiny.jpg': { local: '2018-07-25T16:34:23', offset: '+02:00', folder: '2018/07' },
  'canon-dslr.jpg': { local: '2019-10-26T16:07:24', offset: null, folder: '2019/10' },
  'img_1771.jpg': { local: '2003-12-14T12:01:44', offset: null, folder: '2003/12' },
};

describe.skipIf(!sharedFixturesPresent)('conformance: media capture dates', { tags: ['slow'] }, () => {
  it('reads each sample’s capture date and places it by that date', async () => {
    const state = State.open(path.join(tmpdir(), 'state.db'));
    try {
      const source = {
        name: 'samples',
        type: 'local' as const,
        path: path.join(SHARED_FIXTURES, 'media'),
        include: null,
        exclude: [],
        media: 'internal-disk' as const,
        offsite: false,
      };
      const snapshot = await scanSources([source], state.scanCache, { threads: 2 });
      const byName = new Map(snapshot.files.map((f) => [f.relPath, f]));
      for (const [name, want] of Object.entries(EXPECTED)) {
        expect(byName.get(name)?.capture, name).toEqual({ local: want.local, offset: want.offset, source: 'exif' });
      }
      // No date in the file and no date in the name: the mtime decides.
      expect(byName.get('heic-single.heic')?.capture.source).toBe('mtime');
      expect(byName.get('noexif.jpg')?.capture.source).toBe('mtime');

      const remote = { name: 'r', layout: '{year}/{month}/{name}', include: null, exclude: [] };
      const plan = makePlan({ remotes: [remote], files: snapshot.files, inventories: new Map([['r', new MemoryInventory()]]) });
      for (const [name, want] of Object.entries(EXPECTED)) {
        expect(plan.actions.find((a) => a.from === name)?.to).toBe(`${want.folder}/${name}`);
      }
    } finally {
      state.close();
    }
  });
});
