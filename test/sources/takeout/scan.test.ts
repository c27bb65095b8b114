/**
 * The google-takeout source end to end on exports built in code: extracted folders, multi-part
 * zips and tgzs read in place, CP437 and NFD names, albums, edits, Live Photos and what is reported.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../../src/config/types.ts';
import { MemoryInventory } from '../../../src/planner/inventory.ts';
import { makePlan } from '../../../src/planner/plan.ts';
import { scanSources } from '../../../src/sources/scan.ts';
import type { SourceFile, SourceSnapshot } from '../../../src/sources/types.ts';
import { State } from '../../../src/state/index.ts';
import { albumJson, assetJson, tgzArchive, zipArchive } from '../../helpers/archives.ts';
import { sha256 } from '../../helpers/hash.ts';
import { jpeg, movie } from '../../helpers/media.ts';
import { testdir, tmpdir } from '../../helpers/tmp.ts';

const G = 'Takeout/Google Photos';
// 2020-08-17T21:00:00Z
const T = 1_597_698_000;

function takeout(p: string): SourceConfig {
  return { name: 'gp', type: 'google-takeout', path: p, include: null, exclude: [], media: 'cloud', offsite: true };
}

describe('sources: google-takeout', () => {
  let state: State;
  beforeEach(() => {
    state = State.open(path.join(tmpdir(), 'state.db'));
  });
  afterEach(() => state.close());

  const scan = (p: string): Promise<SourceSnapshot> => scanSources([takeout(p)], state.scanCache);
  const byPath = (s: SourceSnapshot): Map<string, SourceFile> => new Map(s.files.map((f) => [f.relPath, f]));

  it('reads an extracted export: strips Takeout/ and the localized folder, dates by photoTakenTime, skips account files', async () => {
    const root = testdir({
      'Takeout/archive_browser.html': '<html/>',
      'Takeout/Zdjęcia Google/print-subscriptions.json': '{}',
      'Takeout/Zdjęcia Google/Photos from 2020/IMG_1.jpg': jpeg({ grey: 10 }),
      'Takeout/Zdjęcia Google/Photos from 2020/IMG_1.jpg.json': assetJson('IMG_1.jpg', T),
    });
    const snapshot = await scan(root);
    expect(snapshot.files.map((f) => f.relPath)).toEqual(['Photos from 2020/IMG_1.jpg', 'Photos from 2020/IMG_1.jpg.json']);
    expect(snapshot.files[0]?.capture).toEqual({ local: '2020-08-17T21:00:00', offset: '+00:00', source: 'takeout-json' });
    expect(snapshot.files[0]?.albums).toBeUndefined();
    expect(snapshot.problems).toEqual([]);
  });

  it('merges zip parts: a sidecar in another part than its media, the same path in two parts once', async () => {
    const dir = tmpdir();
    const photo = jpeg({ exif: { dateTimeOriginal: '2020:08:17 23:00:00', offsetTimeOriginal: '+02:00' } });
    writeFileSync(
      path.join(dir, 'takeout-20240101T000000Z-001.zip'),
      zipArchive([
        { name: `${G}/Photos from 2020/IMG_2.jpg`, data: photo },
        { name: `${G}/Photos from 2020/same.jpg`, data: jpeg({ grey: 3 }) },
      ]),
    );
    writeFileSync(
      path.join(dir, 'takeout-20240101T000000Z-002.zip'),
      zipArchive([
        { name: `${G}/Photos from 2020/IMG_2.jpg.json`, data: assetJson('IMG_2.jpg', T) },
        { name: `${G}/Photos from 2020/same.jpg`, data: jpeg({ grey: 3 }) },
        { name: `${G}/Photos from 2020/same.jpg.json`, data: assetJson('same.jpg', T) },
      ]),
    );
    const snapshot = await scan(dir);
    const files = byPath(snapshot);
    expect([...files.keys()]).toEqual([
      'Photos from 2020/IMG_2.jpg',
      'Photos from 2020/IMG_2.jpg.json',
      'Photos from 2020/same.jpg',
      'Photos from 2020/same.jpg.json',
    ]);
    // The instant from the JSON, the wall clock from the photo's own offset.
    expect(files.get('Photos from 2020/IMG_2.jpg')?.capture).toEqual({ local: '2020-08-17T23:00:00', offset: '+02:00', source: 'takeout-json' });
    expect(files.get('Photos from 2020/IMG_2.jpg')?.origin).toBe(`${path.join(dir, 'takeout-20240101T000000Z-001.zip')}#${G}/Photos from 2020/IMG_2.jpg`);
    expect(files.get('Photos from 2020/IMG_2.jpg')?.sha256).toBe(sha256(photo));
    expect(files.get('Photos from 2020/IMG_2.jpg.json')?.group).toBe(files.get('Photos from 2020/IMG_2.jpg')?.group);
    expect(snapshot.problems).toEqual([]);

    // A no-op run reads nothing again: the cache answers for every member.
    const again = await scan(dir);
    expect(again.files).toEqual(snapshot.files);
  });

  it('decodes CP437 zip names (bit 11 unset), UTF-8 ones, and NFD names to NFC', async () => {
    const dir = tmpdir();
    const cp437 = Buffer.concat([Buffer.from(`${G}/Photos from 2020/a`, 'latin1'), Buffer.from([0xa4]), Buffer.from('o.jpg', 'latin1')]); // "año"
    const nfd = `${G}/Photos from 2020/Zdjęcie.jpg`.normalize('NFD');
    writeFileSync(
      path.join(dir, 'takeout.zip'),
      zipArchive([
        { name: cp437, data: jpeg({ grey: 1 }), utf8Flag: false },
        { name: `${G}/Photos from 2020/año.jpg.json`, data: assetJson('año.jpg', T) },
        { name: Buffer.from(nfd, 'utf8'), data: jpeg({ grey: 2 }), utf8Flag: false },
        { name: `${G}/Photos from 2020/Zdjęcie.jpg.json`, data: assetJson('Zdjęcie.jpg', T) },
        { name: `${G}/Fotos de /x.jpg`, data: jpeg({ grey: 5 }) },
      ]),
    );
    const snapshot = await scan(dir);
    expect(snapshot.files.filter((f) => f.kind === 'photo').map((f) => f.relPath)).toEqual([
      'Fotos de/x.jpg',
      'Photos from 2020/Zdjęcie.jpg',
      'Photos from 2020/año.jpg',
    ]);
    const files = byPath(snapshot);
    expect(files.get('Photos from 2020/año.jpg')?.capture.source).toBe('takeout-json');
    expect(files.get('Photos from 2020/Zdjęcie.jpg')?.capture.source).toBe('takeout-json');
    // The bytes are found again through the origin, which keeps the name as stored.
    expect(files.get('Photos from 2020/Zdjęcie.jpg')?.sha256).toBe(sha256(jpeg({ grey: 2 })));
    expect(snapshot.problems.map((p) => p.relPath)).toEqual(['Fotos de/x.jpg']);
  });

  it('reads tgz parts and a single archive given as the source path', async () => {
    const dir = tmpdir();
    const part1 = path.join(dir, 'takeout-20240101T000000Z-1-001.tgz');
    writeFileSync(part1, await tgzArchive([{ name: `${G}/Photos from 2020/IMG_3.jpg`, data: jpeg({ grey: 7 }) }]));
    writeFileSync(path.join(dir, 'takeout-20240101T000000Z-1-002.tar.gz'), await tgzArchive([{ name: `${G}/Photos from 2020/IMG_3.jpg.json`, data: assetJson('IMG_3.jpg', T) }]));
    const both = await scan(dir);
    expect(both.files.find((f) => f.relPath === 'Photos from 2020/IMG_3.jpg')?.capture.source).toBe('takeout-json');
    expect(both.problems).toEqual([]);

    const single = await scan(part1);
    expect(single.files.map((f) => f.relPath)).toEqual(['Photos from 2020/IMG_3.jpg']);
    expect(single.problems).toEqual([{ source: 'gp', relPath: 'Photos from 2020/IMG_3.jpg', message: expect.stringContaining('no JSON sidecar') }]);
  });

  it('makes a photo in a year folder and in albums one item that carries every album', async () => {
    const photo = jpeg({ grey: 40 });
    const root = testdir({
      [`${G}/Photos from 2022/IMG_4.jpg`]: photo,
      [`${G}/Photos from 2022/IMG_4.jpg.json`]: assetJson('IMG_4.jpg', T),
      [`${G}/Album test 6-10-23/IMG_4.jpg`]: photo,
      [`${G}/Album test 6-10-23/IMG_4.jpg.json`]: assetJson('IMG_4.jpg', T),
      [`${G}/Album test 6-10-23/métadonnées.json`]: albumJson('Album test 6/10/23'),
      [`${G}/Amsterdam 2022/IMG_4.jpg`]: photo,
      [`${G}/Amsterdam 2022/IMG_4.jpg.json`]: assetJson('IMG_4.jpg', T),
      // A JSON-only album entry: the photo is only in the year folder.
      [`${G}/Kitchen/IMG_4.jpg.json`]: assetJson('IMG_4.jpg', T),
      [`${G}/Trash/IMG_4.jpg`]: photo,
    });
    const snapshot = await scan(root);
    const copies = snapshot.files.filter((f) => f.sha256 === sha256(photo));
    expect(copies).toHaveLength(4);
    for (const f of copies) expect(f.albums, f.relPath).toEqual(['Album test 6/10/23', 'Amsterdam 2022', 'Kitchen']);
    expect(snapshot.files.some((f) => f.relPath.endsWith('métadonnées.json'))).toBe(false);
    expect(snapshot.problems.map((p) => p.relPath)).toEqual(['Trash/IMG_4.jpg']);

    const remote = { name: 'r', layout: '{album}/{name}', include: null, exclude: [] };
    const plan = makePlan({ remotes: [remote], files: snapshot.files, inventories: new Map([['r', new MemoryInventory()]]) });
    expect(plan.actions.filter((a) => a.sha256 === sha256(photo)).map((a) => a.to)).toEqual(['Album test 6-10-23/IMG_4.jpg']);
  });

  it('keeps an edited copy as its own photo linked to the original; groups a Live Photo and its sidecar', async () => {
    const root = testdir({
      [`${G}/Photos from 2023/IMG_5.HEIC`]: jpeg({ grey: 50 }),
      [`${G}/Photos from 2023/IMG_5.MP4`]: movie({ created: '2023-07-14T08:00:01Z' }),
      [`${G}/Photos from 2023/IMG_5.HEIC.supplemental-metadata.json`]: assetJson('IMG_5.HEIC', T),
      [`${G}/Photos from 2023/IMG_5-edited.HEIC`]: jpeg({ grey: 51 }),
      [`${G}/Photos from 2023/PXL_20210102_221126856.MP.jpg`]: jpeg({ grey: 52 }),
      [`${G}/Photos from 2023/PXL_20210102_221126856.MP`]: movie({ created: '2021-01-02T22:11:26Z' }),
      [`${G}/Photos from 2023/PXL_20210102_221126856.MP.jpg.json`]: assetJson('PXL_20210102_221126856.MP.jpg', T + 60),
    });
    const files = byPath(await scan(root));
    const still = files.get('Photos from 2023/IMG_5.HEIC')!;
    expect(still.groupPrimary).toBe(true);
    expect(still.notes).toEqual(['named .heic but the content is JPEG']);
    expect(files.get('Photos from 2023/IMG_5.MP4')).toMatchObject({ group: still.group, stemSuffix: '.MP4', capture: still.capture });
    expect(files.get('Photos from 2023/IMG_5.HEIC.supplemental-metadata.json')).toMatchObject({ group: still.group, stemSuffix: '.HEIC.json' });
    const edited = files.get('Photos from 2023/IMG_5-edited.HEIC')!;
    expect(edited).toMatchObject({ editOf: 'Photos from 2023/IMG_5.HEIC', capture: still.capture });
    expect(edited.group).toBeUndefined();
    const motion = files.get('Photos from 2023/PXL_20210102_221126856.MP.jpg')!;
    expect(files.get('Photos from 2023/PXL_20210102_221126856.MP')).toMatchObject({ group: motion.group, stemSuffix: '' });

    const remote = { name: 'r', layout: '{year}/{month}/{name}', include: null, exclude: [] };
    const plan = makePlan({ remotes: [remote], files: [...files.values()], inventories: new Map([['r', new MemoryInventory()]]) });
    expect(plan.actions.map((a) => a.to).sort()).toEqual([
      '2020/08/IMG_5-edited.HEIC',
      '2020/08/IMG_5.HEIC',
      '2020/08/IMG_5.HEIC.json',
      '2020/08/IMG_5.MP4',
      '2020/08/PXL_20210102_221126856.MP',
      '2020/08/PXL_20210102_221126856.MP.jpg',
      '2020/08/PXL_20210102_221126856.MP.jpg.json',
    ]);
  });

  it('reports an unmatched sidecar and an unmatched photo, and still backs both up', async () => {
    const root = testdir({
      [`${G}/Photos from 2020/lonely.jpg`]: jpeg({ grey: 60 }),
      [`${G}/Photos from 2020/gone.webm.json`]: assetJson('gone.webm', T),
    });
    const snapshot = await scan(root);
    expect(snapshot.files.map((f) => f.relPath)).toEqual(['Photos from 2020/gone.webm.json', 'Photos from 2020/lonely.jpg']);
    expect(snapshot.files[0]?.capture.source).toBe('takeout-json');
    expect(snapshot.problems.map((p) => [p.relPath, p.message.slice(0, 30)])).toEqual([
      ['Photos from 2020/lonely.jpg', 'no JSON sidecar found; backed '],
      ['Photos from 2020/gone.webm.json', 'JSON sidecar of "gone.webm" ma'],
    ]);
  });
});
