/** --every / --at and the config's verify.every: what is accepted, and when that runs. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError, formatConfigIssue } from '../../src/errors.ts';
import { calendarOf, describeWhen, parseWhen, timesOfDay, type When } from '../../src/schedule/when.ts';

function when(every: string | undefined, at: string | undefined): When {
  const r = parseWhen(every, at, '02:30');
  if (!r.ok) throw new Error(r.message);
  return r.when;
}

describe('schedule: when', () => {
  it('runs daily at 02:30 by default, at --at alone daily, and --every on the clock from midnight', () => {
    expect(describeWhen(when(undefined, undefined))).toBe('daily at 02:30');
    expect(describeWhen(when(undefined, '7:05'))).toBe('daily at 07:05');
    expect(describeWhen(when('6h', undefined))).toBe('every 6h from 00:00');
    expect(describeWhen(when('15m', undefined))).toBe('every 15m');
    expect(describeWhen(when('1d', undefined))).toBe('daily at 00:00');
    expect(describeWhen(when('24h', '03:00'))).toBe('daily at 03:00');
    expect(describeWhen(when('7d', '04:30'))).toBe('weekly on Sunday at 04:30');
    expect(describeWhen(when('168h', undefined))).toBe('weekly on Sunday at 00:00');
  });

  it('takes --at as the first run of the day for shorter intervals', () => {
    expect(describeWhen(when('6h', '14:30'))).toBe('every 6h from 02:30');
    expect(timesOfDay(when('6h', '14:30'))).toEqual([
      { hour: 2, minute: 30 },
      { hour: 8, minute: 30 },
      { hour: 14, minute: 30 },
      { hour: 20, minute: 30 },
    ]);
    expect(calendarOf(when('20m', '01:47'))).toEqual({ unit: 'minute', step: 20, minute: 7 });
    expect(calendarOf(when('8h', '23:00'))).toEqual({ unit: 'hour', step: 8, hour: 7, minute: 0 });
  });

  it.each([
    ['5h', 'every'],
    ['90m', 'every'],
    ['7m', 'every'],
    ['2d', 'every'],
    ['30s', 'every'],
    ['1.5h', 'every'],
    ['often', 'every'],
    ['0m', 'every'],
  ])('refuses --every %s with a hint listing what works', (every, field) => {
    const r = parseWhen(every, undefined, '02:30');
    expect(r).toMatchObject({ ok: false, field });
    if (!r.ok) expect(r.hint).toContain('12h');
  });

  it.each(['24:00', '2:3', '02:60', 'noon', ''])('refuses --at %j', (at) => {
    expect(parseWhen(undefined, at, '02:30')).toMatchObject({ ok: false, field: 'at' });
  });
});

describe('config: verify', () => {
  const base = 'version: 1\nsources:\n  phone: { type: local, path: ./DCIM }\nremotes:\n  usb: { type: local, path: /mnt/usb }\n';
  const load = (extra: string) => parseConfig('/home/ann/photosync.yaml', base + extra, {});
  const problems = (extra: string): string[] => {
    try {
      load(extra);
    } catch (err) {
      if (err instanceof ConfigError) return err.issues.map(formatConfigIssue);
      throw err;
    }
    throw new Error('expected the config to be rejected');
  };

  it('is absent unless configured, and a weekly 5% sample is one line', () => {
    expect(load('').verify).toBeNull();
    const config = load('verify: { every: 7d, sample: "5%" }\n');
    expect(config.verify).toEqual({ when: { everyMinutes: 7 * 24 * 60, atMinutes: 4 * 60 + 30 }, sample: '5%' });
    expect(load('verify:\n  every: 1d\n  at: "23:15"\n').verify).toEqual({ when: { everyMinutes: 24 * 60, atMinutes: 23 * 60 + 15 }, sample: null });
  });

  it('does not change the config hash, so saved plans stay valid', () => {
    expect(load('verify: { every: 7d }\n').hash).toBe(load('').hash);
  });

  it('reports a bad period, time or sample at its place, with a hint', () => {
    expect(problems('verify: { every: 5h }\n')).toEqual([expect.stringContaining('photosync.yaml:6:18: verify.every: every 5h does not divide an hour or a day evenly')]);
    expect(problems('verify: { every: weekly }\n')[0]).toContain('write a duration such as 7d, 1d or 6h');
    expect(problems('verify: { every: 7d, at: "25:00" }\n')[0]).toContain('verify.at');
    expect(problems('verify: { every: 7d, sample: "5" }\n')[0]).toContain('write a percentage such as 5%');
    expect(problems('verify: { every: 7d, sample: "0%" }\n')[0]).toContain('a sample of 0% checks nothing');
    expect(problems('verify: { sample: "5%" }\n')[0]).toContain('missing required key "every"');
    expect(problems('verify: { every: 7d, remote: usb }\n')[0]).toContain('unknown key "remote"');
  });
});
