/**
 * photosync schedule install | uninstall | print: runs `photosync apply` (and `photosync verify`
 * when the config has `verify:`) unattended, with cron, a systemd user timer, a launchd agent or
 * a Windows scheduled task. `print` shows exactly what `install` writes and runs.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { UsageError } from '../../errors.ts';
import { describeSeries } from '../../log/series.ts';
import { ExitCode } from '../../exit-codes.ts';
import { SchedulerMissingError, systemExec } from '../../schedule/exec.ts';
import { defaultKind, platformKinds, SCHEDULERS } from '../../schedule/index.ts';
import { currentInvocation, scheduledJobs, variablesReadBy, type Host, type Installation, type ScheduleKind } from '../../schedule/jobs.ts';
import { describeWhen, hhmm, parseWhen } from '../../schedule/when.ts';
import type { CommandContext } from '../context.ts';

export interface ScheduleOptions {
  readonly every?: string | undefined;
  readonly at?: string | undefined;
  readonly kind?: ScheduleKind | undefined;
}

/** A nightly run when the user gives neither --every nor --at. */
export const DEFAULT_AT = '02:30';

export async function schedulePrintCommand(ctx: CommandContext, options: ScheduleOptions): Promise<ExitCode> {
  const { installation, warnings } = await prepare(ctx, options);
  const out = ctx.out;
  if (out.json) {
    out.result(asJson(installation, warnings));
    return ExitCode.Ok;
  }
  describe(ctx, installation);
  if (installation.crontab !== null) {
    out.line('install adds these lines to your crontab (every other line stays):');
    out.line();
    out.line(installation.crontab.trimEnd());
  } else {
    out.line('install writes:');
    for (const file of installation.files) {
      out.line();
      out.line(`# ${file.path}${file.encoding === 'utf16le' ? ' (UTF-16)' : ''}`);
      out.line(file.contents.replace(/\r\n/g, '\n').trimEnd());
    }
  }
  out.line();
  out.line('and runs:');
  for (const command of installation.commands) out.line(`  ${command.join(' ')}`);
  for (const w of warnings) out.warn(w);
  return ExitCode.Ok;
}

export async function scheduleInstallCommand(ctx: CommandContext, options: ScheduleOptions): Promise<ExitCode> {
  const { installation, warnings, host } = await prepare(ctx, options);
  await SCHEDULERS[installation.kind].install(installation, host);
  ctx.log.info('schedule.installed', { kind: installation.kind, jobs: installation.jobs.map((j) => ({ name: j.name, when: describeWhen(j.when) })) });
  if (ctx.out.json) {
    ctx.out.result({ installed: true, ...asJson(installation, warnings) });
    return ExitCode.Ok;
  }
  describe(ctx, installation);
  ctx.out.line(`Installed. "photosync schedule print" shows what was written; "photosync schedule uninstall" removes it.`);
  for (const w of warnings) ctx.out.warn(w);
  return ExitCode.Ok;
}

export async function scheduleUninstallCommand(ctx: CommandContext, options: Pick<ScheduleOptions, 'kind'>): Promise<ExitCode> {
  const host = hostFor(ctx);
  const kinds = options.kind ? [options.kind] : platformKinds(process.platform);
  const removed: { kind: ScheduleKind; items: string[] }[] = [];
  for (const kind of kinds) {
    try {
      removed.push({ kind, items: await SCHEDULERS[kind].uninstall(host) });
    } catch (err) {
      // Without --kind, a scheduler this machine does not have cannot hold a photosync job.
      if (options.kind || !(err instanceof SchedulerMissingError)) throw err;
    }
  }
  const items = removed.flatMap((r) => r.items);
  ctx.log.info('schedule.uninstalled', { removed });
  if (ctx.out.json) ctx.out.result({ removed });
  else if (items.length === 0) ctx.out.line(`No photosync schedule found (looked at: ${kinds.join(', ')}).`);
  else for (const r of removed) for (const item of r.items) ctx.out.line(`removed (${r.kind}): ${item}`);
  return ExitCode.Ok;
}

async function prepare(ctx: CommandContext, options: ScheduleOptions): Promise<{ installation: Installation; warnings: string[]; host: Host }> {
  const parsed = parseWhen(options.every, options.at, DEFAULT_AT);
  if (!parsed.ok) {
    const given = parsed.field === 'every' ? options.every : options.at;
    throw new UsageError(`--${parsed.field} ${given ?? ''}: ${parsed.message}`, { hint: parsed.hint });
  }
  const config = ctx.loadConfig();
  const host = hostFor(ctx);
  const kind = options.kind ?? (await defaultKind(process.platform, host.exec));
  const invocation = currentInvocation();
  const jobs = scheduledJobs({ config, apply: parsed.when, invocation, env: ctx.io.env });
  const installation = SCHEDULERS[kind].render(jobs, host);
  const warnings = [...installation.warnings];
  const variables = variablesReadBy(readFileSync(config.file, 'utf8'));
  if (variables.length > 0) {
    warnings.push(
      `the config reads ${variables.join(', ')} from the environment, which a scheduled job does not get from your shell: give the job these variables, or write defaults (\${NAME:-value}) in the config; keep passwords in the keychain ("photosync auth set")`,
    );
  }
  if (/[\\/]_npx[\\/]/.test(invocation.entry)) {
    warnings.push(`photosync is running from npx's cache (${invocation.entry}), which may be cleaned: install it ("npm install --global photosync") and install the schedule again`);
  }
  return { installation, warnings, host };
}

function hostFor(ctx: CommandContext): Host {
  return { home: homedir(), env: ctx.io.env, exec: systemExec(ctx.io.env) };
}

function describe(ctx: CommandContext, installation: Installation): void {
  const width = Math.max(...installation.jobs.map((j) => j.name.length));
  ctx.out.line(`photosync schedule (${installation.kind}):`);
  for (const job of installation.jobs) {
    ctx.out.line(`  ${job.name.padEnd(width)}  ${describeWhen(job.when)}, logging to ${describeSeries(job.logFile)}`);
  }
  ctx.out.line();
}

function asJson(installation: Installation, warnings: readonly string[]): Record<string, unknown> {
  return {
    kind: installation.kind,
    jobs: installation.jobs.map((j) => ({
      name: j.name,
      when: describeWhen(j.when),
      everyMinutes: j.when.everyMinutes,
      at: hhmm(j.when.atMinutes),
      argv: j.argv,
      env: j.env,
      logFile: j.logFile,
    })),
    files: installation.files.map((f) => ({ path: f.path, encoding: f.encoding, contents: f.contents })),
    crontab: installation.crontab,
    commands: installation.commands,
    warnings,
  };
}
