/**
 * When a scheduled job runs, as every scheduler can say it: on the clock, not "N hours after the
 * last run". A run every 6h at 00:00, 06:00, 12:00 and 18:00 is the same on cron, systemd,
 * launchd and Task Scheduler, survives reboots, and lets a timer catch up after a sleep. So an
 * interval must divide the hour or the day (or be a week), and `at` picks the first run of the
 * day: `--every 6h --at 02:30` runs at 02:30, 08:30, 14:30 and 20:30.
 */
import { parseDuration } from '../units.ts';

const DAY = 24 * 60;
const WEEK = 7 * DAY;

export interface When {
  /** Minutes between runs: a divisor of 60, a whole number of hours dividing 24, 1 day or 7 days. */
  readonly everyMinutes: number;
  /** Minutes after midnight of the first run of the day (weekly: on Sunday); below everyMinutes. */
  readonly atMinutes: number;
}

/** The same, as the calendar units schedulers speak. */
export type Calendar =
  | { readonly unit: 'minute'; readonly step: number; readonly minute: number }
  | { readonly unit: 'hour'; readonly step: number; readonly hour: number; readonly minute: number }
  | { readonly unit: 'day'; readonly hour: number; readonly minute: number }
  | { readonly unit: 'week'; readonly hour: number; readonly minute: number };

export type WhenResult =
  | { readonly ok: true; readonly when: When }
  | { readonly ok: false; readonly field: 'every' | 'at'; readonly message: string; readonly hint: string };

export const EVERY_HINT =
  'use a part of an hour (5m 10m 15m 20m 30m), of a day (1h 2h 3h 4h 6h 8h 12h), 1d, or 7d (Sundays); --at HH:MM sets the time of day';

const AT = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of "HH:MM", or null. */
export function parseTimeOfDay(text: string): number | null {
  const m = AT.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * `every` (a duration such as 6h, 1d, 7d) and `at` (HH:MM). Only `at`: daily at that time. Only
 * `every`: aligned on midnight. Neither: daily at `defaultAt`.
 */
export function parseWhen(every: string | undefined, at: string | undefined, defaultAt: string): WhenResult {
  const atText = at ?? (every === undefined ? defaultAt : '00:00');
  const atMinutes = parseTimeOfDay(atText);
  if (atMinutes === null) return { ok: false, field: 'at', message: `"${atText}" is not a time of day`, hint: 'write HH:MM on a 24-hour clock, e.g. 02:30' };
  if (every === undefined) return { ok: true, when: { everyMinutes: DAY, atMinutes } };
  const ms = parseDuration(every);
  if (ms === null || ms <= 0) return { ok: false, field: 'every', message: `"${every}" is not a duration`, hint: EVERY_HINT };
  const minutes = ms / 60_000;
  const fits = Number.isInteger(minutes) && (minutes < 60 ? 60 % minutes === 0 : minutes < DAY ? minutes % 60 === 0 && DAY % minutes === 0 : minutes === DAY || minutes === WEEK);
  if (!fits) {
    return { ok: false, field: 'every', message: `every ${every} does not divide an hour or a day evenly, so schedulers cannot keep it on the clock`, hint: EVERY_HINT };
  }
  return { ok: true, when: { everyMinutes: minutes, atMinutes: minutes >= DAY ? atMinutes : atMinutes % minutes } };
}

export function calendarOf(when: When): Calendar {
  const hour = Math.floor(when.atMinutes / 60);
  const minute = when.atMinutes % 60;
  if (when.everyMinutes < 60) return { unit: 'minute', step: when.everyMinutes, minute };
  if (when.everyMinutes < DAY) return { unit: 'hour', step: when.everyMinutes / 60, hour, minute };
  if (when.everyMinutes === DAY) return { unit: 'day', hour, minute };
  return { unit: 'week', hour, minute };
}

/** Every (hour, minute) of a day the job runs at, for schedulers that list times (launchd). */
export function timesOfDay(when: When): { hour: number; minute: number }[] {
  const times: { hour: number; minute: number }[] = [];
  const step = Math.min(when.everyMinutes, DAY);
  for (let t = when.atMinutes; t < DAY; t += step) times.push({ hour: Math.floor(t / 60), minute: t % 60 });
  return times;
}

export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** "daily at 02:30", "every 6h from 02:30", "every 15m", "weekly on Sunday at 00:00". */
export function describeWhen(when: When): string {
  const c = calendarOf(when);
  switch (c.unit) {
    case 'minute':
      return `every ${c.step}m${c.minute === 0 ? '' : ` from minute ${c.minute}`}`;
    case 'hour':
      return `every ${c.step}h from ${hhmm(when.atMinutes)}`;
    case 'day':
      return `daily at ${hhmm(when.atMinutes)}`;
    case 'week':
      return `weekly on Sunday at ${hhmm(when.atMinutes)}`;
  }
}
