import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeoutCapture, impliedOffset } from '../../../src/sources/takeout/capture.ts';
import { isYearFolder, stripEditedSuffix, takeoutRelPath, utf16Prefix, utf16PrefixCeil } from '../../../src/sources/takeout/names.ts';
import { readTakeoutJson } from '../../../src/sources/takeout/sidecar-json.ts';
import { parseSidecarName, ruleACounter, sidecarName } from '../../../src/sources/takeout/sidecar-name.ts';

describe('takeout: names', () => {
  it('cuts UTF-16 prefixes on whole code points, down or up (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 1, max: 80 }), (text, units) => {
        const floor = utf16Prefix(text, units);
        const ceil = utf16PrefixCeil(text, units);
        expect(text.startsWith(floor) && text.startsWith(ceil)).toBe(true);
        expect(floor.length).toBeLessThanOrEqual(units);
        expect(ceil.length).toBeLessThanOrEqual(units + 1);
        // Never half a surrogate pair.
        for (const cut of [floor, ceil]) expect(/[\uD800-\uDBFF]$/.test(cut)).toBe(false);
        if (text.length <= units) expect(floor).toBe(text);
      }),
    );
  });

  it('gives members a recognisable relPath: no Takeout/ nor localized container, NFC, no trailing dots or spaces', () => {
    expect(takeoutRelPath('Takeout/Google Photos/Photos from 2020/a.jpg')).toBe('Photos from 2020/a.jpg');
    expect(takeoutRelPath('Takeout/Zdjęcia Google/Album/a.jpg')).toBe('Album/a.jpg');
    expect(takeoutRelPath('Zdjęcia Google/Album/a.jpg'.normalize('NFD'))).toBe('Album/a.jpg');
    expect(takeoutRelPath('Takeout/Google Фото/Fotos de /a.jpg')).toBe('Fotos de/a.jpg');
    expect(takeoutRelPath('Takeout/Drive/a.jpg')).toBe('Drive/a.jpg');
    expect(takeoutRelPath('Google Photos')).toBe('Google Photos');
    expect(takeoutRelPath('Takeout/../../etc/passwd')).toBeNull();
    expect(takeoutRelPath('C:\\x\\a.jpg')).toBeNull();
  });

  it('knows year folders in several languages, and edited suffixes, cut ones only on long names', () => {
    for (const y of ['Photos from 2020', 'Fotos del 1999', 'Fotos von 2001', 'Photos de 2019', '2020年的照片']) expect(isYearFolder(y), y).toBe(true);
    for (const a of ['Album 2020', 'Photos', 'Trip from 2020 to 2021']) expect(isYearFolder(a), a).toBe(false);
    expect(stripEditedSuffix('IMG_1-edited')).toBe('IMG_1');
    expect(stripEditedSuffix('IMG_1-Bearbeitet')).toBe('IMG_1');
    expect(stripEditedSuffix('IMG_1-ha edi')).toBeNull();
    expect(stripEditedSuffix('123456789123456789123456789123456789_DSCN0-ha edi')).toBe('123456789123456789123456789123456789_DSCN0');
  });

  it('reads sidecar names back: counters, cut suffixes, the double dot, a counter before the suffix', () => {
    expect(parseSidecarName('IMG_1.jpg.supplemental-metadata(2).json')).toEqual({ stem: 'IMG_1.jpg', counter: 2 });
    expect(parseSidecarName('IMG_1.jpg.supp.json')).toEqual({ stem: 'IMG_1.jpg', counter: null });
    expect(parseSidecarName('alignment-temple-5D-32-temple-V-reconstructed..json')).toEqual({ stem: 'alignment-temple-5D-32-temple-V-reconstructed', counter: null });
    expect(parseSidecarName('IMG_2367.HEIC(1).supplemental-metadata.json')).toEqual({ stem: 'IMG_2367.HEIC', counter: 1 });
    expect(parseSidecarName('IMG_1.jpg')).toBeNull();
    // A "(2)" that belongs to an extension-less title is not a counter.
    expect(ruleACounter('IMG (2).json', 'IMG (2)')).toEqual({ counter: null });
    expect(ruleACounter('IMG.jpg(2).json', 'IMG.jpg')).toEqual({ counter: 2 });
    expect(ruleACounter('other.json', 'IMG.jpg')).toBeNull();
  });

  it('rule A keeps the counter and ".json" whole whatever the title length (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), fc.option(fc.integer({ min: 1, max: 999 }), { nil: null }), fc.boolean(), (title, counter, supp) => {
        const name = sidecarName(title, counter, supp ? 'supplemental' : 'classic');
        const tail = `${counter === null ? '' : `(${counter})`}.json`;
        expect(name.endsWith(tail)).toBe(true);
        expect(name.length - tail.length).toBeLessThanOrEqual(46);
        expect(ruleACounter(name, title)).not.toBeNull();
      }),
    );
  });
});

describe('takeout: JSON by content', () => {
  it('tells asset, album and other JSON apart whatever the file is called', () => {
    expect(readTakeoutJson('{"title":"a.jpg","photoTakenTime":{"timestamp":"1600000000"},"url":"u"}')).toEqual({ role: 'asset', title: 'a.jpg', takenMs: 1_600_000_000_000 });
    expect(readTakeoutJson('{"title":"a.jpg","photoTakenTime":{"timestamp":"0"}}')).toEqual({ role: 'asset', title: 'a.jpg', takenMs: null });
    expect(readTakeoutJson('{"title":"Urlaub","date":{"timestamp":"0"}}')).toEqual({ role: 'album', title: 'Urlaub' });
    expect(readTakeoutJson('{"albumData":{"title":"Old style"}}')).toEqual({ role: 'album', title: 'Old style' });
    expect(readTakeoutJson('{"title":"x","url":"https://photos.google.com/x"}')).toEqual({ role: 'other' });
    expect(readTakeoutJson('{\n}')).toEqual({ role: 'other' });
    expect(readTakeoutJson('not json')).toEqual({ role: 'other' });
  });
});

describe('takeout: capture dates', () => {
  const instant = Date.parse('2020-05-16T13:48:12Z');

  it('shows photoTakenTime at the offset the file states, else one its local clock implies, else UTC', () => {
    expect(takeoutCapture(instant, { local: '2019-01-01T00:00:00', offset: '+09:00', source: 'exif' }, 'x.jpg', 0)).toEqual({ local: '2020-05-16T22:48:12', offset: '+09:00', source: 'takeout-json' });
    expect(takeoutCapture(instant, { local: '2020-05-16T15:48:12', offset: null, source: 'exif' }, 'x.jpg', 0)).toEqual({ local: '2020-05-16T15:48:12', offset: '+02:00', source: 'takeout-json' });
    expect(takeoutCapture(instant, null, 'IMG_20200516_154811.jpg', 0)).toEqual({ local: '2020-05-16T15:48:12', offset: '+02:00', source: 'takeout-json' });
    // PXL_ names are UTC: they say nothing about the local zone.
    expect(takeoutCapture(instant, null, 'PXL_20200516_134812000.jpg', 0)).toEqual({ local: '2020-05-16T13:48:12', offset: '+00:00', source: 'takeout-json' });
    expect(takeoutCapture(instant, null, 'x.png', 0)).toEqual({ local: '2020-05-16T13:48:12', offset: '+00:00', source: 'takeout-json' });
    expect(takeoutCapture(null, null, 'IMG_20200516_154811.jpg', 0).source).toBe('filename');
  });

  it('does not take a date corrected in Google Photos for a time zone', () => {
    expect(impliedOffset(instant, '2020-05-18T15:48:12')).toBeNull(); // two days off
    expect(impliedOffset(instant, '2020-05-16T15:55:12')).toBeNull(); // not a quarter hour
    expect(impliedOffset(instant, '2020-05-16T19:18:12')).toBe('+05:30');
  });
});
