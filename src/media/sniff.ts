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

/** What the magic bytes (hex of the first 16 bytes) say the file is, when they say anything. */
export function sniffFamily(magicHex: string): Family | null {
  const b = Buffer.from(magicHex, 'hex');
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (b.length >= 6 && b.toString('latin1', 0, 4) === 'GIF8') return 'gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF') {
    const kind = b.toString('latin1', 8, 12);
    if (kind === 'WEBP') return 'webp';
    if (kind === 'AVI ') return 'avi';
  }
  if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return 'matroska';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === 'II*\u0000' || b.toString('latin1', 0, 4) === 'MM\u0000*')) return 'tiff';
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') {
    const brand = b.toString('latin1', 8, 12);
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heif';
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (brand === 'qt  ') return 'quicktime';
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
