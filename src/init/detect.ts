/**
 * Where photos usually are on this machine, for `photosync init`: the Pictures folder, a phone
 * or camera card mounted with its DCIM folder, Google Takeout archives in Downloads. An Apple
 * Photos library is not read in place (it is a database, and its originals may be in iCloud
 * only): it is reported so the starter config can suggest an export folder instead.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MediaKind, SourceType } from '../config/types.ts';

export interface FoundSource {
  readonly name: string;
  readonly type: SourceType;
  readonly path: string;
  readonly media: MediaKind;
  readonly exclude: readonly string[];
  /** Why it was suggested, for the comment above it. */
  readonly note: string;
}

export interface Detected {
  readonly sources: readonly FoundSource[];
  /** Apple Photos libraries found (not sources themselves). */
  readonly photosLibraries: readonly string[];
  /** Takeout archives when there are several: they belong in one folder of their own. */
  readonly takeoutParts: readonly string[];
}

export interface DetectOptions {
  readonly home: string;
  /** Where removable media are mounted: /media/USER/LABEL, /run/media/USER/LABEL, /Volumes/LABEL. */
  readonly mountRoots?: readonly string[];
}

export const DEFAULT_MOUNT_ROOTS = ['/media', '/run/media', '/Volumes'];

export function detectPhotoFolders({ home, mountRoots = DEFAULT_MOUNT_ROOTS }: DetectOptions): Detected {
  const sources: FoundSource[] = [];
  const pictures = path.join(home, 'Pictures');
  const photosLibraries = isDir(pictures) ? list(pictures).filter((n) => n.endsWith('.photoslibrary')).map((n) => path.join(pictures, n)) : [];
  if (isDir(pictures)) {
    sources.push({
      name: 'pictures',
      type: 'local',
      path: pictures,
      media: 'internal-disk',
      // A Photos library inside Pictures is a database, not a folder of photos to copy.
      exclude: photosLibraries.length > 0 ? ['*.photoslibrary/**'] : [],
      note: 'your Pictures folder',
    });
  }
  const homeDcim = path.join(home, 'DCIM');
  if (isDir(homeDcim)) sources.push({ name: 'dcim', type: 'local', path: homeDcim, media: 'internal-disk', exclude: [], note: 'a DCIM folder in your home' });

  const taken = new Set(sources.map((s) => s.name));
  for (const dcim of mountedDcimFolders(mountRoots)) {
    const label = path.basename(path.dirname(dcim));
    const name = uniqueName(`card-${label.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'dcim'}`.slice(0, 64), taken);
    sources.push({ name, type: 'local', path: dcim, media: 'memory-card', exclude: [], note: `a camera or phone mounted at ${path.dirname(dcim)}` });
  }

  const downloads = path.join(home, 'Downloads');
  const takeouts = list(downloads)
    .filter((n) => /^takeout-.*\.(zip|tgz|tar\.gz)$/i.test(n))
    .sort()
    .map((n) => path.join(downloads, n));
  if (takeouts.length === 1) {
    sources.push({ name: 'takeout', type: 'google-takeout', path: takeouts[0]!, media: 'internal-disk', exclude: [], note: 'a Google Photos Takeout archive' });
  }
  return { sources, photosLibraries, takeoutParts: takeouts.length > 1 ? takeouts : [] };
}

/** DCIM folders one or two levels below each mount root (/Volumes/CARD/DCIM, /media/ann/CARD/DCIM). */
function mountedDcimFolders(roots: readonly string[]): string[] {
  const found: string[] = [];
  for (const root of roots) {
    for (const a of list(root)) {
      const first = path.join(root, a);
      if (isDir(path.join(first, 'DCIM'))) found.push(path.join(first, 'DCIM'));
      for (const b of list(first)) if (isDir(path.join(first, b, 'DCIM'))) found.push(path.join(first, b, 'DCIM'));
    }
  }
  return found.sort();
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name}-${i}`;
  taken.add(candidate);
  return candidate;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
