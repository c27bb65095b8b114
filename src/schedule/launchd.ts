/**
 * macOS launchd agents: one plist per job in ~/Library/LaunchAgents, loaded with `launchctl
 * load -w`. StartCalendarInterval runs a job missed during sleep when the Mac wakes up.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { JOB_NAMES, removeFiles, replaceWithFiles, type Host, type Installation, type JobName, type ScheduledJob, type Scheduler } from './jobs.ts';
import { calendarOf, timesOfDay } from './when.ts';
import { xmlEscape } from './xml.ts';

export const launchdLabel = (job: JobName): string => `io.github.photosync.${job}`;

export const launchd: Scheduler = {
  kind: 'launchd',

  render(jobs, host): Installation {
    const files = jobs.map((job) => ({ path: plistPath(host, job.name), contents: plist(job), encoding: 'utf8' as const }));
    return { kind: 'launchd', jobs, files, crontab: null, commands: files.map((f) => ['launchctl', 'load', '-w', f.path]), warnings: [] };
  },

  install(installation, host) {
    return replaceWithFiles(this, installation, host);
  },

  async uninstall(host) {
    const present = JOB_NAMES.map((name) => plistPath(host, name)).filter((p) => existsSync(p));
    // unload fails for an agent that is not loaded (removed by hand, never loaded): still remove the file.
    for (const file of present) await host.exec(['launchctl', 'unload', '-w', file]);
    await removeFiles(present);
    return present;
  },
};

function plistPath(host: Host, job: JobName): string {
  return path.join(host.home, 'Library', 'LaunchAgents', `${launchdLabel(job)}.plist`);
}

function plist(job: ScheduledJob): string {
  const string = (s: string): string => `<string>${xmlEscape(s)}</string>`;
  const int = (key: string, n: number): string => `<key>${key}</key><integer>${n}</integer>`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by "photosync schedule install"; "photosync schedule uninstall" removes it. -->',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>${string(launchdLabel(job.name))}`,
    `  <key>ProgramArguments</key>`,
    '  <array>',
    ...job.argv.map((a) => `    ${string(a)}`),
    '  </array>',
  ];
  const env = Object.entries(job.env);
  if (env.length > 0) {
    lines.push('  <key>EnvironmentVariables</key>', '  <dict>');
    for (const [k, v] of env) lines.push(`    <key>${xmlEscape(k)}</key>${string(v)}`);
    lines.push('  </dict>');
  }
  lines.push('  <key>StartCalendarInterval</key>', '  <array>');
  for (const entry of calendarEntries(job)) lines.push(`    <dict>${entry}</dict>`);
  lines.push(
    '  </array>',
    '  <key>ProcessType</key><string>Background</string>',
    '  <key>LowPriorityIO</key><true/>',
    `  ${int('Nice', 10)}`,
    '</dict>',
    '</plist>',
    '',
  );
  return lines.join('\n');

  function calendarEntries(j: ScheduledJob): string[] {
    const c = calendarOf(j.when);
    // A dict without Hour fires every hour at its Minute; one without Weekday every day.
    if (c.unit === 'minute') return timesOfDay(j.when).filter((t) => t.hour === 0).map((t) => int('Minute', t.minute));
    const weekday = c.unit === 'week' ? int('Weekday', 0) : '';
    return timesOfDay(j.when).map((t) => `${weekday}${int('Hour', t.hour)}${int('Minute', t.minute)}`);
  }
}
