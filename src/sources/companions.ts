/**
 * Files that belong to one photo travel together: a Live Photo's still and video
 * (IMG_1234.HEIC + IMG_1234.MOV, or icloudpd's IMG_1234_HEVC.MOV), RAW + JPEG pairs, and the
 * sidecars that describe a photo (IMG_1234.AAE, IMG_O1234.AAE, IMG_1234.xmp, IMG_1234.HEIC.xmp).
 * Apple's edited renders (IMG_E1234.JPG) stay their own photo, linked to the original.
 * Pure: works on names only, one folder at a time, in time linear in the number of files.
 */
import { extensionOf, mediaClassOf } from '../media/kinds.ts';
import type { SourceFile } from './types.ts';

/** Preference for the file a group is named after: the still, and of stills the usual one. */
const PRIMARY_RANK: Record<string, number> = { heic: 0, heif: 0, jpg: 1, jpeg: 1, png: 2, dng: 3 };

interface NameParts {
  /** The stem the file belongs to (IMG_1234 for IMG_1234_HEVC.MOV, IMG_O1234.AAE, IMG_1234.HEIC.xmp). */
  readonly base: string;
  /** What follows the stem in this file's name (".MOV", ".HEIC.xmp"). */
  readonly tail: string;
  /** The file's own stem when it differs from `base` in a way its name must keep (IMG_O1234). */
  readonly ownStem?: string;
  /** For an edited render IMG_E1234: the original's stem. */
  readonly editOf?: string;
}

function nameParts(file: SourceFile): NameParts {
  const name = file.relPath.slice(file.relPath.lastIndexOf('/') + 1);
  const ext = extensionOf(name);
  const dot = name.lastIndexOf('.');
  let stem = dot > 0 ? name.slice(0, dot) : name;
  let tail = dot > 0 ? name.slice(dot) : '';
  if (file.kind === 'sidecar') {
    // IMG_1234.HEIC.xmp describes IMG_1234.HEIC: its base is IMG_1234, its tail ".HEIC.xmp".
    const inner = stem.lastIndexOf('.');
    const innerKind = inner > 0 ? mediaClassOf(stem) : 'other';
    if (innerKind === 'photo' || innerKind === 'video') {
      tail = stem.slice(inner) + tail;
      stem = stem.slice(0, inner);
    }
    // IMG_O1234.AAE: Photos' adjustments of the original of IMG_1234.
    const original = /^(IMG_)O(\d{4})$/i.exec(stem);
    if (original && ext === 'aae') return { base: `${original[1]}${original[2]}`, tail, ownStem: stem };
    return { base: stem, tail };
  }
  if (file.kind === 'video') {
    // icloudpd names a HEIC Live Photo's video IMG_1234_HEVC.MOV; it shares IMG_1234's stem.
    const hevc = /^(.*)_HEVC$/i.exec(stem);
    if (hevc) return { base: hevc[1]!, tail };
  }
  const edit = /^(IMG_)E(\d{4})$/i.exec(stem);
  if (edit) return { base: stem, tail, editOf: `${edit[1]}${edit[2]}` };
  return { base: stem, tail };
}

/** Groups the files of one source. Files keep their order; grouped files gain group fields. */
export function groupCompanions(files: readonly SourceFile[]): SourceFile[] {
  const byKey = new Map<string, number[]>();
  const parts = files.map(nameParts);
  files.forEach((file, i) => {
    const dir = file.relPath.slice(0, file.relPath.lastIndexOf('/') + 1);
    const key = `${dir}${parts[i]!.base}`.toLowerCase();
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });

  const out = [...files];
  for (const [key, members] of byKey) {
    const media = members.filter((i) => files[i]!.kind === 'photo' || files[i]!.kind === 'video');
    // A group needs something to be named after: a photo or a video, plus at least one companion.
    if (media.length === 0 || members.length < 2) continue;
    const primary = [...media].sort((a, b) => rank(files[a]!) - rank(files[b]!) || a - b)[0]!;
    const primaryFile = files[primary]!;
    const group = `${primaryFile.source}:${key}`;
    for (const i of members) {
      const file = files[i]!;
      const p = parts[i]!;
      out[i] = {
        ...file,
        group,
        ...(i === primary
          ? { groupPrimary: true }
          : {
              stemSuffix: p.tail,
              ...(p.ownStem ? { companionStem: p.ownStem } : {}),
              // A companion is placed by its photo's date, so both land in one folder.
              capture: primaryFile.capture,
            }),
      };
    }
  }
  // Edited renders point at their original when it is in the same folder.
  return out.map((file, i) => {
    const editOf = parts[i]!.editOf;
    if (!editOf) return file;
    const dir = file.relPath.slice(0, file.relPath.lastIndexOf('/') + 1);
    const original = byKey.get(`${dir}${editOf}`.toLowerCase())?.map((j) => files[j]!).find((f) => f.kind === 'photo');
    return original ? { ...file, editOf: original.relPath } : file;
  });
}

function rank(file: SourceFile): number {
  if (file.kind === 'video') return 100;
  return PRIMARY_RANK[extensionOf(file.relPath)] ?? 10;
}
