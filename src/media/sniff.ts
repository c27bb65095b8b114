/**
 * Content sniffing: the first bytes say what a file really is. A JPEG named .HEIC (Google Photos
 * recompresses and keeps the name) or an AVI named .mp4 is reported; the original name is kept.
 */
import { extensionOf } from './kinds.ts';

type Family = 'jpeg' | 'png' | 'gif' | 'webp' | 'heif' | 'avif' | 'tiff' | 'quicktime' | 'mp4' | 'avi' | 'matroska';

const EXT_FAMILY: Record<string, Family> = {
  jpg: 'jpeg', jpeg: 'jpeg', jpe: 'jpeg',
  png: 'png', gif: 'gif', webp: 'webp',
  heic: 'heif', heif: 'heif', hif: 'heif', avif: 'avif',
  tif: 'tiff', tiff: 'tiff',
  mov: 'quicktime', mp4: 'mp4', m4v: 'mp4', '3gp': 'mp4', '3g2': 'mp4',
  avi: 'avi', mkv: 'matroska', webm: 'matroska',
};

const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].map(hex));
const [GIF8, RIFF, WEBP, AVI, FTYP, TIFF_LE, TIFF_BE, AVIF, AVIS, QT] = [
  'GIF8', 'RIFF', 'WEBP', 'AVI ', 'ftyp', 'II*\u0000', 'MM\u0000*', 'avif', 'avis', 'qt  ',
].map(hex) as [string, string, string, string, string, string, string, string, string, string];

/**
 * What the magic bytes (hex of the first 16 bytes) say the file is, when they say anything.
 * Compared as hex text: this runs for every file of every scan, so it allocates nothing.
 */
export function sniffFamily(m: string): Family | null {
  if (m.startsWith('ffd8ff')) return 'jpeg';
  if (m.startsWith('89504e470d0a1a0a')) return 'png';
  if (m.startsWith(GIF8)) return 'gif';
  if (m.startsWith(RIFF)) {
    if (m.startsWith(WEBP, 16)) return 'webp';
    if (m.startsWith(AVI, 16)) return 'avi';
  }
  if (m.startsWith('1a45dfa3')) return 'matroska';
  if (m.startsWith(TIFF_LE) || m.startsWith(TIFF_BE)) return 'tiff';
  if (m.startsWith(FTYP, 8) && m.length >= 24) {
    const brand = m.slice(16, 24);
    if (HEIF_BRANDS.has(brand)) return 'heif';
    if (brand === AVIF || brand === AVIS) return 'avif';
    if (brand === QT) return 'quicktime';
    return 'mp4';
  }
  return null;
}

/** A note when the extension names another format than the content, else null. */
export function sniffMismatch(name: string, magicHex: string): string | null {
  const claimed = EXT_FAMILY[extensionOf(name)];
  const actual = sniffFamily(magicHex);
  if (!claimed || !actual || claimed === actual) return null;
  // MP4 and QuickTime share the container; phones write either under either name.
  if ((claimed === 'mp4' || claimed === 'quicktime') && (actual === 'mp4' || actual === 'quicktime')) return null;
  return `named .${extensionOf(name)} but the content is ${actual.toUpperCase()}`;
}
