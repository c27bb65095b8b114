/**
 * The 3-2-1 count, as a pure function: for every photo (distinct content), how many copies exist
 * across sources and remotes, on how many kinds of media, how many offsite, now and after a plan
 * is applied. Photos that only remain in backups (deleted from the phone) count too.
 */
import type { BackupPolicy, MediaKind } from '../config/types.ts';
import type { UploadAction } from '../planner/types.ts';
import type { SourceFile } from '../sources/types.ts';
import { compareText, groupAtRisk, NO_OFFSITE_COPY, ONLY_ONE_COPY, type AtRiskGroup, type AtRiskItem } from './at-risk.ts';
import { quotaUse, type QuotaFacts, type QuotaUse } from './quota.ts';

export type { AtRiskGroup, AtRiskItem, QuotaUse };

export interface Place {
  readonly name: string;
  readonly kind: 'source' | 'remote';
  readonly media: MediaKind;
  readonly offsite: boolean;
}

export interface RemoteHoldings extends QuotaFacts {
  readonly name: string;
  /** sha256 → path on the remote, for every identified file it holds. */
  readonly contents: ReadonlyMap<string, string>;
  readonly bytes: number;
  readonly files: number;
  /** Files on the remote whose content photosync has not identified. */
  readonly unidentified: number;
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

export interface CoverageSnapshot {
  readonly items: number;
  readonly meeting: number;
  /** Items with one copy or none (whatever the policy). */
  readonly singleCopy: number;
  /** Items with no offsite copy (whatever the policy). */
  readonly noOffsite: number;
  /** Items with one copy only or no offsite copy: what the at-risk list holds. */
  readonly atRisk: number;
  /**
   * Items that fail the rule, each counted once under its first shortfall: one copy only, else
   * fewer offsite copies than the policy asks, else another (too few copies or kinds of media).
   * meeting + singleCopy + tooFewOffsite + other = items.
   */
  readonly shortfall: { readonly singleCopy: number; readonly tooFewOffsite: number; readonly other: number };
  /** Items by number of copies: index = copies. */
  readonly copiesHistogram: readonly number[];
  /** Items by number of distinct kinds of media holding them: index = kinds. */
  readonly mediaHistogram: readonly number[];
  /** Items by number of offsite copies: index = offsite copies. */
  readonly offsiteHistogram: readonly number[];
}

/** What one source or remote holds, and what kind of place it is. */
export interface SourceCoverage {
  readonly name: string;
  readonly media: MediaKind | null;
  readonly offsite: boolean;
  readonly files: number;
  /** Distinct contents. */
  readonly items: number;
  readonly bytes: number;
}

export interface RemoteCoverage extends SourceCoverage {
  readonly unidentified: number;
  readonly plannedUploads: number;
  readonly plannedBytes: number;
  /** Free space as the remote itself reports it (null when it cannot say). */
  readonly freeBytes: number | null;
  readonly quota: QuotaUse | null;
}

export interface CoverageReport {
  readonly reportVersion: 1;
  readonly policy: BackupPolicy;
  readonly now: CoverageSnapshot;
  readonly afterPlan: CoverageSnapshot | null;
  readonly remotes: readonly RemoteCoverage[];
  readonly sources: readonly SourceCoverage[];
  /** The first atRiskLimit at-risk items, fewest copies first, then by folder and name. */
  readonly atRisk: readonly AtRiskItem[];
  readonly atRiskTotal: number;
  /** Every folder holding at-risk items, most items first; their items add up to atRiskTotal. */
  readonly atRiskGroups: readonly AtRiskGroup[];
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
  const { policy } = input;
  const meets = (c: ItemCoverage): boolean => c.copies >= policy.copies && c.media >= policy.media && c.offsite >= policy.offsite;

  const snapshot = (placesOf: (info: ItemInfo) => Iterable<string>): CoverageSnapshot => {
    let meeting = 0;
    let singleCopy = 0;
    let noOffsite = 0;
    let atRisk = 0;
    const shortfall = { singleCopy: 0, tooFewOffsite: 0, other: 0 };
    const copies: number[] = [];
    const media: number[] = [];
    const offsite: number[] = [];
    for (const info of items.values()) {
      const c = measure(placesOf(info));
      if (meets(c)) meeting++;
      else if (c.copies <= 1) shortfall.singleCopy++;
      else if (c.offsite < policy.offsite) shortfall.tooFewOffsite++;
      else shortfall.other++;
      if (c.copies <= 1) singleCopy++;
      if (c.offsite === 0) noOffsite++;
      if (c.copies <= 1 || c.offsite === 0) atRisk++;
      count(copies, c.copies);
      count(media, c.media);
      count(offsite, c.offsite);
    }
    return {
      items: items.size,
      meeting,
      singleCopy,
      noOffsite,
      atRisk,
      shortfall,
      copiesHistogram: dense(copies),
      mediaHistogram: dense(media),
      offsiteHistogram: dense(offsite),
    };
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
    if (c.copies <= 1) reasons.push(ONLY_ONE_COPY);
    if (c.offsite === 0) reasons.push(NO_OFFSITE_COPY);
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
  atRiskAll.sort((a, b) => a.copies - b.copies || compareText(a.folder, b.folder) || compareText(a.where, b.where));

  const placeOf = (kind: Place['kind'], name: string): { media: MediaKind | null; offsite: boolean } => {
    const place = placeByName.get(`${kind}:${name}`);
    return { media: place?.media ?? null, offsite: place?.offsite ?? false };
  };
  const plannedByRemote = new Map<string, { uploads: number; bytes: number }>();
  for (const a of input.plan ?? []) {
    const p = plannedByRemote.get(a.remote) ?? { uploads: 0, bytes: 0 };
    p.uploads++;
    p.bytes += a.size;
    plannedByRemote.set(a.remote, p);
  }

  return {
    reportVersion: 1,
    policy,
    now,
    afterPlan,
    remotes: input.remotes.map((r) => {
      const p = plannedByRemote.get(r.name) ?? { uploads: 0, bytes: 0 };
      return {
        name: r.name,
        ...placeOf('remote', r.name),
        files: r.files,
        items: r.contents.size,
        bytes: r.bytes,
        unidentified: r.unidentified,
        plannedUploads: p.uploads,
        plannedBytes: p.bytes,
        freeBytes: r.reported?.freeBytes ?? null,
        quota: quotaUse(r, input.plan ? p.bytes : null),
      };
    }),
    sources: [...sourceStats.entries()].map(([name, s]) => ({ name, ...placeOf('source', name), files: s.files, items: s.items.size, bytes: s.bytes })),
    atRisk: atRiskAll.slice(0, input.atRiskLimit ?? 100),
    atRiskTotal: atRiskAll.length,
    atRiskGroups: groupAtRisk(atRiskAll),
  };
}

function count(histogram: number[], index: number): void {
  histogram[index] = (histogram[index] ?? 0) + 1;
}

function dense(histogram: readonly number[]): number[] {
  return Array.from(histogram, (n) => n ?? 0);
}
