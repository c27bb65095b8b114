/**
 * photosync verify [--remote R] [--sample 5%|200|all]: read back what the state says each remote
 * holds and check it; exit 1 when anything is missing or wrong (the next apply repairs it).
 */
import { UsageError, ApplyFailedError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { withApplyLock } from '../../pipeline/apply-plan.ts';
import { parseSample, verifyRemotes, type VerifyReport } from '../../pipeline/verify.ts';
import { formatBytes } from '../../units.ts';
import type { CommandContext } from '../context.ts';
import { plural } from '../../report/format.ts';

export async function verifyCommand(ctx: CommandContext, options: { remote?: string | undefined; sample?: string | undefined }): Promise<ExitCode> {
  const sample = parseSample(options.sample ?? 'all');
  if (!sample) throw new UsageError(`--sample ${options.sample} is not a sample`, { hint: 'e.g. --sample 5% (a share), --sample 200 (a count) or --sample all' });
  const session = await ctx.openSession();
  try {
    if (options.remote && !session.remotes.some((h) => h.config.name === options.remote)) {
      throw new UsageError(`no remote named "${options.remote}"`, { hint: `remotes: ${session.remotes.map((h) => h.config.name).join(', ')}` });
    }
    // Under the apply lock: verify corrects the state, which must not race an apply.
    const report = await withApplyLock(session, async () => {
      const runId = session.state.journal.startRun('verify', session.state.basis().serial, null, session.config.hash);
      const result = await verifyRemotes(session, { remote: options.remote, sample });
      session.state.journal.finishRun(runId, result.findings.length > 0 ? 'failed' : 'succeeded', {
        checked: result.remotes.reduce((n, r) => n + r.checked, 0),
        findings: result.findings.length,
      });
      return result;
    });
    render(ctx, report);
    if (report.findings.length > 0) {
      throw new ApplyFailedError(`${plural(report.findings.length, 'problem')} found in the backups`, {
        hint: 'run "photosync apply": missing and damaged photos are uploaded again (nothing is overwritten)',
      });
    }
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}

function render(ctx: CommandContext, report: VerifyReport): void {
  if (ctx.out.json) {
    ctx.out.result(report);
    return;
  }
  for (const r of report.remotes) {
    ctx.out.line(`${r.remote}: read back ${plural(r.checked, 'file')} of ${r.recorded} (${formatBytes(r.bytes)}), ${r.ok} intact`);
  }
  for (const f of report.findings) ctx.io.stderr.write(`  ${f.remote}: ${f.path}: ${f.problem}: ${f.detail}\n`);
  if (report.findings.length === 0) ctx.out.line('Every file read back is intact.');
}
