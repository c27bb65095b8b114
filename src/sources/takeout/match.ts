/**
 * Pairs Takeout media with their JSON sidecars (source-formats.md §1.9). Pure, and linear in the
 * number of files: every JSON's title is turned into the names its media can have (rule A/B run
 * forward), those names go into maps, and each media file looks its own name up, in passes from
 * the most specific to the loosest:
 *   1. its name is a name the title gives (full, then with the base cut to 47 units);
 *   2. the title has no extension (media "20030616.jpg", title "20030616"), or the media is the
 *      video of a Pixel motion photo (media "X.MP", title "X.MP.jpg");
 *   3. an edited copy (IMG_1-edited.jpg, localized, the suffix possibly cut) shares its original's;
 *   4. a Live Photo's video (IMG_1.MP4, title IMG_1.HEIC) shares its still's;
 *   5. a "forgotten duplicate" X(1).jpg shares X.jpg's sidecar when that sidecar's name was cut
 *      inside the title (so Google could not give it a counter of its own);
 *   6. a sidecar whose name its title does not reproduce (renamed or shortened by an extractor) is
 *      found by the longest prefix of the media name, at least 20 units, with the same counter;
 *   7. a video beside a still of the same stem is that still's Live Photo video, sidecar or not.
 * A "(n)" is only ever a counter when the sidecar's name carries the same counter, so a title that
 * really contains "(38)" keeps it. Files are matched within their folder only.
 */
import { mediaClassOf } from '../../media/kinds.ts';
import type { MediaClass } from '../types.ts';
import { splitCounter, splitExtension, stripEditedSuffix, utf16Prefix } from './names.ts';
import type { TakeoutJson } from './sidecar-json.ts';
import { mediaNames, parseSidecarName, ruleACounter, titleStems } from './sidecar-name.ts';

export interface MatchEntry {
  /** Normalised "/"-separated path. */
  readonly relPath: string;
  readonly kind: MediaClass;
  /** What a .json file holds; null for other files and unreadable JSON. */
  readonly json: TakeoutJson | null;
}

export type MediaRelation = 'own' | 'truncated' | 'motion-video' | 'edited' | 'live-video' | 'duplicate' | 'prefix';

export interface MediaMatch {
  /** Index of the asset sidecar that describes this media, or null (a Live Photo video whose still has none). */
  readonly sidecar: number | null;
  readonly relation: MediaRelation;
  /** For an edited copy its original, for a Live Photo or motion video its still, when present. */
  readonly partner: number | null;
}

export interface TakeoutMatch {
  /** Media index → how it was matched. Media not in here have no sidecar. */
  readonly media: ReadonlyMap<number, MediaMatch>;
  /** Asset sidecar index → the media file it belongs to first (its own photo). */
  readonly owner: ReadonlyMap<number, number>;
  /** Media files with no sidecar, in input order. */
  readonly unmatchedMedia: readonly number[];
  /** Asset sidecars no media file uses, in input order. */
  readonly orphanSidecars: readonly number[];
  /**
   * A sidecar in an album folder whose media is only in another folder (JSON-only album
   * entries), re-linked by (title, photoTakenTime): sidecar index → media index.
   */
  readonly relinked: ReadonlyMap<number, number>;
  /** Folder → index of its album metadata JSON. */
  readonly albumJson: ReadonlyMap<string, number>;
}

interface Sidecar {
  readonly index: number;
  readonly title: string;
  readonly takenMs: number | null;
  /** Rule A's "(n)", or the one read off the name when rule A does not reproduce it. */
  readonly counter: number | null;
  /** Rule A cut the name inside the title (a title over 46 units): where "forgotten duplicates" occur. */
  readonly cutInTitle: boolean;
  readonly titleHasExtension: boolean;
  readonly titleIsPhoto: boolean;
}

interface Media {
  readonly index: number;
  readonly dir: string;
  readonly name: string;
  readonly kind: MediaClass;
  readonly base: string;
  readonly ext: string;
  /** The base without a trailing "(n)", and that n. */
  readonly plainBase: string;
  readonly counter: number | null;
}

/** Name → candidates, per folder, case-insensitive; an exact-case candidate is preferred. */
class NameIndex<T> {
  private readonly map = new Map<string, { name: string; value: T }[]>();

  add(dir: string, name: string, value: T): void {
    const key = `${dir}\u0000${name.toLowerCase()}`;
    const list = this.map.get(key);
    if (list) list.push({ name, value });
    else this.map.set(key, [{ name, value }]);
  }

  find(dir: string, name: string, accept: (value: T) => boolean): T | undefined {
    const list = this.map.get(`${dir}\u0000${name.toLowerCase()}`);
    if (!list) return undefined;
    return (list.find((c) => c.name === name && accept(c.value)) ?? list.find((c) => accept(c.value)))?.value;
  }
}

const PREFIX_MIN_UNITS = 20;
const SIDECAR_UNITS = 46;

export function matchTakeout(entries: readonly MatchEntry[]): TakeoutMatch {
  const fullNames = new NameIndex<Sidecar>();
  const cutNames = new NameIndex<Sidecar>();
  const stems = new NameIndex<Sidecar>();
  const prefixes = new NameIndex<Sidecar>();
  const sidecars: Sidecar[] = [];
  const albumJson = new Map<string, number>();
  const media: Media[] = [];
  const stills = new NameIndex<Media>();

  entries.forEach((entry, index) => {
    const { dir, name } = splitPath(entry.relPath);
    if (entry.json?.role === 'album') {
      if (!albumJson.has(dir)) albumJson.set(dir, index);
      return;
    }
    if (entry.json?.role === 'asset') {
      const sidecar = describeSidecar(index, name, entry.json.title, entry.json.takenMs);
      sidecars.push(sidecar);
      if (sidecar.title !== '') {
        const names = mediaNames(sidecar.title, sidecar.counter);
        fullNames.add(dir, names.full, sidecar);
        for (const cut of names.truncated) cutNames.add(dir, cut, sidecar);
        for (const stem of titleStems(sidecar.title, sidecar.counter)) stems.add(dir, stem, sidecar);
      }
      const parsed = parseSidecarName(name);
      if (parsed && parsed.stem.length >= PREFIX_MIN_UNITS) prefixes.add(dir, withCounter(parsed.stem, parsed.counter), sidecar);
      return;
    }
    if (entry.kind !== 'photo' && entry.kind !== 'video') return;
    const { base, ext } = splitExtension(name);
    const { stem: plainBase, counter } = splitCounter(base);
    const m: Media = { index, dir, name, kind: entry.kind, base, ext, plainBase, counter };
    media.push(m);
    if (m.kind === 'photo') stills.add(dir, base, m);
  });

  const found = new Map<number, { sidecar: Sidecar | null; relation: MediaRelation; partner?: Media }>();
  const owner = new Map<number, number>();
  const unowned = (s: Sidecar): boolean => !owner.has(s.index);
  const any = (): boolean => true;
  const claim = (m: Media, sidecar: Sidecar, relation: MediaRelation): void => {
    found.set(m.index, { sidecar, relation });
    owner.set(sidecar.index, m.index);
  };
  const pass = (fn: (m: Media) => void): void => {
    for (const m of media) if (!found.has(m.index)) fn(m);
  };

  // 1. The name a title gives, full first: a 47-unit cut of one title may equal another's full name.
  pass((m) => {
    const s = fullNames.find(m.dir, m.name, unowned);
    if (s) claim(m, s, 'own');
  });
  pass((m) => {
    const s = cutNames.find(m.dir, m.name, unowned);
    if (s) claim(m, s, 'truncated');
  });
  // 2. A title without an extension; the video of a Pixel motion photo.
  pass((m) => {
    const bare = stems.find(m.dir, m.base, (s) => unowned(s) && !s.titleHasExtension);
    if (bare) return claim(m, bare, 'own');
    if (m.kind !== 'video') return;
    const motion = stems.find(m.dir, m.name, (s) => s.titleHasExtension && s.titleIsPhoto);
    if (motion) found.set(m.index, { sidecar: motion, relation: 'motion-video' });
  });
  // 3. Edited copies share the original's sidecar.
  pass((m) => {
    const original = stripEditedSuffix(m.plainBase);
    if (original === null) return;
    const base = withCounter(original, m.counter);
    const s =
      fullNames.find(m.dir, base + m.ext, any) ?? cutNames.find(m.dir, base + m.ext, any) ?? stems.find(m.dir, base, any);
    if (s) found.set(m.index, { sidecar: s, relation: 'edited' });
  });
  // 4. A Live Photo's video: same stem as a photo's title.
  pass((m) => {
    if (m.kind !== 'video') return;
    const s = stems.find(m.dir, m.base, (c) => c.titleIsPhoto);
    if (s) found.set(m.index, { sidecar: s, relation: 'live-video' });
  });
  // 5. Forgotten duplicates: X(1).jpg beside a sidecar whose name had no room for "(1)".
  pass((m) => {
    if (m.counter === null) return;
    const plain = m.plainBase + m.ext;
    const fits = (s: Sidecar): boolean => s.counter === null && s.cutInTitle;
    const s = fullNames.find(m.dir, plain, fits) ?? cutNames.find(m.dir, plain, fits);
    if (s) found.set(m.index, { sidecar: s, relation: 'duplicate' });
  });
  // 6. Sidecars that do not follow rule A: the longest prefix of the name, same counter.
  pass((m) => {
    const plain = m.plainBase + m.ext;
    for (let units = Math.min(SIDECAR_UNITS, plain.length); units >= PREFIX_MIN_UNITS; units--) {
      const s = prefixes.find(m.dir, withCounter(utf16Prefix(plain, units), m.counter), unowned);
      if (s) return claim(m, s, 'prefix');
    }
  });
  // 7. A video beside a still of the same stem, whatever the still's sidecar.
  pass((m) => {
    if (m.kind !== 'video') return;
    const still = stills.find(m.dir, m.base, any);
    if (still) found.set(m.index, { sidecar: found.get(still.index)?.sidecar ?? null, relation: 'live-video', partner: still });
  });

  const result = new Map<number, MediaMatch>();
  const used = new Set<number>();
  for (const [index, f] of found) {
    if (f.sidecar) used.add(f.sidecar.index);
    const partner =
      f.partner?.index ?? (f.relation === 'own' || f.relation === 'truncated' || f.relation === 'prefix' || !f.sidecar ? null : (owner.get(f.sidecar.index) ?? null));
    result.set(index, { sidecar: f.sidecar?.index ?? null, relation: f.relation, partner: partner === index ? null : partner });
  }

  // JSON-only album entries: the media is in another folder; find it by (title, photoTakenTime).
  const byIdentity = new Map<string, number>();
  for (const s of sidecars) {
    const m = owner.get(s.index);
    if (m !== undefined && s.takenMs !== null) byIdentity.set(`${s.title}\u0000${s.takenMs}`, m);
  }
  const relinked = new Map<number, number>();
  const orphanSidecars: number[] = [];
  for (const s of sidecars) {
    if (used.has(s.index)) continue;
    const m = s.takenMs === null ? undefined : byIdentity.get(`${s.title}\u0000${s.takenMs}`);
    if (m !== undefined) relinked.set(s.index, m);
    else orphanSidecars.push(s.index);
  }
  const unmatchedMedia = media.filter((m) => !result.has(m.index)).map((m) => m.index);
  return { media: result, owner, unmatchedMedia, orphanSidecars, relinked, albumJson };
}

function describeSidecar(index: number, name: string, title: string, takenMs: number | null): Sidecar {
  const parsed = parseSidecarName(name);
  const byRule = title === '' ? null : ruleACounter(name, title);
  const counter = byRule ? byRule.counter : (parsed?.counter ?? null);
  const { ext } = splitExtension(title);
  return {
    index,
    title,
    takenMs,
    counter,
    cutInTitle: title.length > SIDECAR_UNITS,
    titleHasExtension: ext !== '',
    titleIsPhoto: mediaClassOf(title) === 'photo',
  };
}

function withCounter(stem: string, counter: number | null): string {
  return counter === null ? stem : `${stem}(${counter})`;
}

function splitPath(relPath: string): { dir: string; name: string } {
  const slash = relPath.lastIndexOf('/');
  return { dir: relPath.slice(0, slash + 1), name: relPath.slice(slash + 1) };
}
