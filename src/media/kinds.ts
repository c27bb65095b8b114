/** What a file is, judged by its extension (content sniffing lives in sniff.ts). */
import type { MediaClass } from '../sources/types.ts';

const PHOTO = [
  'jpg', 'jpeg', 'jpe', 'heic', 'heif', 'hif', 'avif', 'png', 'gif', 'webp', 'tif', 'tiff', 'bmp',
  'dng', 'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'raf', 'rw2', 'orf', 'pef', 'srw',
  'x3f', '3fr', 'erf', 'kdc', 'mos', 'mrw', 'iiq', 'jxl', 'psd',
];
const VIDEO = ['mov', 'mp4', 'm4v', '3gp', '3g2', 'avi', 'mkv', 'webm', 'mts', 'm2ts', 'mpg', 'mpeg', 'wmv', 'mp', 'mv', 'insv'];
const SIDECAR = ['aae', 'xmp', 'thm', 'json', 'wav'];

const CLASS_BY_EXT = new Map<string, MediaClass>([
  ...PHOTO.map((e): [string, MediaClass] => [e, 'photo']),
  ...VIDEO.map((e): [string, MediaClass] => [e, 'video']),
  ...SIDECAR.map((e): [string, MediaClass] => [e, 'sidecar']),
]);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function mediaClassOf(name: string): MediaClass {
  return CLASS_BY_EXT.get(extensionOf(name)) ?? 'other';
}

/** The default include rule: photos, videos and their sidecars. */
export function isMediaFile(name: string): boolean {
  return mediaClassOf(name) !== 'other';
}

/** Files that operating systems and NAS boxes leave behind; never photos. */
export function isJunk(name: string): boolean {
  return (
    name === '.DS_Store' ||
    name === 'Thumbs.db' ||
    name === 'desktop.ini' ||
    name === '@eaDir' ||
    name === '.Spotlight-V100' ||
    name === '.Trashes' ||
    name === '.fseventsd' ||
    name === '$RECYCLE.BIN' ||
    name === 'System Volume Information' ||
    name.startsWith('._') ||
    name.startsWith('.photosync-')
  );
}
