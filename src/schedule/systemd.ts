/**
 * systemd user units: for each job a oneshot service and a timer in ~/.config/systemd/user
 * (or $XDG_CONFIG_HOME/systemd/user), enabled with `systemctl --user enable --now`. Timers are
 * on the calendar with Persistent=true, so a run missed while the machine was off happens at
 * the next boot. Output goes to the journal (`journalctl --user -u photosync-apply`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ScheduleError } from '../errors.ts';
import { mustRun } from './exec.ts';
import { JOB_NAMES, removeFiles, replaceWithFiles, type Host, type Installation, type ScheduleFile, type Scheduler } from './jobs.ts';
import { calendarOf, describeWhen, type When } from './when.ts';

const HEADER = '# Written by "photosync schedule install"; "photosync schedule uninstall" removes it.';

export const systemd: Scheduler = {
  kind: 'systemd',

  render(jobs, host): Installation {
    const dir = unitDir(host);
    const files: ScheduleFile[] = [];
    for (const job of jobs) {
      const unit = `photosync-${job.name}`;
      const service = [
        HEADER,
        '[Unit]',
        `Description=${escapeSpecifiers(job.description)}`,
        '',
        '[Service]',
        'Type=oneshot',
        ...Object.entries(job.env).map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`, false)}`),
        `ExecStart=${job.argv.map((w) => systemdWord(w, true)).join(' ')}`,
        // A backup should not slow down whoever is using the machine.
        'Nice=10',
        'IOSchedulingClass=idle',
        '',
      ];
      const timer = [
        HEADER,
        '[Unit]',
        `Description=${escapeSpecifiers(`${job.description}, ${describeWhen(job.when)}`)}`,
        '',
        '[Timer]',
        `OnCalendar=${onCalendar(job.when)}`,
        'Persistent=true',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ];
      files.push({ path: path.join(dir, `${unit}.service`), contents: service.join('\n'), encoding: 'utf8' });
      files.push({ path: path.join(dir, `${unit}.timer`), contents: timer.join('\n'), encoding: 'utf8' });
    }
    const timers = jobs.map((j) => `photosync-${j.name}.timer`);
    return {
      kind: 'systemd',
      jobs,
      files,
      crontab: null,
      commands: [
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', ...timers],
      ],
      warnings: [],
    };
  },

  install(installation, host) {
    return replaceWithFiles(this, installation, host);
  },

  async uninstall(host) {
    const dir = unitDir(host);
    const present = JOB_NAMES.flatMap((name) => [`photosync-${name}.timer`, `photosync-${name}.service`]).filter((f) => existsSync(path.join(dir, f)));
    if (present.length === 0) return [];
    const timers = present.filter((f) => f.endsWith('.timer'));
    // disable removes the timers.target.wants links that enable made; --now stops them.
    if (timers.length > 0) await mustRun(host.exec, ['systemctl', '--user', 'disable', '--now', ...timers]);
    const files = present.map((f) => path.join(dir, f));
    await removeFiles(files);
    await mustRun(host.exec, ['systemctl', '--user', 'daemon-reload']);
    return files;
  },
};

export function unitDir(host: Host): string {
  const xdg = host.env['XDG_CONFIG_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(host.home, '.config');
  return path.join(base, 'systemd', 'user');
}

/** The timer's OnCalendar= expression, in local time. */
export function onCalendar(when: When): string {
  const c = calendarOf(when);
  const two = (n: number): string => String(n).padStart(2, '0');
  switch (c.unit) {
    case 'minute':
      return `*-*-* *:${two(c.minute)}/${c.step}:00`;
    case 'hour':
      return `*-*-* ${two(c.hour)}/${c.step}:${two(c.minute)}:00`;
    case 'day':
      return `*-*-* ${two(c.hour)}:${two(c.minute)}:00`;
    case 'week':
      return `Sun *-*-* ${two(c.hour)}:${two(c.minute)}:00`;
  }
}

function escapeSpecifiers(text: string): string {
  return text.replace(/%/g, '%%');
}

/**
 * One word of a unit file's command line or Environment= assignment: bare when safe, else in
 * double quotes with C escapes; `%` is a specifier everywhere and `$` a variable in ExecStart.
 */
export function systemdWord(word: string, exec: boolean): string {
  if (/[\n\r]/.test(word)) throw new ScheduleError(`cannot put a line break in a systemd unit: ${JSON.stringify(word)}`);
  let escaped = escapeSpecifiers(word);
  if (exec) escaped = escaped.replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
