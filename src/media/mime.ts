/**
 * The Content-Type to store a file under, by extension. Cloud drives preview and index by the
 * type they were given, so a JPEG sent as application/octet-stream is a blob to them.
 */
import { extensionOf } from './kinds.ts';

const MIME_BY_EXT: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', jpe: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
  heic: 'image/heic', heif: 'image/heif', hif: 'image/heif', avif: 'image/avif', jxl: 'image/jxl', bmp: 'image/bmp',
  tif: 'image/tiff', tiff: 'image/tiff', dng: 'image/x-adobe-dng', cr2: 'image/x-canon-cr2', cr3: 'image/x-canon-cr3',
  nef: 'image/x-nikon-nef', arw: 'image/x-sony-arw', raf: 'image/x-fuji-raf', rw2: 'image/x-panasonic-rw2', orf: 'image/x-olympus-orf',
  psd: 'image/vnd.adobe.photoshop',
  mov: 'video/quicktime', mp4: 'video/mp4', m4v: 'video/x-m4v', '3gp': 'video/3gpp', '3g2': 'video/3gpp2', avi: 'video/x-msvideo',
  mkv: 'video/x-matroska', webm: 'video/webm', mts: 'video/mp2t', m2ts: 'video/mp2t', mpg: 'video/mpeg', mpeg: 'video/mpeg', wmv: 'video/x-ms-wmv',
  xmp: 'application/rdf+xml', aae: 'application/xml', json: 'application/json', wav: 'audio/wav',
};

export function mimeTypeOf(name: string): string {
  return MIME_BY_EXT[extensionOf(name)] ?? 'application/octet-stream';
}
