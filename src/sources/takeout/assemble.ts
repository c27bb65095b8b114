/**
 * Turns a scanned Takeout tree into SourceFiles:
 * - each photo or video dated by its sidecar's photoTakenTime (capture.ts), else by what it carries;
 * - albums: every album the content appears in (same SHA-256 anywhere in the export), named by the
 *   album JSON's title, else by the folder; year folders and Trash/Archive are not albums;
 * - one group per photo: the still, its Live Photo or motion-photo video and its JSON sidecar(s)
 *   travel together (keyed by the still's content, so copies in several folders are one unit);
 * - edited copies are their own photo, linked to the original by editOf;
 * - album metadata and account files (print-subscriptions.json…) are read, not backed up;
 * - media without a sidecar and sidecars without media are reported, and still backed up.
 */
import path from 'node:path';
import type { SourceConfig } from '../../config/types.ts';
import { captureFromUtc } from '../../media/capture-date.ts';
import { extensionOf, mediaClassOf } from '../../media/kinds.ts';
import { splitName } from '../../planner/layout.ts';
import { toSourceFile } from '../local.ts';
import type { ScannedFile } from '../source-kind.ts';
import type { SourceFile } from '../types.ts';
import { takeoutCapture } from './capture.ts';
import { matchTakeout, type MatchEntry, type TakeoutMatch } from './match.ts';
import { isSpecialFolder, isYearFolder } from './names.ts';
import { asTakeoutJson, type TakeoutJson } from './sidecar-json.ts';

type Problem = { relPath: string; message: string };

export function assembleTakeout(source: SourceConfig, files: readonly ScannedFile[]): { files: SourceFile[]; problems: Problem[] } {
  const entries: MatchEntry[] = files.map((f) => {
    const json = extensionOf(f.relPath) === 'json' ? (asTakeoutJson(f.scan.meta) ?? ({ role: 'other' } as const)) : null;
    return { relPath: f.relPath, kind: mediaClassOf(f.relPath), json };
  });
  const match = matchTakeout(entries);
  const assetJson = (i: number): Extract<TakeoutJson, { role: 'asset' }> | null => {
    const json = entries[i]?.json;
    return json?.role === 'asset' ? json : null;
  };

  const out: (SourceFile | null)[] = files.map((f, i) => {
    const json = entries[i]!.json;
    // Album metadata lives on as album names; account files are not photos.
    if (json && json.role !== 'asset') return null;
    const file = toSourceFile(source, f);
    if (json) return json.takenMs === null ? file : { ...file, capture: captureFromUtc(json.takenMs, 'takeout-json') ?? file.capture };
    const m = match.media.get(i);
    const taken = m?.sidecar == null ? null : (assetJson(m.sidecar)?.takenMs ?? null);
    const notes = [...(file.notes ?? []), ...relationNotes(match, i, files)];
    return {
      ...file,
      capture: takeoutCapture(taken, f.scan.capture, path.posix.basename(f.relPath), f.mtimeMs),
      ...(notes.length > 0 ? { notes } : {}),
    };
  });

  addAlbums(out, entries, match);
  groupCompanionsOf(out, entries, match, source.name);
  for (const [i, m] of match.media) {
    if (m.relation === 'edited' && m.partner !== null && out[i]) out[i] = { ...out[i], editOf: files[m.partner]!.relPath };
  }

  const problems: Problem[] = [];
  for (const i of match.unmatchedMedia) {
    problems.push({ relPath: files[i]!.relPath, message: `no JSON sidecar found; backed up, dated by its ${out[i]?.capture.source ?? 'mtime'}` });
  }
  for (const i of match.orphanSidecars) {
    problems.push({
      relPath: files[i]!.relPath,
      message: `JSON sidecar of "${assetJson(i)?.title ?? ''}" matches no photo or video in its folder (not in the export?); the sidecar is backed up`,
    });
  }
  return { files: out.filter((f): f is SourceFile => f !== null), problems };
}

function relationNotes(match: TakeoutMatch, i: number, files: readonly ScannedFile[]): string[] {
  const m = match.media.get(i);
  if (!m || m.sidecar === null) return [];
  const sidecar = path.posix.basename(files[m.sidecar]!.relPath);
  if (m.relation === 'prefix') return [`matched to sidecar ${sidecar} by name prefix (its title does not give this name)`];
  if (m.relation === 'duplicate') return [`a duplicate without a sidecar of its own; dated by ${sidecar}`];
  return [];
}

/** Folder → album name: the album JSON's title, else the folder's name; null for Google's own folders. */
function albumNamer(entries: readonly MatchEntry[], match: TakeoutMatch): (relPath: string) => string | null {
  return (relPath) => {
    const dir = relPath.slice(0, relPath.lastIndexOf('/') + 1);
    const json = match.albumJson.get(dir);
    const meta = json === undefined ? null : entries[json]!.json;
    if (meta?.role === 'album') return meta.title;
    if (dir === '') return null;
    const segments = dir.slice(0, -1).split('/');
    if (isYearFolder(segments[0]!) || isSpecialFolder(segments[0]!)) return null;
    return segments[segments.length - 1]!;
  };
}

/** Every copy of a content carries every album any copy (or a JSON-only album entry) is in. */
function addAlbums(out: (SourceFile | null)[], entries: readonly MatchEntry[], match: TakeoutMatch): void {
  const albumOf = albumNamer(entries, match);
  const bySha = new Map<string, string[]>();
  const add = (sha: string, album: string | null): void => {
    if (album === null) return;
    const list = bySha.get(sha);
    if (!list) bySha.set(sha, [album]);
    else if (!list.includes(album)) list.push(album);
  };
  out.forEach((f) => {
    if (f && (f.kind === 'photo' || f.kind === 'video')) add(f.sha256, albumOf(f.relPath));
  });
  for (const [sidecar, media] of match.relinked) {
    const target = out[media];
    if (target) add(target.sha256, albumOf(entries[sidecar]!.relPath));
  }
  out.forEach((f, i) => {
    const albums = f && (f.kind === 'photo' || f.kind === 'video') ? bySha.get(f.sha256) : undefined;
    if (f && albums) out[i] = { ...f, albums };
  });
}

/**
 * Stills with their videos and sidecars. A sidecar goes with the file that owns it, else with the
 * photo it was re-linked to, else with the first file that uses it (an edited copy, a lone video).
 */
function groupCompanionsOf(out: (SourceFile | null)[], entries: readonly MatchEntry[], match: TakeoutMatch, sourceName: string): void {
  const companions = new Map<number, number[]>();
  const add = (primary: number, companion: number): void => {
    const list = companions.get(primary);
    if (list) list.push(companion);
    else companions.set(primary, [companion]);
  };
  const firstUser = new Map<number, number>();
  for (const [i, m] of match.media) {
    if ((m.relation === 'live-video' || m.relation === 'motion-video') && m.partner !== null) add(m.partner, i);
    if (m.sidecar !== null && (firstUser.get(m.sidecar) ?? Infinity) > i) firstUser.set(m.sidecar, i);
  }
  entries.forEach((e, s) => {
    if (e.json?.role !== 'asset') return;
    const primary = match.owner.get(s) ?? match.relinked.get(s) ?? firstUser.get(s);
    if (primary !== undefined) add(primary, s);
  });

  for (const [primaryIndex, members] of companions) {
    const primary = out[primaryIndex];
    if (!primary) continue;
    const group = `${sourceName}:takeout:${primary.sha256}`;
    out[primaryIndex] = { ...primary, group, groupPrimary: true };
    const primaryName = path.posix.basename(primary.relPath);
    const { stem, ext } = splitName(primaryName);
    for (const c of members) {
      const file = out[c];
      if (!file) continue;
      const name = path.posix.basename(file.relPath);
      const stemSuffix =
        file.kind === 'sidecar'
          ? `${ext === '' ? '' : `.${ext}`}.json`
          : name.toLowerCase().startsWith(stem.toLowerCase())
            ? name.slice(stem.length)
            : `.${splitName(name).ext}`;
      out[c] = { ...file, group, stemSuffix, capture: primary.capture, ...(primary.albums ? { albums: primary.albums } : {}) };
    }
  }
}
