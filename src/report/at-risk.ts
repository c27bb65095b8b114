/** Items at risk (one copy only, or no offsite copy), and their summary per folder. Pure. */

export const ONLY_ONE_COPY = 'only one copy';
export const NO_OFFSITE_COPY = 'no offsite copy';

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

/** The at-risk items of one folder, summarised: one line for 300 photos of one holiday. */
export interface AtRiskGroup {
  /** "place:folder", as in AtRiskItem.folder. */
  readonly folder: string;
  readonly items: number;
  readonly singleCopy: number;
  readonly noOffsite: number;
  /** Earliest and latest capture date ("YYYY-MM-DD") of its dated items. */
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  /** Items without a capture date (those only on remotes). */
  readonly undated: number;
}

/** Every folder holding at-risk items, most items first, then by name. */
export function groupAtRisk(items: readonly AtRiskItem[]): AtRiskGroup[] {
  const groups = new Map<string, { -readonly [K in keyof AtRiskGroup]: AtRiskGroup[K] }>();
  for (const item of items) {
    let g = groups.get(item.folder);
    if (!g) {
      g = { folder: item.folder, items: 0, singleCopy: 0, noOffsite: 0, firstDate: null, lastDate: null, undated: 0 };
      groups.set(item.folder, g);
    }
    g.items++;
    if (item.reasons.includes(ONLY_ONE_COPY)) g.singleCopy++;
    if (item.reasons.includes(NO_OFFSITE_COPY)) g.noOffsite++;
    if (item.date === null) g.undated++;
    else {
      if (g.firstDate === null || item.date < g.firstDate) g.firstDate = item.date;
      if (g.lastDate === null || item.date > g.lastDate) g.lastDate = item.date;
    }
  }
  return [...groups.values()].sort((a, b) => b.items - a.items || compareText(a.folder, b.folder));
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
