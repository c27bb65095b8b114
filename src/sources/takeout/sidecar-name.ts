/**
 * Google's naming rules for Takeout sidecars and media, run forward from a JSON's `title`
 * (source-formats.md §1.4):
 * - rule A: sidecar = utf16Prefix(title + S, 46) + counter + ".json", S = "" or ".supplemental-metadata";
 * - rule B: media = title with its base cut to 47 units, the counter after the cut, extension kept.
 * Pure string functions; matching lives in match.ts.
 */
import { normaliseSegment, splitCounter, splitExtension, utf16Prefix, utf16PrefixCeil } from './names.ts';

export const SUPPLEMENTAL = '.supplemental-metadata';
const SIDECAR_UNITS = 46;
const MEDIA_BASE_UNITS = 47;

export type SidecarStyle = 'classic' | 'supplemental';

function counterText(counter: number | null): string {
  return counter === null ? '' : `(${counter})`;
}

/** Rule A: the sidecar name Google writes for `title` (NFC) with duplicate counter `counter`. */
export function sidecarName(title: string, counter: number | null, style: SidecarStyle): string {
  const stem = utf16Prefix(title + (style === 'supplemental' ? SUPPLEMENTAL : ''), SIDECAR_UNITS);
  return `${stem}${counterText(counter)}.json`;
}

/**
 * Rule B: the names the media file of `title` can have on disk, most likely first: the full name
 * and, for a base longer than 47 units, the base cut to 47 (a code point cut in half is seen
 * dropped and kept, so both are offered). Names are normalised like listed names.
 */
export function mediaNames(title: string, counter: number | null): { full: string; truncated: string[] } {
  const { base, ext } = splitExtension(title);
  const c = counterText(counter);
  const full = normaliseSegment(`${base}${c}${ext}`);
  const truncated = new Set<string>();
  if (base.length > MEDIA_BASE_UNITS) {
    for (const cut of [utf16Prefix(base, MEDIA_BASE_UNITS), utf16PrefixCeil(base, MEDIA_BASE_UNITS)]) {
      truncated.add(normaliseSegment(`${cut}${c}${ext}`));
    }
  }
  truncated.delete(full);
  return { full, truncated: [...truncated] };
}

/**
 * The stems a file belonging to `title` can have when its extension differs (a Live Photo's video
 * beside IMG_1.HEIC, IMG_1-edited.jpg, the .MP video of X.MP.jpg) or the title has no extension
 * (title "20030616", media "20030616.jpg"): the title's base with the counter, full and cut.
 */
export function titleStems(title: string, counter: number | null): string[] {
  const { base } = splitExtension(title);
  const c = counterText(counter);
  const stems = new Set([normaliseSegment(base + c)]);
  if (base.length > MEDIA_BASE_UNITS) {
    stems.add(normaliseSegment(utf16Prefix(base, MEDIA_BASE_UNITS) + c));
    stems.add(normaliseSegment(utf16PrefixCeil(base, MEDIA_BASE_UNITS) + c));
  }
  return [...stems];
}

export interface ParsedSidecarName {
  /** What is left of the title in the name: its first ≤46 units (the whole title when short). */
  readonly stem: string;
  readonly counter: number | null;
}

/**
 * Reads a sidecar's file name backwards, for when its title does not reproduce it: strips
 * ".json", a trailing "(n)", and a last dotted segment that is a prefix of "supplemental-metadata"
 * (the empty one of "..json" included); a counter left before that segment (GPTH's
 * "X.HEIC(1).supplemental-metadata.json") counts too.
 */
export function parseSidecarName(name: string): ParsedSidecarName | null {
  if (!/\.json$/i.test(name)) return null;
  let { stem, counter } = splitCounter(name.slice(0, -'.json'.length));
  const dot = stem.lastIndexOf('.');
  if (dot >= 0 && SUPPLEMENTAL.startsWith(stem.slice(dot).toLowerCase()) && dot > 0) {
    stem = stem.slice(0, dot);
    if (counter === null) ({ stem, counter } = splitCounter(stem));
  }
  return { stem, counter };
}

/**
 * The duplicate counter of a sidecar named `name` for `title`, when rule A reproduces the name
 * exactly (a "(38)" that belongs to the title is then not taken for a counter); else null.
 */
export function ruleACounter(name: string, title: string): { counter: number | null } | null {
  const parsed = splitCounter(name.replace(/\.json$/i, ''));
  const counters = parsed.counter === null ? [null] : [parsed.counter, null];
  for (const counter of counters) {
    for (const style of ['classic', 'supplemental'] as const) {
      if (sidecarName(title, counter, style) === name) return { counter };
    }
  }
  return null;
}
