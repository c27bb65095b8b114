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
      const options = command.optsWithGlobals() as CommonOptions & { format?: unknown };
      // --format json is --json: JSON on stdout, and errors as JSON too.
      ctx = new CommandContext(io, { ...options, json: options.json === true || options.format === 'json' });
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
      .addOption(formatOption(['text', 'markdown', 'json'], 'how to print the plan: text, markdown (for a pull-request comment) or json'))
      .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when there are changes, 1 on error')
      .option('--refresh', 're-list every remote instead of trusting what photosync recorded')
      .option('--allow-partial', 'when a remote is short of space, plan what fits and leave the rest for later'),
  ).action(
    run(async (c, opts: Record<string, unknown>) =>
      (await import('./commands/plan.ts')).planCommand(c, {
        out: opts['out'] as string | undefined,
        format: opts['format'] as string | undefined,
        // The program's own --json takes the flag wherever it is written: read it from the context.
        json: c.out.json,
        detailedExitcode: opts['detailedExitcode'] as boolean | undefined,
        refresh: opts['refresh'] as boolean | undefined,
        allowPartial: opts['allowPartial'] as boolean | undefined,
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
      .option('--allow-partial', 'when a remote is short of space, upload what fits and leave the rest for later')
      .option('--bwlimit <limit>', 'upload bandwidth for the whole run: 4M, or a timetable "08:00,512k 19:00,10M 23:00,off"'),
  ).action(
    run(async (c, planPath: string | undefined, opts: Record<string, unknown>) =>
      (await import('./commands/apply.ts')).applyCommand(c, planPath, {
        refresh: opts['refresh'] as boolean | undefined,
        maxTransfer: opts['maxTransfer'] as string | undefined,
        maxDuration: opts['maxDuration'] as string | undefined,
        transfers: opts['transfers'] as string | undefined,
        bwlimit: opts['bwlimit'] as string | undefined,
        allowPartial: opts['allowPartial'] as boolean | undefined,
      }),
    ),
  );

  withCommon(
    program
      .command('report')
      .description('how many photos meet the backup rule (3-2-1), now and after the pending plan')
      .option('--plan <file>', 'count a saved plan as the pending one')
      .addOption(formatOption(['text', 'markdown', 'json', 'html'], 'text, markdown (for a pull-request comment), json, or html (one self-contained file); default: from --out\'s extension, else text'))
      .option('-o, --out <file>', 'write the report to this file (whole or not at all) instead of standard output'),
  ).action(
    run(async (c, opts: Record<string, unknown>) =>
      (await import('./commands/report.ts')).reportCommand(c, {
        plan: opts['plan'] as string | undefined,
        out: opts['out'] as string | undefined,
        format: opts['format'] as string | undefined,
        // The program's own --json takes the flag wherever it is written: read it from the context.
        json: c.out.json,
      }),
    ),
  );

  withCommon(
    program
      .command('verify')
      .description('read back what the backups hold and check every byte; exit 1 if anything is missing or damaged')
      .option('--remote <name>', 'only this remote')
      .option('--sample <sample>', 'how much: a share (5%), a count (200) or all; least recently verified first', 'all'),
  ).action(
    run(async (c, opts: Record<string, unknown>) =>
      (await import('./commands/verify.ts')).verifyCommand(c, { remote: opts['remote'] as string | undefined, sample: opts['sample'] as string | undefined }),
    ),
  );

  withCommon(
    program
      .command('restore')
      .description('copy photos back from a remote, checked byte for byte, never overwriting a local file')
      .requiredOption('--from <remote>', 'the remote to restore from')
      .requiredOption('--to <dir>', 'the folder to restore into (created if missing)')
      .option('--since <date>', 'photos taken on or after this date (YYYY-MM-DD)')
      .option('--until <date>', 'photos taken on or before this date (YYYY-MM-DD)')
      .option('--path <glob...>', 'only paths (on the remote) matching these globs')
      .option('--transfers <n>', 'downloads in parallel'),
  ).action(
    run(async (c, opts: Record<string, unknown>) =>
      (await import('./commands/restore.ts')).restoreCommand(c, {
        from: opts['from'] as string,
        to: opts['to'] as string,
        since: opts['since'] as string | undefined,
        until: opts['until'] as string | undefined,
        path: opts['path'] as string[] | undefined,
        transfers: opts['transfers'] as string | undefined,
      }),
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

function formatOption(formats: readonly string[], description: string): Option {
  return new Option('--format <format>', description).choices(formats);
}

function withCommon(command: Command): Command {
  return command
    .addOption(new Option('-c, --config <file>', 'config file (default: $PHOTOSYNC_CONFIG, else ./photosync.yaml)'))
    .option('--json', 'print the result as JSON on stdout (where there is --format: the same as --format json)')
    .option('-q, --quiet', 'print only errors')
    .option('-v, --verbose', 'print more detail')
    .option('--log-file <file>', 'also record what happens as JSON lines in FILE (rotated daily and at 10 MB, 7 files kept)');
}
