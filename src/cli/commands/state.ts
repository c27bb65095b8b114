/** photosync state show | rebuild: look at, or start over, what photosync knows. */
import { existsSync } from 'node:fs';
import { ExitCode } from '../../exit-codes.ts';
import { rebuildState } from '../../pipeline/rebuild-state.ts';
import type { CommandContext } from '../context.ts';
import { scanProgressReporter } from '../progress.ts';
import { plural } from '../../report/format.ts';

export async function stateShowCommand(ctx: CommandContext): Promise<ExitCode> {
  // Looking must not create: a state that does not exist yet is said to be missing.
  const file = ctx.loadConfig().statePath;
  if (!existsSync(file)) {
    if (ctx.out.json) ctx.out.result({ file, exists: false });
    else ctx.out.line(`no state at ${file} yet: "photosync plan" or "photosync apply" makes it`);
    return ExitCode.Ok;
  }
  const session = await ctx.openSession();
  try {
    const basis = session.state.basis();
    const remotes = session.remotes.map((h) => ({
      name: h.config.name,
      files: session.state.inventories.count(h.record.id),
      listedAt: h.record.listedAt === null ? null : new Date(h.record.listedAt).toISOString(),
    }));
    const runs = session.state.journal.recentRuns(5).map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      serial: r.serial,
      startedAt: new Date(r.startedAt).toISOString(),
      finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
    }));
    if (ctx.out.json) {
      ctx.out.result({ file: session.state.file, exists: true, ...basis, remotes, runs, unfinishedUploads: session.state.uploadSessions.count() });
      return ExitCode.Ok;
    }
    ctx.out.line(`state ${session.state.file}`);
    ctx.out.line(`  lineage ${basis.lineage}, serial ${basis.serial}`);
    for (const r of remotes) ctx.out.line(`  ${r.name}: ${plural(r.files, 'file')} recorded${r.listedAt ? `, last listed ${r.listedAt}` : ''}`);
    for (const r of runs) ctx.out.line(`  run ${r.id} (${r.kind}, serial ${r.serial}): ${r.status}, started ${r.startedAt}`);
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}

export async function stateRebuildCommand(ctx: CommandContext): Promise<ExitCode> {
  const config = ctx.loadConfig();
  const progress = scanProgressReporter(ctx.out);
  const report = await rebuildState(config, ctx.io.env, {
    onRemote: (name) => ctx.out.note(`listing ${name}…`),
    onScanProgress: (p) => progress.update(p),
  });
  progress.stop();
  if (ctx.out.json) {
    ctx.out.result(report);
    return ExitCode.Ok;
  }
  for (const file of report.movedAside) ctx.out.line(`moved the old state aside: ${file}`);
  ctx.out.line(`scanned ${plural(report.sourceFiles, 'source file')}`);
  for (const r of report.remotes) {
    ctx.out.line(`  ${r.remote}: ${plural(r.listed, 'file')} listed, ${r.identified} identified by content`);
    for (const name of r.refused) ctx.out.warn(`${r.remote}: refused a listed name ${name}`);
  }
  ctx.out.line('The state is rebuilt; run "photosync plan" to see what is missing where.');
  return ExitCode.Ok;
}
