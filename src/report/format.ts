/** Wording and number formats the coverage renderers share, so text, markdown and HTML say the same. */
import type { BackupPolicy } from '../config/types.ts';
import type { AtRiskGroup, CoverageSnapshot } from './coverage.ts';

export function count(n: number): string {
  // Whole numbers (nearly every call) without toLocaleString, whose first call loads ICU (~15 ms).
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US');
}

/** "1 photo", "2 photos" */
export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function percent(n: number, of: number): string {
  if (of === 0) return '100%';
  const p = (100 * n) / of;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** "3-2-1" */
export function ruleName(policy: BackupPolicy): string {
  return `${policy.copies}-${policy.media}-${policy.offsite}`;
}

/** "3 copies, on 2 kinds of media, 1 offsite" */
export function ruleWords(policy: BackupPolicy): string {
  return `${policy.copies} copies, on ${policy.media} kinds of media, ${policy.offsite} offsite`;
}

/** "4 of 10 photos (40%)" */
export function share(s: CoverageSnapshot): string {
  return `${count(s.meeting)} of ${count(s.items)} photos (${percent(s.meeting, s.items)})`;
}

/** "2022-05-01 – 2022-06-30", one date when they are equal, and the undated items said. */
export function dateRange(g: AtRiskGroup): string {
  const range = g.firstDate === null ? '' : g.firstDate === g.lastDate ? g.firstDate : `${g.firstDate} – ${g.lastDate ?? ''}`;
  const undated = g.undated > 0 ? `${count(g.undated)} undated` : '';
  return [range, undated].filter(Boolean).join(', ');
}

/** The disjoint categories a chart stacks, in order, with the words a legend uses. */
export function chartSegments(s: CoverageSnapshot): { key: 'meeting' | 'singleCopy' | 'tooFewOffsite' | 'other'; label: string; value: number }[] {
  return [
    { key: 'meeting', label: 'meet the rule', value: s.meeting },
    { key: 'tooFewOffsite', label: 'too few offsite copies', value: s.shortfall.tooFewOffsite },
    { key: 'other', label: 'too few copies or kinds of media', value: s.shortfall.other },
    { key: 'singleCopy', label: 'only one copy', value: s.shortfall.singleCopy },
  ];
}
