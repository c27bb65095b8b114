/**
 * Windows Task Scheduler: one task per job ("photosync", "photosync-verify"), created from an XML
 * definition with `schtasks /Create /XML FILE /TN NAME /F`. The task runs as the signed-in user
 * (no password stored), catches up after the machine was off, and never runs twice at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { mustRun } from './exec.ts';
import { JOB_NAMES, removeFiles, replaceWithFiles, type Host, type Installation, type JobName, type ScheduledJob, type Scheduler } from './jobs.ts';
import { calendarOf, hhmm } from './when.ts';
import { xmlEscape } from './xml.ts';

export const taskName = (job: JobName): string => (job === 'apply' ? 'photosync' : `photosync-${job}`);

export const windows: Scheduler = {
  kind: 'windows',

  render(jobs, host): Installation {
    const files = jobs.map((job) => ({ path: xmlPath(host, job.name), contents: taskXml(job, host.env), encoding: 'utf16le' as const }));
    const warnings = jobs.some((j) => Object.keys(j.env).length > 0)
      ? [
          `Task Scheduler cannot give the task environment variables; set ${Object.keys(jobs[0]?.env ?? {}).join(', ')} for your user (setx) or put "state:" in the config`,
        ]
      : [];
    return {
      kind: 'windows',
      jobs,
      files,
      crontab: null,
      commands: jobs.map((job) => ['schtasks', '/Create', '/XML', xmlPath(host, job.name), '/TN', taskName(job.name), '/F']),
      warnings,
    };
  },

  install(installation, host) {
    return replaceWithFiles(this, installation, host);
  },

  async uninstall(host) {
    const removed: string[] = [];
    for (const name of JOB_NAMES) {
      const query = await host.exec(['schtasks', '/Query', '/TN', taskName(name)]);
      if (query.code === 0) {
        await mustRun(host.exec, ['schtasks', '/Delete', '/TN', taskName(name), '/F']);
        removed.push(`task ${taskName(name)}`);
      }
      const file = xmlPath(host, name);
      if (existsSync(file)) {
        await removeFiles([file]);
        removed.push(file);
      }
    }
    return removed;
  },
};

/** Where the definitions are kept (Task Scheduler copies them in; they document what was made). */
function xmlPath(host: Host, job: JobName): string {
  const local = host.env['LOCALAPPDATA'] ?? path.join(host.home, 'AppData', 'Local');
  return path.join(local, 'photosync', 'schedule', `${taskName(job)}.xml`);
}

function taskXml(job: ScheduledJob, env: NodeJS.ProcessEnv): string {
  const c = calendarOf(job.when);
  // A fixed Sunday in the past: the schedule repeats from it, in local time (no time zone).
  const start = `2000-01-02T${hhmm(job.when.atMinutes)}:00`;
  const repetition =
    c.unit === 'minute' || c.unit === 'hour'
      ? [
          '      <Repetition>',
          `        <Interval>${c.unit === 'minute' ? `PT${c.step}M` : `PT${c.step}H`}</Interval>`,
          '        <Duration>P1D</Duration>',
          '        <StopAtDurationEnd>false</StopAtDurationEnd>',
          '      </Repetition>',
        ]
      : [];
  const schedule =
    c.unit === 'week'
      ? ['      <ScheduleByWeek>', '        <WeeksInterval>1</WeeksInterval>', '        <DaysOfWeek><Sunday /></DaysOfWeek>', '      </ScheduleByWeek>']
      : ['      <ScheduleByDay>', '        <DaysInterval>1</DaysInterval>', '      </ScheduleByDay>'];
  const user = env['USERNAME'] ? `${env['USERDOMAIN'] ? `${env['USERDOMAIN']}\\` : ''}${env['USERNAME']}` : null;
  const [program = '', ...args] = job.argv;
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<!-- Written by "photosync schedule install"; "photosync schedule uninstall" removes it. -->',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    `    <Description>${xmlEscape(job.description)}</Description>`,
    `    <URI>\\${taskName(job.name)}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <CalendarTrigger>',
    `      <StartBoundary>${start}</StartBoundary>`,
    ...repetition,
    ...schedule,
    '    </CalendarTrigger>',
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    ...(user ? [`      <UserId>${xmlEscape(user)}</UserId>`] : []),
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    // No time limit: a first backup of a large library can take days.
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Priority>7</Priority>',
    '    <Enabled>true</Enabled>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlEscape(program)}</Command>`,
    `      <Arguments>${xmlEscape(args.map(windowsArg).join(' '))}</Arguments>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

/** One argument as the Microsoft C runtime splits a command line (CommandLineToArgvW rules). */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    out += ch === '"' ? `${'\\'.repeat(backslashes * 2 + 1)}"` : `${'\\'.repeat(backslashes)}${ch}`;
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}
