/**
 * Google Takeout (a folder export: photos with their JSON sidecars, some also in an album) at two
 * sizes, `photosync plan` timed per photo: the first scan (fresh state: every file read, sidecars
 * parsed, photos matched) and a scan from the cache (listing, matching and planning only). If
 * sidecar matching is linear in the number of files, the time per photo stays the same.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext, Scenario } from '../context.ts';
import { writeTakeout } from '../library.ts';
import { interleave, median, runOnce, type Contender, type Series } from '../measure.ts';
import { derived, type Row } from '../results.ts';
import { photosync, photosyncSetup, type PhotosyncSetup } from '../tools.ts';

const LINEAR_SLACK = 1.25;

export const takeout: Scenario = {
  id: 'takeout',
  rows: ['takeout-first', 'takeout-cached'],
  async run(ctx) {
    const sizes = [ctx.sizes.takeoutSmall, ctx.sizes.takeoutLarge] as const;
    const exports = sizes.map((n) => {
      const dir = path.join(ctx.work, `takeout-${n}`);
      rmSync(dir, { recursive: true, force: true });
      ctx.log(`generating a Takeout export of ${n} photos`);
      writeTakeout(path.join(dir, 'export'), n, ctx.sizes.smallKib * 1024);
      return { n, dir };
    });
    const fresh = (dir: string): PhotosyncSetup => {
      const root = path.join(dir, 'photosync');
      rmSync(root, { recursive: true, force: true });
      mkdirSync(path.join(root, 'backup'), { recursive: true });
      return photosyncSetup(root, { type: 'google-takeout', path: path.join(dir, 'export') }, ['type: local', `path: ${JSON.stringify(path.join(root, 'backup'))}`]);
    };
    const setups = new Map<number, PhotosyncSetup>();
    const first = await interleave(
      ctx.sizes.reps,
      exports.map(({ n, dir }): Contender => ({
        label: `${n} photos`,
        prepare: () => void setups.set(n, fresh(dir)),
        command: () => photosync(setups.get(n)!, ['plan']),
      })),
      ctx.logDir,
    );
    // The last first scan left a full cache in each state: plans from here on read no file.
    for (const { n } of exports) await runOnce(photosync(setups.get(n)!, ['plan']), ctx.logDir);
    const cached = await interleave(
      ctx.sizes.reps,
      exports.map(({ n }): Contender => ({ label: `${n} photos`, command: () => photosync(setups.get(n)!, ['plan']) })),
      ctx.logDir,
    );
    return [row(ctx, 'takeout-first', 'first scan (fresh state)', first, sizes), row(ctx, 'takeout-cached', 'scan from the cache', cached, sizes)];
  },
};

function row(ctx: BenchContext, id: string, what: string, series: readonly Series[], sizes: readonly [number, number]): Row {
  const [small, large] = sizes;
  const perPhoto = (n: number) => (s: number) => (s / n) * 1000;
  const s = derived(series[0]!, 'ms/photo', perPhoto(small), `${small.toLocaleString('en')} photos`);
  const l = derived(series[1]!, 'ms/photo', perPhoto(large), `${large.toLocaleString('en')} photos`);
  const ratio = l.median / s.median;
  return {
    id,
    title: `Google Takeout folder export, photosync plan, ${what}: time per photo at ${large.toLocaleString('en')} vs ${small.toLocaleString('en')} photos`,
    target: `sidecar matching linear in the files (here: per-photo time at ${(large / small).toFixed(1)}× the photos ≤ ${LINEAR_SLACK}×)`,
    photosync: l,
    baseline: s,
    ratio,
    ratioMeaning: 'per-photo time, large export ÷ small export',
    met: ratio <= LINEAR_SLACK,
    metrics: { smallPhotos: small, largePhotos: large, smallSeconds: median(s.seconds), largeSeconds: median(l.seconds) },
    notes: [
      `each photo has its JSON sidecar; every 20th is also in an album folder (${ctx.sizes.smallKib} KiB mean photo size)`,
      'metadata reads of header bytes only are not measured separately: the first scan reads every byte to hash it',
    ],
  };
}
