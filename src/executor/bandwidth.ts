/**
 * --bwlimit: one byte budget shared by every upload of a run, as a token bucket. The limit is a
 * rate ("4M" per second) or rclone's timetable of "[Day-]HH:MM,RATE" entries
 * ("08:00,512k 19:00,10M 23:00,off" or "Mon-00:00,2M Sat-00:00,off"); "off" means unlimited.
 */
import { parseSize } from '../units.ts';
import { realClock, type Clock } from './pacer.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Slot {
  /** Minutes since Sunday 00:00 when this rate starts (a slot without a day repeats every day). */
  readonly start: number;
  readonly daily: boolean;
  /** Bytes per second, or null for unlimited. */
  readonly rate: number | null;
}

export type BandwidthSchedule = readonly Slot[];

export function parseBwLimit(text: string): BandwidthSchedule | null {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return null;
  if (parts.length === 1 && !parts[0]!.includes(',')) {
    const rate = parseRate(parts[0]!);
    return rate === undefined ? null : [{ start: 0, daily: true, rate }];
  }
  const slots: Slot[] = [];
  for (const part of parts) {
    const m = /^(?:([A-Za-z]{3})-)?(\d{1,2}):(\d{2}),(.+)$/.exec(part);
    if (!m) return null;
    const day = m[1] ? DAYS.indexOf(m[1].toLowerCase()) : 0;
    const hours = Number(m[2]);
    const minutes = Number(m[3]);
    const rate = parseRate(m[4]!);
    if (day < 0 || hours > 23 || minutes > 59 || rate === undefined) return null;
    slots.push({ start: day * 1440 + hours * 60 + minutes, daily: !m[1], rate });
  }
  if (slots.some((s) => s.daily) && slots.some((s) => !s.daily)) return null; // rclone forbids mixing
  return slots;
}

function parseRate(text: string): number | null | undefined {
  if (text.toLowerCase() === 'off') return null;
  const n = parseSize(text);
  return n === null || n <= 0 ? undefined : n;
}

/** The rate in force at `date` (bytes per second, or null for unlimited). */
export function rateAt(schedule: BandwidthSchedule, date: Date): number | null {
  const minuteOfWeek = date.getDay() * 1440 + date.getHours() * 60 + date.getMinutes();
  const daily = schedule[0]?.daily ?? true;
  const now = daily ? minuteOfWeek % 1440 : minuteOfWeek;
  const sorted = [...schedule].sort((a, b) => a.start - b.start);
  // The last slot that started before now; before the first slot, the last one still holds (it wrapped).
  let current = sorted[sorted.length - 1];
  for (const slot of sorted) if (slot.start <= now) current = slot;
  return current?.rate ?? null;
}

export class BandwidthLimiter {
  private readonly schedule: BandwidthSchedule;
  private readonly clock: Clock;
  private readonly wallClock: () => Date;
  private available = 0;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(schedule: BandwidthSchedule, clock: Clock = realClock, wallClock: () => Date = () => new Date()) {
    this.schedule = schedule;
    this.clock = clock;
    this.wallClock = wallClock;
    this.last = clock.now();
  }

  /** Waits until `bytes` may be sent. Callers are served in order, so no upload starves. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(bytes, signal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async wait(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const rate = rateAt(this.schedule, this.wallClock());
      const now = this.clock.now();
      if (rate === null) {
        this.last = now;
        return;
      }
      // At most one second of burst.
      this.available = Math.min(rate, this.available + ((now - this.last) / 1000) * rate);
      this.last = now;
      if (this.available >= bytes || (this.available >= rate && bytes > rate)) {
        this.available -= bytes;
        return;
      }
      const deficit = Math.min(bytes, rate) - this.available;
      await this.clock.sleep(Math.ceil((deficit / rate) * 1000), signal);
    }
  }
}
