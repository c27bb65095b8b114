/** The crontab block: cron-parser reads the times we meant, and sh runs the exact argv. */
import { execFileSync } from 'node:child_process';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { cron, CRON_BEGIN, CRON_END, withoutPhotosync } from '../../src/schedule/cron.ts';
import { tmpdir } from '../helpers/tmp.ts';
import { AWKWARD_DIR, expectedRuns, fakeHost, jobsFor, SCHEDULES, when } from './fixtures.ts';

const FROM = new Date('2025-03-12T13:47:00Z'); // a Wednesday afternoon

function entryLines(crontab: string): string[] {
  return crontab.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('schedule: cron', () => {
  it.each(SCHEDULES)('--every %s --at %s: cron-parser finds the runs we meant', (every, at) => {
    const w = when(every, at);
    const dir = tmpdir();
    const { crontab } = cron.render(jobsFor(dir, { apply: w }).jobs, fakeHost(dir));
    const [apply] = entryLines(crontab!);
    const fields = apply!.split(' ').slice(0, 5).join(' ');
    const parsed = CronExpressionParser.parse(fields, { currentDate: FROM, tz: 'UTC', strict: false });
    const next = parsed.take(12).map((d) => d.toDate().toISOString());
    expect(next).toEqual(expectedRuns(w, FROM, 12));
  });

  it('runs the exact argv through sh, with cron\'s % escaping undone as cron does', () => {
    const dir = tmpdir();
    const { jobs, configFile } = jobsFor(dir, { configDir: AWKWARD_DIR });
    const { crontab } = cron.render(jobs, fakeHost(dir));
    const lines = entryLines(crontab!);
    expect(lines).toHaveLength(2);
    for (const [i, line] of lines.entries()) {
      expect(line).not.toMatch(/(^|[^\\])%/); // an unescaped % would end the command
      const command = line.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
      const ran = JSON.parse(execFileSync('/bin/sh', ['-c', command], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' })) as { argv: string[]; state: string };
      expect(ran.argv).toEqual(jobs[i]!.argv.slice(2));
      expect(ran.argv).toContain(configFile);
      expect(ran.state).toBe(jobs[i]!.env['PHOTOSYNC_STATE_DIR']);
    }
    expect(lines[1]).toContain('verify --config');
    expect(lines[1]).toMatch(/--sample 5\\%$/);
  });

  it('installs no verify line without verify: in the config', () => {
    const dir = tmpdir();
    const { crontab } = cron.render(jobsFor(dir, { verify: '' }).jobs, fakeHost(dir));
    expect(entryLines(crontab!)).toHaveLength(1);
    expect(crontab).toMatch(new RegExp(`^${CRON_BEGIN.replace(/[()".;]/g, '.')}\\n[^]*\\n${CRON_END}\\n$`));
  });

  it('removes only its own block and keeps every other line as it was', () => {
    const mine = 'MAILTO=ann@example.com\n# my own backup\n0 5 * * * /usr/local/bin/other-backup --all\n';
    const block = `${CRON_BEGIN}\n30 2 * * * photosync apply\n${CRON_END}\n`;
    expect(withoutPhotosync(`${mine}${block}`)).toBe(mine);
    expect(withoutPhotosync(`${block}${mine}${block}`)).toBe(mine);
    expect(withoutPhotosync(mine)).toBe(mine);
    expect(withoutPhotosync(block)).toBe('');
    expect(() => withoutPhotosync(`${mine}${CRON_BEGIN}\n30 2 * * * x\n`)).toThrow(/without its "# END photosync"/);
  });
});
