/**
 * computeCoverage: a readable example with every kind of shortfall, the quota arithmetic, and
 * properties over random libraries (counts add up, a plan never makes coverage worse).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BackupPolicy, MediaKind } from '../../src/config/types.ts';
import type { UploadAction } from '../../src/planner/types.ts';
import { computeCoverage, type CoverageSnapshot, type Place, type RemoteHoldings } from '../../src/report/coverage.ts';
import { count } from '../../src/report/format.ts';
import type { SourceFile } from '../../src/sources/types.ts';

const POLICY_321: BackupPolicy = { copies: 3, media: 2, offsite: 1 };

function sha(n: number): string {
  return n.toString(16).padStart(64, '0');
}

function file(source: string, relPath: string, n: number, date = '2022-05-01', size = 1000): SourceFile {
  return {
    source,
    relPath,
    origin: `/src/${source}/${relPath}`,
    size,
    mtimeMs: 0,
    sha256: sha(n),
    kind: 'photo',
    capture: { local: `${date}T12:00:00`, offset: null, source: 'exif' },
  };
}

function holdings(name: string, contents: [number, string][], extra: Partial<RemoteHoldings> = {}): RemoteHoldings {
  return { name, contents: new Map(contents.map(([n, p]) => [sha(n), p])), bytes: 1000 * contents.length, files: contents.length, unidentified: 0, ...extra };
}

function upload(id: number, remote: string, n: number, size = 1000): UploadAction {
  return { op: 'upload', id, remote, sha256: sha(n), size, source: 'phone', from: `x/${n}.jpg`, origin: `/x/${n}.jpg`, to: `${n}.jpg`, renamed: false };
}

const PLACES: Place[] = [
  { name: 'phone', kind: 'source', media: 'phone', offsite: false },
  { name: 'usb', kind: 'remote', media: 'external-disk', offsite: false },
  { name: 'cloud', kind: 'remote', media: 'cloud', offsite: true },
];

describe('computeCoverage', () => {
  // 1: phone+usb+cloud (meets); 2: phone+usb (no offsite); 3, 4: phone only, one folder, two dates;
  // 5: only on usb (deleted from the phone): one copy, no date.
  const input = {
    policy: POLICY_321,
    places: PLACES,
    files: [
      file('phone', 'DCIM/100APPLE/IMG_1.JPG', 1),
      file('phone', 'DCIM/100APPLE/IMG_2.JPG', 2),
      file('phone', 'DCIM/101APPLE/IMG_3.JPG', 3, '2023-01-02'),
      file('phone', 'DCIM/101APPLE/IMG_4.JPG', 4, '2022-12-31'),
    ],
    remotes: [
      holdings('usb', [[1, '2022/05/IMG_1.JPG'], [2, '2022/05/IMG_2.JPG'], [5, '2021/01/IMG_5.JPG']], { reported: { usedBytes: null, freeBytes: 10_000 } }),
      holdings('cloud', [[1, 'IMG_1.JPG']], { quotaBytes: 4000 }),
    ],
    plan: [upload(1, 'cloud', 2), upload(2, 'usb', 3), upload(3, 'cloud', 3), upload(4, 'usb', 4, 500)],
  };

  it('counts copies, kinds of media and offsite copies now and after the plan', () => {
    const report = computeCoverage(input);
    expect(report.now).toEqual({
      items: 5,
      meeting: 1,
      singleCopy: 3,
      noOffsite: 4,
      atRisk: 4,
      shortfall: { singleCopy: 3, tooFewOffsite: 1, other: 0 },
      copiesHistogram: [0, 3, 1, 1],
      mediaHistogram: [0, 3, 1, 1],
      offsiteHistogram: [4, 1],
    });
    expect(report.afterPlan).toEqual({
      items: 5,
      meeting: 3,
      singleCopy: 1,
      noOffsite: 2,
      atRisk: 2,
      shortfall: { singleCopy: 1, tooFewOffsite: 1, other: 0 },
      copiesHistogram: [0, 1, 1, 3],
      mediaHistogram: [0, 1, 1, 3],
      offsiteHistogram: [2, 3],
    });
  });

  it('describes each place and what the plan adds to each remote', () => {
    const report = computeCoverage(input);
    expect(report.sources).toEqual([{ name: 'phone', media: 'phone', offsite: false, files: 4, items: 4, bytes: 4000 }]);
    expect(report.remotes.map((r) => [r.name, r.media, r.offsite, r.items, r.plannedUploads, r.plannedBytes])).toEqual([
      ['usb', 'external-disk', false, 3, 2, 1500],
      ['cloud', 'cloud', true, 1, 2, 2000],
    ]);
  });

  it('groups the at-risk items by folder with a count and a date range, biggest group first', () => {
    const report = computeCoverage(input);
    expect(report.atRiskTotal).toBe(4);
    expect(report.atRiskGroups).toEqual([
      { folder: 'phone:DCIM/101APPLE', items: 2, singleCopy: 2, noOffsite: 2, firstDate: '2022-12-31', lastDate: '2023-01-02', undated: 0 },
      { folder: 'phone:DCIM/100APPLE', items: 1, singleCopy: 0, noOffsite: 1, firstDate: '2022-05-01', lastDate: '2022-05-01', undated: 0 },
      { folder: 'usb:2021/01', items: 1, singleCopy: 1, noOffsite: 1, firstDate: null, lastDate: null, undated: 1 },
    ]);
    expect(report.atRisk.map((i) => [i.where, i.reasons])).toEqual([
      ['phone:DCIM/101APPLE/IMG_3.JPG', ['only one copy', 'no offsite copy']],
      ['phone:DCIM/101APPLE/IMG_4.JPG', ['only one copy', 'no offsite copy']],
      ['usb:2021/01/IMG_5.JPG', ['only one copy', 'no offsite copy']],
      ['phone:DCIM/100APPLE/IMG_2.JPG', ['no offsite copy']],
    ]);
    expect(computeCoverage({ ...input, atRiskLimit: 1 }).atRisk).toHaveLength(1);
  });

  it('measures quota use from the config budget, else from what the remote reports', () => {
    const [usb, cloud] = computeCoverage(input).remotes;
    // usb reports free space only: no total, and the plan's 1500 bytes fit in 10000.
    expect(usb?.quota).toEqual({ basis: 'remote', usedBytes: null, freeBytes: 10_000, totalBytes: null, planFits: true });
    expect(usb?.freeBytes).toBe(10_000);
    // cloud: a 4000-byte budget, 1000 stored, the plan's 2000 fit.
    expect(cloud?.quota).toEqual({ basis: 'config', usedBytes: 1000, freeBytes: 3000, totalBytes: 4000, planFits: true });
    expect(cloud?.freeBytes).toBeNull();

    const tight = computeCoverage({
      ...input,
      remotes: [holdings('usb', [], { reported: { usedBytes: 900, freeBytes: 100 } }), holdings('cloud', [[1, 'a']], { quotaBytes: 4000, reported: { usedBytes: null, freeBytes: 1500 } })],
    }).remotes;
    expect(tight[0]?.quota).toEqual({ basis: 'remote', usedBytes: 900, freeBytes: 100, totalBytes: 1000, planFits: false });
    // The budget leaves 3000, but the remote only has 1500 free: the smaller counts.
    expect(tight[1]?.quota).toEqual({ basis: 'config', usedBytes: 1000, freeBytes: 1500, totalBytes: 4000, planFits: false });

    const unknown = computeCoverage({ ...input, plan: undefined, remotes: [holdings('usb', [], { reported: { usedBytes: null, freeBytes: null } })] });
    expect(unknown.remotes[0]?.quota).toBeNull();
    expect(unknown.afterPlan).toBeNull();
  });

  it('judges against the config policy, not a fixed 3-2-1', () => {
    const lenient = computeCoverage({ ...input, policy: { copies: 2, media: 1, offsite: 0 } });
    expect(lenient.now.meeting).toBe(2);
    expect(lenient.now.shortfall).toEqual({ singleCopy: 3, tooFewOffsite: 0, other: 0 });
    const strict = computeCoverage({ ...input, policy: { copies: 3, media: 3, offsite: 1 } });
    expect(strict.now.meeting).toBe(1);
    const twoOffsite = computeCoverage({ ...input, policy: { copies: 3, media: 2, offsite: 2 } });
    expect(twoOffsite.now.shortfall).toEqual({ singleCopy: 3, tooFewOffsite: 2, other: 0 });
  });
});

const MEDIA: MediaKind[] = ['internal-disk', 'external-disk', 'nas', 'cloud', 'phone'];

const libraryArb = fc
  .record({
    sources: fc.array(fc.record({ media: fc.constantFrom(...MEDIA), offsite: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    remotes: fc.array(fc.record({ media: fc.constantFrom(...MEDIA), offsite: fc.boolean() }), { minLength: 1, maxLength: 4 }),
    policy: fc.record({ copies: fc.integer({ min: 1, max: 4 }), media: fc.integer({ min: 1, max: 3 }), offsite: fc.integer({ min: 0, max: 2 }) }),
    // Each item: in which sources and remotes it is now, and which remotes the plan adds.
    items: fc.array(fc.record({ inSources: fc.array(fc.nat(2)), inRemotes: fc.array(fc.nat(3)), planned: fc.array(fc.nat(3)), folder: fc.nat(3), day: fc.nat(27) }), { maxLength: 40 }),
    limit: fc.nat(10),
  })
  .map(({ sources, remotes, policy, items, limit }) => {
    const places: Place[] = [
      ...sources.map((s, i) => ({ name: `s${i}`, kind: 'source' as const, ...s })),
      ...remotes.map((r, i) => ({ name: `r${i}`, kind: 'remote' as const, ...r })),
    ];
    const files: SourceFile[] = [];
    const contents = remotes.map(() => new Map<string, string>());
    const plan: UploadAction[] = [];
    items.forEach((item, n) => {
      for (const s of new Set(item.inSources)) if (s < sources.length) files.push(file(`s${s}`, `f${item.folder}/${n}.jpg`, n, `2020-01-${String(item.day + 1).padStart(2, '0')}`));
      for (const r of new Set(item.inRemotes)) contents[r % remotes.length]?.set(sha(n), `f${item.folder}/${n}.jpg`);
      for (const r of new Set(item.planned)) if (!contents[r % remotes.length]?.has(sha(n))) plan.push(upload(plan.length + 1, `r${r % remotes.length}`, n));
    });
    const remoteHoldings = contents.map((c, i) => holdings(`r${i}`, [...c].map(([h, p]) => [parseInt(h, 16), p] as [number, string])));
    return { policy, places, files, remotes: remoteHoldings, plan, atRiskLimit: limit };
  });

const sumOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const failing = (s: CoverageSnapshot): number => s.shortfall.singleCopy + s.shortfall.tooFewOffsite + s.shortfall.other;

describe('computeCoverage: properties', () => {
  it('meeting + not meeting = items, and every histogram covers every item', () => {
    fc.assert(
      fc.property(libraryArb, (input) => {
        const report = computeCoverage(input);
        for (const s of [report.now, report.afterPlan!]) {
          expect(s.meeting + failing(s)).toBe(s.items);
          expect(sumOf(s.copiesHistogram)).toBe(s.items);
          expect(sumOf(s.mediaHistogram)).toBe(s.items);
          expect(sumOf(s.offsiteHistogram)).toBe(s.items);
          expect(s.copiesHistogram.slice(0, 2).reduce((a, b) => a + b, 0)).toBe(s.singleCopy);
          expect(s.offsiteHistogram[0] ?? 0).toBe(s.noOffsite);
        }
      }),
    );
  });

  it('a plan only adds copies: after the plan is never worse than now', () => {
    fc.assert(
      fc.property(libraryArb, (input) => {
        const { now, afterPlan } = computeCoverage(input);
        expect(afterPlan!.items).toBe(now.items);
        expect(afterPlan!.meeting).toBeGreaterThanOrEqual(now.meeting);
        expect(afterPlan!.singleCopy).toBeLessThanOrEqual(now.singleCopy);
        expect(afterPlan!.noOffsite).toBeLessThanOrEqual(now.noOffsite);
        expect(afterPlan!.atRisk).toBeLessThanOrEqual(now.atRisk);
        // An empty plan changes nothing.
        expect(computeCoverage({ ...input, plan: [] }).afterPlan).toEqual(now);
      }),
    );
  });

  it('the at-risk groups account for every at-risk item, and the list is cut at the limit', () => {
    fc.assert(
      fc.property(libraryArb, (input) => {
        const report = computeCoverage(input);
        expect(report.atRiskTotal).toBe(report.now.atRisk);
        expect(sumOf(report.atRiskGroups.map((g) => g.items))).toBe(report.atRiskTotal);
        expect(new Set(report.atRiskGroups.map((g) => g.folder)).size).toBe(report.atRiskGroups.length);
        expect(report.atRisk).toHaveLength(Math.min(input.atRiskLimit, report.atRiskTotal));
        const all = computeCoverage({ ...input, atRiskLimit: Infinity }).atRisk;
        for (const g of report.atRiskGroups) {
          const members = all.filter((i) => i.folder === g.folder);
          expect(members).toHaveLength(g.items);
          expect(g.singleCopy).toBe(members.filter((i) => i.copies <= 1).length);
          expect(g.noOffsite).toBe(members.filter((i) => i.offsite === 0).length);
          const dates = members.flatMap((i) => (i.date ? [i.date] : [])).sort();
          expect([g.firstDate, g.lastDate]).toEqual([dates[0] ?? null, dates.at(-1) ?? null]);
        }
      }),
    );
  });
});

describe('report: number format', () => {
  it('groups thousands as en-US does, whole numbers or not', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.double({ noNaN: true }), fc.constant(-0)), (n) => {
      expect(count(n)).toBe(n.toLocaleString('en-US'));
    }));
  });
});
