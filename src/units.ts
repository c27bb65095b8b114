/**
 * Sizes and durations as users write them on the command line and in the config, rclone style:
 * sizes in binary units (4M = 4 MiB, 50G = 50 GiB; "KB", "KiB" and "K" all mean 1024), durations
 * as 90s, 30m, 2h or 1h30m.
 */

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGTP])(?:i?B)?|B)?\s*$/i;
const POWERS: Record<string, number> = { K: 1, M: 2, G: 3, T: 4, P: 5 };

export function parseSize(text: string): number | null {
  const m = SIZE.exec(text);
  if (!m) return null;
  const unit = m[2]?.toUpperCase();
  return Math.round(Number(m[1]) * 1024 ** (unit ? (POWERS[unit] ?? 0) : 0));
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = DURATION_PART.exec(s); m; m = DURATION_PART.exec(s)) {
    total += Number(m[1]) * (DURATION_MS[m[2] ?? ''] ?? 0);
    end = DURATION_PART.lastIndex;
  }
  return end === s.length ? total : null;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
