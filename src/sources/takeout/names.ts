/**
 * Names in a Takeout export: how a member path becomes the relPath users see, and the folder
 * kinds (year folders, special folders, albums) that decide album membership. Google's names are
 * measured in UTF-16 code units, so every length here is too.
 */

/** The first `units` UTF-16 code units of `text`, never splitting a surrogate pair (rounds down). */
export function utf16Prefix(text: string, units: number): string {
  if (text.length <= units) return text;
  const code = text.charCodeAt(units - 1);
  // A high surrogate as the last unit kept would be half a code point: drop it.
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, units - 1) : text.slice(0, units);
}

/** Like utf16Prefix, but a code point cut in half is kept whole (rounds up). */
export function utf16PrefixCeil(text: string, units: number): string {
  const floor = utf16Prefix(text, units);
  return floor.length < units && text.length > units ? text.slice(0, units + 1) : floor;
}

/**
 * One path segment as GPTH reads it: NFC (macOS tools write NFD), without the trailing spaces and
 * dots Takeout sometimes leaves on folder names ("Fotos de ").
 */
export function normaliseSegment(segment: string): string {
  return segment.normalize('NFC').replace(/[ .]+$/u, '');
}

/** Localized names of the Google Photos folder inside Takeout/ (lower case). */
const CONTAINERS = new Set([
  'google photos',
  'google photo',
  'google foto',
  'google fotos',
  'google fotoğraflar',
  'zdjęcia google',
  'fotky google',
  'fotos de google',
  'photos google',
  'google фото',
  'google снимки',
  'google 相册',
  'google 相簿',
  'google 相片',
  'google フォト',
  'google 포토',
]);

export function isContainerName(segment: string): boolean {
  return CONTAINERS.has(segment.toLowerCase());
}

/**
 * The relPath of a member: its segments normalised, with the `Takeout/` folder and the localized
 * Google Photos folder taken off, so "Takeout/Zdjęcia Google/Photos from 2020/a.jpg" and an
 * extracted "Google Photos/Photos from 2020/a.jpg" are both "Photos from 2020/a.jpg": the same
 * photo keeps one name whichever part, archive or language it came in. Other Takeout products
 * ("Takeout/Drive/…") keep their folder. Empty segments (a trailing "/") are dropped; null for a
 * name that is not a safe relative path.
 */
export function takeoutRelPath(memberPath: string): string | null {
  const raw = memberPath.replace(/\\/g, '/').split('/').filter((s) => s !== '');
  if (raw.some((s) => s === '..') || /^[a-z]:/i.test(raw[0] ?? '')) return null;
  const segments = raw.map(normaliseSegment).filter((s) => s !== '');
  if (segments.length === 0) return null;
  let start = 0;
  if (segments.length > 1 && segments[0]!.toLowerCase() === 'takeout') start = 1;
  if (segments.length > start + 1 && isContainerName(segments[start]!)) start++;
  return segments.slice(start).join('/');
}

/** "Photos from 2020" and its translations: Google's own year folders, not albums. */
const YEAR_FOLDER = [
  /^(?:photos from|photos de|photos du|photos des|fotos del|fotos de|fotos do|fotos da|fotos von|fotos aus|foto dal|foto del|foto's uit|foto's van|zdjęcia z|фото за|фото из|fotky z)\s+(?:18|19|20)\d{2}$/iu,
  /^(?:18|19|20)\d{2}\s*(?:年的照片|年の写真|년의 사진)$/u,
];

export function isYearFolder(segment: string): boolean {
  return YEAR_FOLDER.some((re) => re.test(segment));
}

/** Google's own folders that are not albums (GPTH `specialFolders`, plus "Failed Videos"). */
const SPECIAL_FOLDERS = new Set([
  'locked folder', 'archive', 'trash', 'bin', 'failed videos', 'archivo', 'papelera', 'arquivo', 'lixeira',
  'archivio', 'cestino', 'corbeille', 'archiv', 'papierkorb', 'archief', 'prullenbak', 'архив', 'корзина',
  'archiwum', 'kosz', '档案', '回收站', 'アーカイブ', 'ゴミ箱', 'arxiu', 'paperera',
]);

export function isSpecialFolder(segment: string): boolean {
  return SPECIAL_FOLDERS.has(segment.toLowerCase());
}

/**
 * The localized suffixes Google Photos gives an edited copy ("IMG_1-edited.jpg"), from GPTH's
 * extra_formats.dart and PhotoMigrator's EDITTED_SUFFIXES; lower case.
 */
export const EDITED_SUFFIXES: readonly string[] = [
  '-edited', '-effects', '-bearbeitet', '-modifié', '-modificato', '-edytowane', '-bewerkt', '-編集済み',
  '-ha editado', '-editado', '-editat', '-编辑', '-отредактировано', '-편집됨', '-muokattu', '-redigeret',
  '-upravené', '-відредаговано',
].map((s) => s.normalize('NFC'));

/**
 * The stem of an edited copy without its edited suffix, or null. A suffix cut short ("-ha edi")
 * is accepted only on a stem long enough to have been cut by Google's 47-unit limit.
 */
export function stripEditedSuffix(stem: string): string | null {
  const lower = stem.toLowerCase();
  for (const suffix of EDITED_SUFFIXES) {
    if (lower.endsWith(suffix) && lower.length > suffix.length) return stem.slice(0, stem.length - suffix.length);
  }
  if (stem.length < 46) return null;
  const dash = lower.lastIndexOf('-');
  if (dash <= 0) return null;
  const tail = lower.slice(dash);
  if (tail.length >= 3 && EDITED_SUFFIXES.some((s) => s.startsWith(tail))) return stem.slice(0, dash);
  return null;
}

/** "IMG_1(2)" → { stem: "IMG_1", counter: 2 }; no counter → counter null. */
export function splitCounter(stem: string): { stem: string; counter: number | null } {
  const m = /^(.*)\((\d{1,5})\)$/su.exec(stem);
  return m && m[1] !== '' ? { stem: m[1]!, counter: Number(m[2]) } : { stem, counter: null };
}

/** "a.b.jpg" → ["a.b", ".jpg"]; a name whose last dot starts no plausible extension has none. */
export function splitExtension(name: string): { base: string; ext: string } {
  const m = /^(.+?)(\.[\p{L}\p{N}_]{1,7})$/u.exec(name);
  return m ? { base: m[1]!, ext: m[2]! } : { base: name, ext: '' };
}
