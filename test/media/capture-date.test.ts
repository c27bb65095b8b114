import { describe, expect, it } from 'vitest';
import { captureFromMtime, exifCaptureDate, filenameCaptureDate, parseExifDateTime } from '../../src/media/capture-date.ts';
import { embeddedCaptureDate } from '../../src/media/embedded-date.ts';
import { quickTimeCaptureDate } from '../../src/media/quicktime.ts';
import { sniffMismatch } from '../../src/media/sniff.ts';
import { jpeg, movie } from '../helpers/media.ts';

describe('media: capture date', () => {
  it('reads DateTimeOriginal with its offset, as written, whatever the host time zone', async () => {
    const photo = jpeg({ exif: { dateTimeOriginal: '2019:10:20 18:34:30', offsetTimeOriginal: '+02:00' } });
    expect(await embeddedCaptureDate(photo, '/unused', photo.length, 'photo')).toEqual({
      local: '2019-10-20T18:34:30',
      offset: '+02:00',
      source: 'exif',
    });
  });

  it('infers the offset from GPS time when the camera wrote none', async () => {
    const photo = jpeg({ exif: { dateTimeOriginal: '2019:08:21 10:57:23', gpsDate: '2019:08:21', gpsTime: [3, 57, 22.64] } });
    expect(await embeddedCaptureDate(photo, '/unused', photo.length, 'photo')).toMatchObject({ local: '2019-08-21T10:57:23', offset: '+07:00' });
    const across = exifCaptureDate({ DateTimeOriginal: '2020:01:01 01:30:00', GPSDateStamp: '2019:12:31', GPSTimeStamp: [23, 30, 0] });
    expect(across?.offset).toBe('+02:00');
  });

  it('leaves the offset unknown without offset or GPS, and ignores empty dates', async () => {
    const photo = jpeg({ exif: { dateTimeOriginal: '2003:12:14 12:01:44' } });
    expect(await embeddedCaptureDate(photo, '/unused', photo.length, 'photo')).toEqual({ local: '2003-12-14T12:01:44', offset: null, source: 'exif' });
    expect(parseExifDateTime('0000:00:00 00:00:00')).toBeNull();
    expect(parseExifDateTime('2021:02:30 10:00:00')).toBeNull();
    const none = jpeg();
    expect(await embeddedCaptureDate(none, '/unused', none.length, 'photo')).toBeNull();
  });

  it('reads QuickTime dates: Apple creationdate first, then mvhd (1904 epoch, 0 = unset)', async () => {
    const both = movie({ created: '2019-11-14T22:49:24Z', appleCreationDate: '2019-10-20T18:34:30+0200' });
    expect(await quickTimeCaptureDate(both, '/unused', both.length)).toEqual({ local: '2019-10-20T18:34:30', offset: '+02:00', source: 'quicktime' });
    const mvhd = movie({ created: '2019-11-14T22:49:24Z', brand: 'isom' });
    expect(await quickTimeCaptureDate(mvhd, '/unused', mvhd.length)).toEqual({ local: '2019-11-14T22:49:24', offset: '+00:00', source: 'quicktime' });
    const unset = movie({ created: 0 });
    expect(await quickTimeCaptureDate(unset, '/unused', unset.length)).toBeNull();
    expect(await quickTimeCaptureDate(Buffer.from('RIFF....AVI LIST'), '/unused', 16)).toBeNull();
  });

  it('reads dates from file names: PXL_ is UTC, camera names are local', () => {
    expect(filenameCaptureDate('PXL_20231006_063000139.jpg')).toEqual({ local: '2023-10-06T06:30:00', offset: '+00:00', source: 'filename' });
    expect(filenameCaptureDate('IMG_20200516_154811.jpg')).toEqual({ local: '2020-05-16T15:48:11', offset: null, source: 'filename' });
    expect(filenameCaptureDate('20231014_183246_001.jpg')?.local).toBe('2023-10-14T18:32:46');
    expect(filenameCaptureDate('signal-2020-07-18-183333.webm')?.local).toBe('2020-07-18T18:33:33');
    expect(filenameCaptureDate('Screenshot_2017-07-05-10-05-26.png')?.local).toBe('2017-07-05T10:05:26');
    expect(filenameCaptureDate('IMG_0001.JPG')).toBeNull();
    expect(filenameCaptureDate('IMG_20201345_101010.jpg')).toBeNull();
  });

  it('falls back to the mtime as the host saw it', () => {
    const d = captureFromMtime(Date.UTC(2020, 0, 2, 3, 4, 5));
    expect(d.source).toBe('mtime');
    expect(d.local).toMatch(/^20(20-01-0[12]|19-12-31)T\d\d:\d\d:05$/);
  });

  it('notices an extension that lies about the content', () => {
    const jpegMagic = jpeg().subarray(0, 16).toString('hex');
    expect(sniffMismatch('IMG_1.HEIC', jpegMagic)).toBe('named .heic but the content is JPEG');
    expect(sniffMismatch('IMG_1.jpg', jpegMagic)).toBeNull();
    expect(sniffMismatch('clip.mp4', movie({ brand: 'qt  ' }).subarray(0, 16).toString('hex'))).toBeNull();
  });
});
