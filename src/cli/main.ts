/**
 * photosync's command line: argv → a command function → an exit code. This file and
 * render-error.ts are the only places that decide what the process prints on failure and how it
 * exits. Command modules are imported when their command runs, so `photosync validate` does not
 * load SDKs it does not need.
 */
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import type { ScheduleKind } from '../schedule/jobs.ts';
import { VERSION } from '../version.ts';
import { CommandContext, type CommonOptions } from './context.ts';
import type { Io } from './output.ts';
import { renderError } from './render-error.ts';

export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  let ctx: CommandContext | undefined;
  const started = Date.now();

  const program = new Command('photosync')
    .description('Append-only photo backup to several places at once: plan, review, apply.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true);
  withCommon(program);

  const run =
    <A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<ExitCode>) =>
    async (...args: [...A, Record<string, unknown>, Command]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const options = command.optsWithGlobals() as CommonOptions;
      ctx = new CommandContext(io, options);
      if (options.logFile !== undefined) {
        const { openFileLog } = await import('../log/file-log.ts');
        ctx.log = await openFileLog(path.resolve(io.cwd, options.logFile), { command: commandPath(command) });
        ctx.log.info('command.start', { argv, config: ctx.configFile, version: VERSION, node: process.version, platform: process.platform, cwd: io.cwd });
      }
      exitCode = await fn(ctx, ...(args.slice(0, -1) as A));
    };

  withCommon(
    program
      .command('init')
      .description('write a commented starter config with the photo folders found on this machine')
      .option('--force', 'replace the config file if it exists'),
  ).action(run(async (c, opts: Record<string, unknown>) => (await import('./commands/init.ts')).initCommand(c, { force: opts['force'] as boolean | undefined })));

  withCommon(program.command('validate').description('check the config; exit 0 when valid, 1 with every problem listed when not')).action(
    run(async (c) => (await import('./commands/validate.ts')).validateCommand(c)),
  );

  withCommon(
    program
      .command('plan')
      .description('scan the sources, compare with every remote, and show (or save) what apply would upload')
      .option('-o, --out <file>', 'save the plan (versioned JSON) for review and for "photosync apply FILE"')
      .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when there are changes, 1 on error')
      .option('--refresh', 're-list every remote instead of trusting what photosync recorded'),
  ).action(
    run(async (c, opts: Record<string, unknown>) =>
      (await import('./commands/plan.ts')).planCommand(c, {
        out: opts['out'] as string | undefined,
        detailedExitcode: opts['detailedExitcode'] as boolean | undefined,
        refresh: opts['refresh'] as boolean | undefined,
      }),
    ),
  );

  withCommon(
    program
      .command('apply')
      .description('carry out a saved plan exactly, or plan and apply in one go')
      .argument('[plan]', 'plan file from "photosync plan --out"')
      .option('--refresh', 're-list every remote before planning (without a plan file)')
      .option('--max-transfer <size>', 'start no upload past this many bytes, e.g. 50G')
      .option('--max-duration <duration>', 'start no upload after this long, e.g. 2h or 1h30m')
      .option('--transfers <n>', 'uploads in parallel per remote (overrides the config)')
      .option('--bwlimit <limit>', 'upload bandwidth for the whole run: 4M, or a timetable "08:00,512k 19:00,10M 23:00,off"'),
  ).action(
    run(async (c, planPath: string | undefined, opts: Record<string, unknown>) =>
      (await import('./commands/apply.ts')).applyCommand(c, planPath, {
        refresh: opts['refresh'] as boolean | undefined,
        maxTransfer: opts['maxTransfer'] as string | undefined,
        maxDuration: opts['maxDuration'] as string | undefined,
        transfers: opts['transfers'] as string | undefined,
        bwlimit: opts['bwlimit'] as string | undefined,
      }),
    ),
  );

  withCommon(
    program
      .command('report')
      .description('how many photos meet the backup rule (3-2-1), now and after the pending plan')
      .option('--plan <file>', 'count a saved plan as the pending one'),
  ).action(
    run(async (c, opts: Record<string, unknown>) =>
      (await import('./commands/report.ts')).reportCommand(c, { plan: opts['plan'] as string | undefined }),
    ),
  );

  const auth = program.command('auth').description('sign cloud remotes in, store WebDAV passwords, see where credentials stand');
  withCommon(
    auth
      .command('login')
      .description('sign a Drive, Dropbox or OneDrive remote in (OAuth with PKCE); tokens go to the OS keychain')
      .argument('<remote>', 'the remote’s name in the config')
      .option('--no-browser', 'do not open a browser: print the URL, and accept the address the browser ends on, pasted')
      .option('--device', 'sign in with a code typed on another device (OneDrive, Drive)')
      .option('--port <port>', 'loopback port for the redirect (Dropbox default 53682, others any free port)')
      .option('--client-secret-stdin', 'read the OAuth client secret, if your client has one, from standard input'),
  ).action(
    run(async (c, remote: string, opts: Record<string, unknown>) =>
      (await import('./commands/auth.ts')).authLoginCommand(c, remote, {
        noBrowser: opts['browser'] === false,
        device: opts['device'] as boolean | undefined,
        port: opts['port'] as string | undefined,
        clientSecretStdin: opts['clientSecretStdin'] as boolean | undefined,
      }),
    ),
  );
  withCommon(auth.command('status').description('whether each remote has credentials, and where they are kept')).action(
    run(async (c) => (await import('./commands/auth.ts')).authStatusCommand(c)),
  );
  withCommon(auth.command('logout').description('forget a remote’s stored credentials').argument('<remote>')).action(
    run(async (c, remote: string) => (await import('./commands/auth.ts')).authLogoutCommand(c, remote)),
  );
  withCommon(
    auth
      .command('set')
      .description('store a WebDAV remote’s password in the OS keychain')
      .argument('<remote>')
      .option('--password-stdin', 'read the password from standard input instead of asking'),
  ).action(
    run(async (c, remote: string, opts: Record<string, unknown>) =>
      (await import('./commands/auth.ts')).authSetCommand(c, remote, { passwordStdin: opts['passwordStdin'] as boolean | undefined }),
    ),
  );

  const state = program.command('state').description('what photosync knows: show it, or rebuild it from the remotes and sources');
  withCommon(state.command('show').description('lineage, serial, what each remote holds, the last runs')).action(
    run(async (c) => (await import('./commands/state.ts')).stateShowCommand(c)),
  );
  withCommon(
    state.command('rebuild').description('move a damaged or foreign state aside and rebuild it by listing the remotes and scanning the sources'),
  ).action(run(async (c) => (await import('./commands/state.ts')).stateRebuildCommand(c)));

  const schedule = program
    .command('schedule')
    .description('run apply (and verify, with "verify:" in the config) unattended: cron, systemd, launchd or Task Scheduler');
  const when = (command: Command): Command =>
    command
      .option('--every <interval>', 'how often: 15m, 1h, 6h, 12h, 1d, 7d (Sundays)… on the clock from midnight')
      .option('--at <HH:MM>', `time of day of the (first) run of the day (default with neither: daily at 02:30)`);
  const kindOption = (): Option => new Option('--kind <kind>', 'scheduler (default: systemd or cron on Linux, launchd on macOS, Task Scheduler on Windows)').choices(['cron', 'systemd', 'launchd', 'windows']);
  const scheduleOptions = (opts: Record<string, unknown>) => ({
    every: opts['every'] as string | undefined,
    at: opts['at'] as string | undefined,
    kind: opts['kind'] as ScheduleKind | undefined,
  });
  withCommon(when(schedule.command('print').description('show exactly what install would write and run').addOption(kindOption()))).action(
    run(async (c, opts: Record<string, unknown>) => (await import('./commands/schedule.ts')).schedulePrintCommand(c, scheduleOptions(opts))),
  );
  withCommon(when(schedule.command('install').description('install (or replace) the photosync schedule').addOption(kindOption()))).action(
    run(async (c, opts: Record<string, unknown>) => (await import('./commands/schedule.ts')).scheduleInstallCommand(c, scheduleOptions(opts))),
  );
  withCommon(schedule.command('uninstall').description('remove every photosync job install made').addOption(kindOption())).action(
    run(async (c, opts: Record<string, unknown>) => (await import('./commands/schedule.ts')).scheduleUninstallCommand(c, { kind: opts['kind'] as ScheduleKind | undefined })),
  );

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (and usage) already; no command ran, so nothing to log.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const out = ctx?.out ?? new CommandContext(io, {}).out;
    exitCode = renderError(err, out, ctx?.stateFile, ctx?.log);
  }
  if (ctx) {
    ctx.log[exitCode === ExitCode.Ok ? 'info' : 'warn']('command.end', { exitCode, durationMs: Date.now() - started });
    await ctx.log.close();
  }
  return exitCode;
}

/** "apply", "auth login": the command as the user typed it, without the program's name. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function withCommon(command: Command): Command {
  return command
    .addOption(new Option('-c, --config <file>', 'config file (default: $PHOTOSYNC_CONFIG, else ./photosync.yaml)'))
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'print only errors')
    .option('-v, --verbose', 'print more detail')
    .option('--log-file <file>', 'also record what happens as JSON lines in FILE (rotated daily and at 10 MB, 7 files kept)');
}
