/**
 * The 3-2-1 count, as a pure function: for every photo (distinct content), how many copies exist
 * across sources and remotes, on how many kinds of media, how many offsite, now and after a plan
 * is applied. Photos that only remain in backups (deleted from the phone) count too.
 */
import type { BackupPolicy, MediaKind } from '../config/types.ts';
import type { UploadAction } from '../planner/types.ts';
import type { SourceFile } from '../sources/types.ts';

export interface Place {
  readonly name: string;
  readonly kind: 'source' | 'remote';
  readonly media: MediaKind;
  readonly offsite: boolean;
}

export interface RemoteHoldings {
  readonly name: string;
  /** sha256 → path on the remote, for every identified file it holds. */
  readonly contents: ReadonlyMap<string, string>;
  readonly bytes: number;
  readonly files: number;
  /** Files on the remote whose content photosync has not identified. */
  readonly unidentified: number;
  readonly freeBytes?: number | null | undefined;
}

export interface CoverageInput {
  readonly policy: BackupPolicy;
  readonly places: readonly Place[];
  readonly files: readonly SourceFile[];
  readonly remotes: readonly RemoteHoldings[];
  readonly plan?: readonly UploadAction[] | undefined;
  /** How many at-risk items to list by name (all are counted). */
  readonly atRiskLimit?: number;
}

export interface ItemCoverage {
  readonly copies: number;
  readonly media: number;
  readonly offsite: number;
}

export interface AtRiskItem {
  readonly sha256: string;
  /** Where it is: "source:relPath" or "remote:path". */
  readonly where: string;
  readonly folder: string;
  readonly date: string | null;
  readonly copies: number;
  readonly offsite: number;
  readonly reasons: readonly string[];
}

export interface CoverageSnapshot {
  readonly items: number;
  readonly meeting: number;
  readonly singleCopy: number;
  readonly noOffsite: number;
  /** Items by number of copies: index = copies. */
  readonly copiesHistogram: readonly number[];
}

export interface CoverageReport {
  readonly reportVersion: 1;
  readonly policy: BackupPolicy;
  readonly now: CoverageSnapshot;
  readonly afterPlan: CoverageSnapshot | null;
  readonly remotes: readonly {
    readonly name: string;
    readonly files: number;
    readonly items: number;
    readonly bytes: number;
    readonly unidentified: number;
    readonly plannedUploads: number;
    readonly plannedBytes: number;
    readonly freeBytes: number | null;
  }[];
  readonly sources: readonly { readonly name: string; readonly files: number; readonly items: number; readonly bytes: number }[];
  readonly atRisk: readonly AtRiskItem[];
  readonly atRiskTotal: number;
}

interface ItemInfo {
  sha256: string;
  where: string;
  date: string | null;
  places: Set<string>;
}

export function computeCoverage(input: CoverageInput): CoverageReport {
  const placeByName = new Map(input.places.map((p) => [`${p.kind}:${p.name}`, p]));
  const items = new Map<string, ItemInfo>();
  const touch = (sha256: string, where: string, date: string | null): ItemInfo => {
    let info = items.get(sha256);
    if (!info) {
      info = { sha256, where, date, places: new Set() };
      items.set(sha256, info);
    }
    return info;
  };

  const sourceStats = new Map<string, { files: number; items: Set<string>; bytes: number }>();
  for (const file of input.files) {
    touch(file.sha256, `${file.source}:${file.relPath}`, file.capture.local.slice(0, 10)).places.add(`source:${file.source}`);
    const s = sourceStats.get(file.source) ?? { files: 0, items: new Set<string>(), bytes: 0 };
    s.files++;
    if (!s.items.has(file.sha256)) s.bytes += file.size;
    s.items.add(file.sha256);
    sourceStats.set(file.source, s);
  }
  for (const remote of input.remotes) {
    for (const [sha256, path] of remote.contents) touch(sha256, `${remote.name}:${path}`, null).places.add(`remote:${remote.name}`);
  }

  const measure = (places: Iterable<string>): ItemCoverage => {
    let copies = 0;
    let offsite = 0;
    const media = new Set<MediaKind>();
    for (const key of places) {
      const place = placeByName.get(key);
      if (!place) continue;
      copies++;
      media.add(place.media);
      if (place.offsite) offsite++;
    }
    return { copies, media: media.size, offsite };
  };
  const meets = (c: ItemCoverage): boolean =>
    c.copies >= input.policy.copies && c.media >= input.policy.media && c.offsite >= input.policy.offsite;

  const snapshot = (placesOf: (info: ItemInfo) => Iterable<string>): CoverageSnapshot => {
    let meeting = 0;
    let singleCopy = 0;
    let noOffsite = 0;
    const histogram: number[] = [];
    for (const info of items.values()) {
      const c = measure(placesOf(info));
      if (meets(c)) meeting++;
      if (c.copies <= 1) singleCopy++;
      if (c.offsite === 0) noOffsite++;
      histogram[c.copies] = (histogram[c.copies] ?? 0) + 1;
    }
    return { items: items.size, meeting, singleCopy, noOffsite, copiesHistogram: Array.from(histogram, (n) => n ?? 0) };
  };

  const now = snapshot((info) => info.places);
  let afterPlan: CoverageSnapshot | null = null;
  const planned = new Map<string, Set<string>>();
  for (const action of input.plan ?? []) {
    const set = planned.get(action.sha256) ?? new Set<string>();
    set.add(`remote:${action.remote}`);
    planned.set(action.sha256, set);
  }
  if (input.plan) afterPlan = snapshot((info) => new Set([...info.places, ...(planned.get(info.sha256) ?? [])]));

  const atRiskAll: AtRiskItem[] = [];
  for (const info of items.values()) {
    const c = measure(info.places);
    const reasons: string[] = [];
    if (c.copies <= 1) reasons.push('only one copy');
    if (c.offsite === 0) reasons.push('no offsite copy');
    if (reasons.length === 0) continue;
    const path = info.where.slice(info.where.indexOf(':') + 1);
    atRiskAll.push({
      sha256: info.sha256,
      where: info.where,
      folder: `${info.where.slice(0, info.where.indexOf(':'))}:${path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.'}`,
      date: info.date,
      copies: c.copies,
      offsite: c.offsite,
      reasons,
    });
  }
  atRiskAll.sort((a, b) => a.copies - b.copies || (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0) || (a.where < b.where ? -1 : 1));

  return {
    reportVersion: 1,
    policy: input.policy,
    now,
    afterPlan,
    remotes: input.remotes.map((r) => {
      const actions = (input.plan ?? []).filter((a) => a.remote === r.name);
      return {
        name: r.name,
        files: r.files,
        items: r.contents.size,
        bytes: r.bytes,
        unidentified: r.unidentified,
        plannedUploads: actions.length,
        plannedBytes: actions.reduce((n, a) => n + a.size, 0),
        freeBytes: r.freeBytes ?? null,
      };
    }),
    sources: [...sourceStats.entries()].map(([name, s]) => ({ name, files: s.files, items: s.items.size, bytes: s.bytes })),
    atRisk: atRiskAll.slice(0, input.atRiskLimit ?? 100),
    atRiskTotal: atRiskAll.length,
  };
}
