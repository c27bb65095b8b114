/**
 * First-scan hashing: `photosync plan` with a fresh state (so every file is read and hashed) over
 * a library of large photos, against the machine's raw read + SHA-256 throughput on all cores
 * (raw-hash.ts) over the very same files, interleaved.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Scenario } from '../context.ts';
import { interleave, median } from '../measure.ts';
import { MB, type Measured } from '../results.ts';
import { photosync, photosyncSetup, REPO } from '../tools.ts';

export const hashing: Scenario = {
  id: 'hashing',
  rows: ['hashing'],
  async run(ctx) {
    const { hashFiles: files, bigMib } = ctx.sizes;
    const lib = ctx.libraries.big(files);
    const bytes = files * bigMib * 1024 * 1024;
    const root = path.join(ctx.work, 'hashing');
    const fresh = () => {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(path.join(root, 'backup'), { recursive: true });
      return photosyncSetup(root, { type: 'local', path: lib }, ['type: local', `path: ${JSON.stringify(path.join(root, 'backup'))}`]);
    };
    let setup = fresh();
    const rawSeconds: number[] = [];
    const [ps, raw] = await interleave(
      ctx.sizes.reps,
      [
        { label: 'photosync plan (fresh state)', prepare: () => void (setup = fresh()), command: () => photosync(setup, ['plan']) },
        {
          label: 'raw read + SHA-256, all cores',
          command: () => ({ argv: [process.execPath, '--import', 'tsx', path.join(REPO, 'bench', 'raw-hash.ts'), lib], cwd: REPO }),
          check: (run) => {
            const out = JSON.parse(readFileSync(run.stdoutFile, 'utf8')) as { bytes: number; seconds: number };
            if (out.bytes !== bytes) throw new Error(`raw-hash read ${out.bytes} bytes, expected ${bytes}`);
            rawSeconds.push(out.seconds);
          },
        },
      ],
      ctx.logDir,
    );
    const mbps = (values: readonly number[]): number[] => values.map((s) => bytes / MB / s);
    const throughput = (label: string, secs: readonly number[], peakRssKib: readonly number[]): Measured => {
      const values = mbps(secs);
      return { label, unit: 'MB/s', values, seconds: secs, median: median(values), peakRssKib: Math.max(...peakRssKib) };
    };
    const p = throughput(ps!.label, ps!.seconds, ps!.peakRssKib);
    const r = throughput(raw!.label, rawSeconds, raw!.peakRssKib);
    const ratio = p.median / r.median;
    return [
      {
        id: 'hashing',
        title: `first scan hashing, ${files.toLocaleString('en')} × ${bigMib} MiB (${((bytes / MB) | 0).toLocaleString('en')} MB)`,
        target: "≥ 80% of the machine's raw read+SHA-256 throughput with all cores",
        photosync: p,
        baseline: r,
        ratio,
        ratioMeaning: 'photosync MB/s ÷ raw MB/s',
        met: ratio >= 0.8,
        metrics: { cores: availableParallelism(), bytes },
        notes: [
          `photosync: bytes ÷ wall time of the whole plan command (start, walk, hash, state writes, plan); raw: timed inside, from the first read to the last digest`,
          'warm page cache for both (the library was just written; 24 GiB holds it)',
        ],
      },
    ];
  },
};
