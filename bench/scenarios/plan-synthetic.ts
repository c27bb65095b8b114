/**
 * The planner over a synthetic inventory of planFiles files (synthetic-plan.ts), each repetition
 * a process of its own; peak RSS from GNU time, plan time from the process's own clock.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Scenario } from '../context.ts';
import { interleave, median, runOnce, type Command } from '../measure.ts';
import type { Measured } from '../results.ts';
import { REPO } from '../tools.ts';

interface Output {
  readonly uploads: number;
  readonly generateSeconds: number;
  readonly inventorySeconds: number;
  readonly planSeconds: number;
  readonly rssWithInputBytes: number;
}

const RSS_LIMIT_KIB = 300e6 / 1024;

export const planSynthetic: Scenario = {
  id: 'plan-synthetic',
  rows: ['plan-synthetic'],
  async run(ctx) {
    const files = ctx.sizes.planFiles;
    const command = (n: number): Command => ({ argv: [process.execPath, '--import', 'tsx', path.join(REPO, 'bench', 'synthetic-plan.ts'), String(n), '1'], cwd: REPO });
    const outputs: Output[] = [];
    const [series] = await interleave(
      ctx.sizes.reps,
      [{ label: 'makePlan', command: () => command(files), check: (run) => void outputs.push(JSON.parse(readFileSync(run.stdoutFile, 'utf8')) as Output) }],
      ctx.logDir,
    );
    // The same process with an empty library: what node, tsx and the modules take before any file.
    const empty = await runOnce(command(0), ctx.logDir);
    const planSeconds = outputs.map((o) => o.planSeconds);
    const photosync: Measured = { label: 'makePlan (+ MemoryInventory)', unit: 's', values: planSeconds, seconds: planSeconds, median: median(planSeconds), peakRssKib: Math.max(...series!.peakRssKib) };
    const peakMb = (photosync.peakRssKib! * 1024) / 1e6;
    return [
      {
        id: 'plan-synthetic',
        title: `plan over ${files.toLocaleString('en')} files (synthetic inventory, 1% new)`,
        target: 'peak RSS ≤ 300 MB, plan time ≤ 30 s',
        photosync,
        baseline: null,
        ratio: null,
        ratioMeaning: 'no baseline: the targets are absolute',
        ratioText: `${peakMb.toFixed(0)} MB peak`,
        met: photosync.median <= 30 && photosync.peakRssKib! <= RSS_LIMIT_KIB,
        metrics: {
          files,
          uploads: outputs[0]?.uploads ?? 0,
          peakRssMB: peakMb,
          inventorySeconds: median(outputs.map((o) => o.inventorySeconds)),
          generateSeconds: median(outputs.map((o) => o.generateSeconds)),
          rssWithInputMB: median(outputs.map((o) => o.rssWithInputBytes)) / 1e6,
          emptyProcessPeakRssMB: (empty.peakRssKib * 1024) / 1e6,
        },
        notes: [
          `RSS with the input built, before planning: ${(median(outputs.map((o) => o.rssWithInputBytes)) / 1e6).toFixed(0)} MB; the same process with no files peaks at ${((empty.peakRssKib * 1024) / 1e6).toFixed(0)} MB`,
          'plan time = MemoryInventory construction + makePlan from dist/, in the child; generating the input is not timed',
        ],
      },
    ];
  },
};
