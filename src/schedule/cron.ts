/**
 * The user's crontab: photosync's lines live between a BEGIN and an END comment, so install
 * replaces only them and uninstall removes only them; every other line stays as it was.
 */
import { ScheduleError } from '../errors.ts';
import { commandFailed, mustRun, type Exec } from './exec.ts';
import type { Installation, ScheduledJob, Scheduler } from './jobs.ts';
import { calendarOf, describeWhen, type When } from './when.ts';

export const CRON_BEGIN = '# BEGIN photosync: managed by "photosync schedule"; "photosync schedule uninstall" removes it';
export const CRON_END = '# END photosync';

export const cron: Scheduler = {
  kind: 'cron',

  render(jobs): Installation {
    const lines = [CRON_BEGIN];
    for (const job of jobs) lines.push(`# ${job.name}, ${describeWhen(job.when)}`, cronLine(job));
    lines.push(CRON_END);
    return { kind: 'cron', jobs, files: [], crontab: `${lines.join('\n')}\n`, commands: [['crontab', '-']], warnings: [] };
  },

  async install(installation, host) {
    const kept = withoutPhotosync(await readCrontab(host.exec));
    await writeCrontab(host.exec, `${kept}${installation.crontab ?? ''}`);
  },

  async uninstall(host) {
    const current = await readCrontab(host.exec);
    const kept = withoutPhotosync(current);
    if (kept === current) return [];
    await writeCrontab(host.exec, kept);
    return ['the photosync lines of your crontab'];
  },
};

/** minute hour day-of-month month day-of-week, in the machine's local time like cron itself. */
export function cronFields(when: When): string {
  const c = calendarOf(when);
  switch (c.unit) {
    case 'minute':
      return `${c.minute === 0 ? '*' : `${c.minute}-59`}/${c.step} * * * *`;
    case 'hour':
      return c.step === 1 ? `${c.minute} * * * *` : `${c.minute} ${c.hour === 0 ? '*' : `${c.hour}-23`}/${c.step} * * *`;
    case 'day':
      return `${c.minute} ${c.hour} * * *`;
    case 'week':
      return `${c.minute} ${c.hour} * * 0`;
  }
}

function cronLine(job: ScheduledJob): string {
  const env = Object.entries(job.env).map(([k, v]) => `${k}=${shellQuote(v)} `);
  // cron turns an unescaped % into a newline before the shell sees the line.
  const command = `${env.join('')}${job.argv.map(shellQuote).join(' ')}`.replace(/%/g, '\\%');
  return `${cronFields(job.when)} ${command}`;
}

/** POSIX sh quoting: bare when safe, else single quotes (a quote inside becomes '\''). */
export function shellQuote(word: string): string {
  if (/[\n\r]/.test(word)) throw new ScheduleError(`cannot put a line break in a crontab line: ${JSON.stringify(word)}`);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The crontab without photosync's block(s); a BEGIN without its END is left for the user to mend. */
export function withoutPhotosync(table: string): string {
  const out: string[] = [];
  let inside = false;
  const lines = table.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (!inside && line.startsWith('# BEGIN photosync')) inside = true;
    else if (inside && line.startsWith(CRON_END)) inside = false;
    else if (!inside) out.push(line);
  }
  if (inside) {
    throw new ScheduleError('your crontab has a "# BEGIN photosync" line without its "# END photosync"', {
      hint: 'mend it with "crontab -e" (remove the photosync lines or add the END line), then run this again',
    });
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

async function readCrontab(exec: Exec): Promise<string> {
  const result = await exec(['crontab', '-l']);
  if (result.code === 0) return result.stdout;
  // "no crontab for ann" is how every cron says the table is empty.
  if (/no crontab/i.test(result.stderr)) return '';
  throw commandFailed(['crontab', '-l'], result);
}

async function writeCrontab(exec: Exec, table: string): Promise<void> {
  await mustRun(exec, ['crontab', '-'], { input: table });
}
