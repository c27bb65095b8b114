/**
 * The sidecar matcher against every row of source-formats.md §1.8 and its negative cases. Each
 * row states the title Google had and the duplicate counter; the sidecar name is built from them
 * by rule A and the media name by rule B, and both must equal the names seen in real exports.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mediaClassOf } from '../../../src/media/kinds.ts';
import { matchTakeout, type MatchEntry, type MediaRelation } from '../../../src/sources/takeout/match.ts';
import { mediaNames, sidecarName, type SidecarStyle } from '../../../src/sources/takeout/sidecar-name.ts';

const DIR = 'Photos from 2023/';

function media(name: string): MatchEntry {
  return { relPath: DIR + name, kind: mediaClassOf(name), json: null };
}

function sidecar(name: string, title: string, takenMs: number | null = 1_600_000_000_000): MatchEntry {
  return { relPath: DIR + name, kind: 'sidecar', json: { role: 'asset', title, takenMs } };
}

interface Row {
  readonly n: number;
  /** The title in the JSON (what the user uploaded). */
  readonly title: string;
  readonly style: SidecarStyle;
  readonly counter: number | null;
  /** The sidecar name seen in a real export; rule A must produce it. */
  readonly sidecar: string;
  /** The media name seen in the export; rule B produces it unless the row is a companion. */
  readonly media: string;
  readonly relation: MediaRelation;
}

const EMOJI = '😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋';
// 66 emoji in all, as in immich-go #35; the media kept 48 units of the base, the sidecar 46.
const EMOJI_TITLE = `${EMOJI}😛${'😜😝🤑🤗🤭🤫🤔🤐🤨😐😑😶😏😒🙄😬🤥😌😔😪🤤😴😷🤒🤕🤢🤮🤧🥵🥶'.repeat(2).slice(0, 2 * 39)}🥶.jpg`;
const SNAP = 'Screenshot_20220207_102421_com.snapchat.android.jpg';
const FB = 'Screenshot_20231027_123303_Facebook.jpg';
const BACKYARD = 'Backyard_ceremony_wedding_photography_xxxxxxx_marriage.jpg';
const ORIGINAL = 'original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P.jpg';

const ROWS: readonly Row[] = [
  { n: 1, title: 'IMG_20200516_154811.jpg', style: 'classic', counter: null, sidecar: 'IMG_20200516_154811.jpg.json', media: 'IMG_20200516_154811.jpg', relation: 'own' },
  { n: 2, title: '20161105_170829.jpg', style: 'supplemental', counter: null, sidecar: '20161105_170829.jpg.supplemental-metadata.json', media: '20161105_170829.jpg', relation: 'own' },
  { n: 3, title: 'IMG_3479.JPG', style: 'classic', counter: 1, sidecar: 'IMG_3479.JPG(1).json', media: 'IMG_3479(1).JPG', relation: 'own' },
  { n: 4, title: 'DSC_0101.JPG', style: 'classic', counter: 1, sidecar: 'DSC_0101.JPG(1).json', media: 'DSC_0101(1).JPG', relation: 'own' },
  { n: 5, title: 'IMG_2710.HEIC', style: 'classic', counter: 1, sidecar: 'IMG_2710.HEIC(1).json', media: 'IMG_2710(1).HEIC', relation: 'own' },
  { n: 6, title: 'Scan35.jpg', style: 'supplemental', counter: 1, sidecar: 'Scan35.jpg.supplemental-metadata(1).json', media: 'Scan35(1).jpg', relation: 'own' },
  { n: 7, title: 'CLIP0001.AVI', style: 'supplemental', counter: 10, sidecar: 'CLIP0001.AVI.supplemental-metadata(10).json', media: 'CLIP0001(10).AVI', relation: 'own' },
  { n: 8, title: 'MVIMG_20191230_232926.jpg', style: 'supplemental', counter: null, sidecar: 'MVIMG_20191230_232926.jpg.supplemental-metadat.json', media: 'MVIMG_20191230_232926.jpg', relation: 'own' },
  { n: 9, title: 'Screenshot_20200301-161151.png', style: 'supplemental', counter: null, sidecar: 'Screenshot_20200301-161151.png.supplemental-me.json', media: 'Screenshot_20200301-161151.png', relation: 'own' },
  { n: 10, title: 'MVIMG_20200207_134534~2.jpg', style: 'supplemental', counter: null, sidecar: 'MVIMG_20200207_134534~2.jpg.supplemental-metad.json', media: 'MVIMG_20200207_134534~2.jpg', relation: 'own' },
  { n: 11, title: FB, style: 'supplemental', counter: null, sidecar: 'Screenshot_20231027_123303_Facebook.jpg.supple.json', media: FB, relation: 'own' },
  { n: 12, title: FB, style: 'supplemental', counter: 1, sidecar: 'Screenshot_20231027_123303_Facebook.jpg.supple(1).json', media: 'Screenshot_20231027_123303_Facebook(1).jpg', relation: 'own' },
  { n: 13, title: 'Screenshot_2017-07-05-10-05-26.png', style: 'supplemental', counter: null, sidecar: 'Screenshot_2017-07-05-10-05-26.png.supplementa.json', media: 'Screenshot_2017-07-05-10-05-26.png', relation: 'own' },
  { n: 14, title: 'Screenshot_20241227_105539_Edge.jpg', style: 'supplemental', counter: null, sidecar: 'Screenshot_20241227_105539_Edge.jpg.supplement.json', media: 'Screenshot_20241227_105539_Edge.jpg', relation: 'own' },
  { n: 15, title: 'D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg', style: 'supplemental', counter: null, sidecar: 'D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg.supp.json', media: 'D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg', relation: 'own' },
  { n: 16, title: SNAP, style: 'supplemental', counter: null, sidecar: 'Screenshot_20220207_102421_com.snapchat.androi.json', media: SNAP, relation: 'own' },
  { n: 17, title: 'Screenshot_2024-08-31-00-53-48-647_com.snapchat.jpg', style: 'classic', counter: null, sidecar: 'Screenshot_2024-08-31-00-53-48-647_com.snapcha.json', media: 'Screenshot_2024-08-31-00-53-48-647_com.snapchat.jpg', relation: 'own' },
  { n: 18, title: '05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg', style: 'classic', counter: null, sidecar: '05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jp.json', media: '05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg', relation: 'own' },
  { n: 19, title: 'Urlaub in Knaufspesch in der Schneifel (38).JPG', style: 'classic', counter: null, sidecar: 'Urlaub in Knaufspesch in der Schneifel (38).JP.json', media: 'Urlaub in Knaufspesch in der Schneifel (38).JPG', relation: 'own' },
  { n: 20, title: 'alignment-temple-5D-32-temple-V-reconstructed.png', style: 'classic', counter: null, sidecar: 'alignment-temple-5D-32-temple-V-reconstructed..json', media: 'alignment-temple-5D-32-temple-V-reconstructed.png', relation: 'own' },
  { n: 21, title: '13039_327707840323_537645323_9470255_27214_n.jpg', style: 'classic', counter: 1, sidecar: '13039_327707840323_537645323_9470255_27214_n.j(1).json', media: '13039_327707840323_537645323_9470255_27214_n(1).jpg', relation: 'own' },
  { n: 22, title: 'PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg', style: 'classic', counter: null, sidecar: 'PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json', media: 'PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg', relation: 'truncated' },
  { n: 23, title: EMOJI_TITLE, style: 'classic', counter: null, sidecar: `${EMOJI}.json`, media: `${EMOJI}😛.jpg`, relation: 'truncated' },
  { n: 24, title: BACKYARD, style: 'classic', counter: 494, sidecar: 'Backyard_ceremony_wedding_photography_xxxxxxx_(494).json', media: 'Backyard_ceremony_wedding_photography_xxxxxxx_m(494).jpg', relation: 'truncated' },
  { n: 25, title: ORIGINAL, style: 'classic', counter: null, sidecar: 'original_1d4caa6f-16c6-4c3d-901b-9387de10e528_.json', media: ORIGINAL, relation: 'own' },
  { n: 26, title: ORIGINAL, style: 'classic', counter: null, sidecar: 'original_1d4caa6f-16c6-4c3d-901b-9387de10e528_.json', media: 'original_1d4caa6f-16c6-4c3d-901b-9387de10e528_P(1).jpg', relation: 'duplicate' },
  { n: 27, title: 'PXL_20220405_090123740.PORTRAIT.jpg', style: 'classic', counter: null, sidecar: 'PXL_20220405_090123740.PORTRAIT.jpg.json', media: 'PXL_20220405_090123740.PORTRAIT-modifié.jpg', relation: 'edited' },
  { n: 28, title: 'IMAG0061.JPG', style: 'supplemental', counter: null, sidecar: 'IMAG0061.JPG.supplemental-metadata.json', media: 'IMAG0061-edited.JPG', relation: 'edited' },
  { n: 29, title: 'IMG-20230325-WA0122~2.jpg', style: 'supplemental', counter: null, sidecar: 'IMG-20230325-WA0122~2.jpg.supplemental-metadat.json', media: 'IMG-20230325-WA0122~2-edited.jpg', relation: 'edited' },
  { n: 30, title: '2234089303984509579', style: 'supplemental', counter: null, sidecar: '2234089303984509579.supplemental-metadata.json', media: '2234089303984509579-edited.jpg', relation: 'edited' },
  { n: 31, title: FB, style: 'supplemental', counter: null, sidecar: 'Screenshot_20231027_123303_Facebook.jpg.supple.json', media: 'Screenshot_20231027_123303_Facebook-edited.jpg', relation: 'edited' },
  { n: 32, title: 'PXL_20231118_035751175.MP.jpg', style: 'classic', counter: null, sidecar: 'PXL_20231118_035751175.MP.jpg.json', media: 'PXL_20231118_035751175.MP.jpg', relation: 'own' },
  { n: 33, title: 'PXL_20210102_221126856.MP.jpg', style: 'classic', counter: null, sidecar: 'PXL_20210102_221126856.MP.jpg.json', media: 'PXL_20210102_221126856.MP', relation: 'motion-video' },
  { n: 34, title: 'PXL_20210102_221126856.MP~2.jpg', style: 'classic', counter: null, sidecar: 'PXL_20210102_221126856.MP~2.jpg.json', media: 'PXL_20210102_221126856.MP~2.jpg', relation: 'own' },
  { n: 35, title: 'IMG_4573.HEIC', style: 'classic', counter: null, sidecar: 'IMG_4573.HEIC.json', media: 'IMG_4573.MP4', relation: 'live-video' },
  { n: 36, title: 'IMG_2367.HEIC', style: 'supplemental', counter: null, sidecar: 'IMG_2367.HEIC.supplemental-metadata.json', media: 'IMG_2367.MP4', relation: 'live-video' },
  { n: 37, title: '20030616', style: 'classic', counter: null, sidecar: '20030616.json', media: '20030616.jpg', relation: 'own' },
  { n: 38, title: 'IMG_20210704_094147.jpg', style: 'supplemental', counter: 1, sidecar: 'IMG_20210704_094147.jpg.supplemental-metadata(1).json', media: 'IMG_20210704_094147(1).jpg', relation: 'own' },
  { n: 39, title: 'PXL_20231006_063909898.LS.mp4', style: 'classic', counter: null, sidecar: 'PXL_20231006_063909898.LS.mp4.json', media: 'PXL_20231006_063909898.LS.mp4', relation: 'own' },
  { n: 40, title: 'signal-2020-10-26-163832.gif.jpg', style: 'classic', counter: null, sidecar: 'signal-2020-10-26-163832.gif.jpg.json', media: 'signal-2020-10-26-163832.gif.jpg', relation: 'own' },
];

/** Rows whose media is a companion or copy: its name is not the title's own (rule B does not apply). */
const COMPANION: ReadonlySet<MediaRelation> = new Set(['edited', 'motion-video', 'live-video', 'duplicate']);

describe('takeout: sidecar matching, the §1.8 table', () => {
  it('has all 40 rows', () => {
    expect(ROWS.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  for (const row of ROWS) {
    it(`#${row.n}: ${row.media} ↔ ${row.sidecar}`, () => {
      // Rule A builds the observed sidecar name from the title; rule B the observed media name.
      expect(sidecarName(row.title, row.counter, row.style)).toBe(row.sidecar);
      if (!COMPANION.has(row.relation)) {
        const names = mediaNames(row.title, row.counter);
        // A title without an extension gets one added to the media (#37).
        const onDisk = row.title.includes('.') ? row.media : row.media.replace(/\.[^.]+$/, '');
        expect([names.full, ...names.truncated]).toContain(onDisk);
      }
      const result = matchTakeout([media(row.media), sidecar(row.sidecar, row.title)]);
      expect(result.media.get(0)).toMatchObject({ sidecar: 1, relation: row.relation });
      expect(result.orphanSidecars).toEqual([]);
      expect(result.unmatchedMedia).toEqual([]);
    });
  }

  it('matches every row at once in one folder, each media to its own sidecar', () => {
    // Rows sharing a sidecar name (11/31, 25/26, 33's still) are one sidecar in a real folder.
    const sidecars = new Map<string, string>();
    for (const row of ROWS) sidecars.set(row.sidecar, row.title);
    const entries = [...ROWS.map((r) => media(r.media)), ...[...sidecars].map(([name, title]) => sidecar(name, title))];
    const result = matchTakeout(entries);
    ROWS.forEach((row, i) => {
      const m = result.media.get(i);
      expect(m, `#${row.n}`).toBeDefined();
      expect(entries[m!.sidecar!]!.relPath, `#${row.n}`).toBe(DIR + row.sidecar);
      expect(m!.relation, `#${row.n}`).toBe(row.relation);
    });
  });
});

describe('takeout: sidecar matching, negative cases', () => {
  const NEGATIVE: readonly { media: string; sidecar: string; title: string }[] = [
    { media: 'PXL_20211013_220651958.jpg', sidecar: 'PXL_20211013_220651983.jpg.json', title: 'PXL_20211013_220651983.jpg' },
    { media: 'DSC_0102(1).JPG', sidecar: 'DSC_0102.JPG(2).json', title: 'DSC_0102.JPG' },
    { media: 'DSC_0103.JPG', sidecar: 'DSC_0103.JPG(1).json', title: 'DSC_0103.JPG' },
    { media: 'DSC_0104(1).JPG', sidecar: 'DSC_0104.JPG.json', title: 'DSC_0104.JPG' },
    { media: 'Backyard_ceremony_wedding_photography_xxxxxxx_m(185).jpg', sidecar: 'Backyard_ceremony_wedding_photography_xxxxxxx_(494).json', title: BACKYARD },
    { media: 'PXL_20220405_090123741.PORTRAIT-modifié.jpg', sidecar: 'PXL_20220405_090123740.PORTRAIT.jpg.json', title: 'PXL_20220405_090123740.PORTRAIT.jpg' },
  ];
  for (const c of NEGATIVE) {
    it(`${c.media} ✗ ${c.sidecar}`, () => {
      const result = matchTakeout([media(c.media), sidecar(c.sidecar, c.title)]);
      expect(result.media.has(0)).toBe(false);
      expect(result.unmatchedMedia).toEqual([0]);
      expect(result.orphanSidecars).toEqual([1]);
    });
  }

  it('does not take "(38)" in a title for a counter, nor give a "(38)" file a counter-less sidecar', () => {
    const title = 'Party (38).jpg';
    const result = matchTakeout([media('Party (38).jpg'), media('Party.jpg'), sidecar(sidecarName(title, null, 'classic'), title)]);
    expect(result.media.get(0)).toMatchObject({ sidecar: 2, relation: 'own' });
    expect(result.unmatchedMedia).toEqual([1]);
  });
});

describe('takeout: sidecar matching, companions and folders', () => {
  it('links an edited copy to its original and shares the sidecar; the Live Photo video goes with its still', () => {
    const entries = [
      media('IMG_4573.HEIC'),
      media('IMG_4573.MP4'),
      media('IMG_4573-edited.HEIC'),
      media('IMG_4573-bearbeitet.jpg'),
      sidecar('IMG_4573.HEIC.json', 'IMG_4573.HEIC'),
    ];
    const result = matchTakeout(entries);
    expect(result.media.get(0)).toEqual({ sidecar: 4, relation: 'own', partner: null });
    expect(result.media.get(1)).toEqual({ sidecar: 4, relation: 'live-video', partner: 0 });
    expect(result.media.get(2)).toEqual({ sidecar: 4, relation: 'edited', partner: 0 });
    expect(result.media.get(3)).toEqual({ sidecar: 4, relation: 'edited', partner: 0 });
    expect(result.owner.get(4)).toBe(0);
  });

  it('accepts an edited suffix cut short only on a name long enough to have been cut', () => {
    const title = '123456789123456789123456789123456_DSCN0091.JPG';
    const long = matchTakeout([media('123456789123456789123456789123456_DSCN0091-ha edi.JPG'), sidecar(sidecarName(title, null, 'classic'), title)]);
    expect(long.media.get(0)?.relation).toBe('edited');
    const short = matchTakeout([media('IMG_1-ha edi.JPG'), sidecar('IMG_1.JPG.json', 'IMG_1.JPG')]);
    expect(short.media.has(0)).toBe(false);
  });

  it('groups a video with a still of the same stem even when neither has a sidecar', () => {
    const result = matchTakeout([media('IMG_1.HEIC'), media('IMG_1.MOV')]);
    expect(result.media.get(1)).toEqual({ sidecar: null, relation: 'live-video', partner: 0 });
    expect(result.unmatchedMedia).toEqual([0]);
  });

  it('matches only within a folder', () => {
    const result = matchTakeout([
      { relPath: 'Album/IMG_1.jpg', kind: 'photo', json: null },
      { relPath: 'Photos from 2020/IMG_1.jpg.json', kind: 'sidecar', json: { role: 'asset', title: 'IMG_1.jpg', takenMs: 1 } },
    ]);
    expect(result.unmatchedMedia).toEqual([0]);
  });

  it('re-links a JSON-only album entry to its photo in the year folder by title and time', () => {
    const result = matchTakeout([
      { relPath: 'Photos from 2002/mi cocina.JPG', kind: 'photo', json: null },
      { relPath: 'Photos from 2002/mi cocina.JPG.json', kind: 'sidecar', json: { role: 'asset', title: 'mi cocina.JPG', takenMs: 5000 } },
      { relPath: 'Cocina/mi cocina.JPG.json', kind: 'sidecar', json: { role: 'asset', title: 'mi cocina.JPG', takenMs: 5000 } },
      { relPath: 'Cocina/metadatos.json', kind: 'sidecar', json: { role: 'album', title: 'Cocina' } },
    ]);
    expect(result.relinked.get(2)).toBe(0);
    expect(result.orphanSidecars).toEqual([]);
    expect(result.albumJson.get('Cocina/')).toBe(3);
  });

  it('finds a sidecar its title does not reproduce by the longest name prefix with the same counter', () => {
    // An extractor shortened the name past Google's rule; the title is still whole.
    const title = 'Screenshot_2022-04-21_abb9c8060a0a12c5ac89e934e52a2f4f.jpg';
    const result = matchTakeout([media(title), sidecar('Screenshot_2022-04-21_abb9c8060a0a.json', title.replace('.jpg', '.png'))]);
    expect(result.media.get(0)).toMatchObject({ sidecar: 1, relation: 'prefix' });
  });

  it('pairs generated exports completely, in any order (property)', () => {
    const titleArb = fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9_ ~-]{1,70}$/), fc.constantFrom('.jpg', '.HEIC', '.png', '.mp4', ''))
      .map(([b, e]) => `${b.trim() || 'x'}${e}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ title: titleArb, counter: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }), style: fc.constantFrom<SidecarStyle>('classic', 'supplemental') }), {
          minLength: 1,
          maxLength: 25,
          selector: (r) => mediaNames(r.title, r.counter).full.toLowerCase(),
        }),
        fc.integer(),
        (items, seed) => {
          const entries: MatchEntry[] = [];
          const want = new Map<number, number>();
          const taken = new Set<string>();
          for (const it of items) {
            const { full, truncated } = mediaNames(it.title, it.counter);
            const shortened = (seed & 1) === 1 && truncated[0] ? truncated[0] : full;
            const mediaName = shortened.includes('.') ? shortened : `${shortened}.jpg`;
            const jsonName = sidecarName(it.title, it.counter, it.style);
            // Two files of the same name cannot both exist in one real folder (a title
            // without extension, given one here, can meet another item's file name).
            const names = [mediaName.toLowerCase(), jsonName.toLowerCase()];
            if (names.some((n) => taken.has(n))) continue;
            for (const n of names) taken.add(n);
            want.set(entries.length, entries.length + 1);
            entries.push(media(mediaName), sidecar(jsonName, it.title));
          }
          const result = matchTakeout(entries);
          for (const [m, s] of want) expect(result.media.get(m)?.sidecar).toBe(s);
        },
      ),
      {
        numRuns: 200,
        // Found by CI: a title without extension ("~", given ".jpg" here) beside the title "~.jpg".
        examples: [
          [
            [
              { title: '~', counter: null, style: 'classic' },
              { title: '~.jpg', counter: null, style: 'classic' },
              { title: 'a.jpg', counter: null, style: 'classic' },
            ],
            0,
          ],
        ],
      },
    );
  });
});
