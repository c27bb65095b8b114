/**
 * Per-remote pacing. While calls succeed there is no delay at all. A throttling answer (429, 503,
 * Drive's userRateLimitExceeded) widens the spacing between calls for every worker of that remote
 * (at least as long as Retry-After asked), and each success narrows it again, so a run slows down
 * when the service asks and recovers when it stops asking (rclone's pacer, in TypeScript).
 */

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (ms <= 0) return resolve();
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface PacerOptions {
  /** Spacing after the first throttle. */
  readonly minThrottleMs?: number;
  /** Spacing never grows past this. */
  readonly maxSpacingMs?: number;
}

export class Pacer {
  private spacing = 0;
  private nextAt = 0;
  private readonly clock: Clock;
  private readonly minThrottleMs: number;
  private readonly maxSpacingMs: number;

  constructor(options: PacerOptions = {}, clock: Clock = realClock) {
    this.clock = clock;
    this.minThrottleMs = options.minThrottleMs ?? 250;
    this.maxSpacingMs = options.maxSpacingMs ?? 60_000;
  }

  /** Current spacing between calls, in ms (0 when the service is happy). */
  get spacingMs(): number {
    return this.spacing;
  }

  /** Waits for this call's turn. */
  async wait(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.spacing;
    await this.clock.sleep(at - now, signal);
  }

  succeeded(): void {
    this.spacing = this.spacing < 20 ? 0 : this.spacing / 2;
  }

  throttled(retryAfterMs?: number): void {
    const asked = serviceWait(retryAfterMs);
    this.spacing = Math.min(this.maxSpacingMs, Math.max(this.spacing * 2, this.minThrottleMs, asked));
    this.nextAt = Math.max(this.nextAt, this.clock.now() + Math.max(asked, this.spacing));
  }
}

/**
 * The longest a service's Retry-After is obeyed. A date hours ahead (a misconfigured proxy, a
 * daily quota) would otherwise stall a remote for hours, once per retry; past this the retries
 * run out instead, the item fails with the service's message, and the next run tries again.
 */
export const MAX_SERVICE_WAIT_MS = 10 * 60_000;

export function serviceWait(retryAfterMs: number | undefined): number {
  return Math.min(retryAfterMs ?? 0, MAX_SERVICE_WAIT_MS);
}

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)). */
export function fullJitter(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}
