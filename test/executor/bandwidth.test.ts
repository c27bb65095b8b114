import { describe, expect, it } from 'vitest';
import { BandwidthLimiter, parseBwLimit, rateAt } from '../../src/executor/bandwidth.ts';
import type { Clock } from '../../src/executor/pacer.ts';

function fakeClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

describe('executor: bandwidth limit', () => {
  it('parses a rate and rclone-style timetables', () => {
    expect(parseBwLimit('4M')).toEqual([{ start: 0, daily: true, rate: 4 * 1024 * 1024 }]);
    const daily = parseBwLimit('08:00,512k 19:00,10M 23:00,off')!;
    expect(rateAt(daily, new Date(2026, 10, 23, 7, 59))).toBeNull(); // before 08:00: the 23:00 "off" still holds
    expect(rateAt(daily, new Date(2026, 10, 23, 8, 0))).toBe(512 * 1024);
    expect(rateAt(daily, new Date(2026, 10, 23, 20, 30))).toBe(10 * 1024 * 1024);
    const weekly = parseBwLimit('Mon-08:00,1M Sat-00:00,off')!;
    expect(rateAt(weekly, new Date(2026, 10, 24, 12, 0))).toBe(1024 * 1024); // a Tuesday
    expect(rateAt(weekly, new Date(2026, 10, 22, 12, 0))).toBeNull(); // a Sunday
    for (const bad of ['fast', '25:00,1M', '08:00,1M Mon-09:00,2M', 'Xyz-08:00,1M', '0']) expect(parseBwLimit(bad), bad).toBeNull();
  });

  it('holds the average rate across all callers', async () => {
    const clock = fakeClock();
    const limiter = new BandwidthLimiter(parseBwLimit('100k')!, clock);
    const chunk = 10 * 1024;
    // 2 MiB through at 100 KiB/s: about 20 seconds, whatever the interleaving of two uploads.
    await Promise.all([0, 1].map(async () => {
      for (let i = 0; i < 100; i++) await limiter.take(chunk);
    }));
    expect(clock.t / 1000).toBeGreaterThan(19);
    expect(clock.t / 1000).toBeLessThan(21.5);
  });

  it('does not wait when the timetable says off', async () => {
    const clock = fakeClock();
    const limiter = new BandwidthLimiter(parseBwLimit('00:00,off')!, clock);
    for (let i = 0; i < 10; i++) await limiter.take(1e9);
    expect(clock.t).toBe(0);
  });
});
