/**
 * How a long transfer stops: Ctrl-C or SIGTERM stops starting new work and lets what is in
 * flight finish; a second signal abandons that too; --max-duration stops like a first signal.
 */
import { setMaxListeners } from 'node:events';
import type { Output } from './output.ts';

export interface StopControl {
  readonly stop: AbortSignal;
  readonly abort: AbortSignal;
  /** Why the run stopped early, if it did (a limit reached inside the executor is reported there). */
  readonly reason: () => 'signal' | 'max-duration' | null;
  release(): void;
}

export function stopControl(out: Output, maxDurationMs?: number): StopControl {
  const stop = new AbortController();
  const abort = new AbortController();
  // Every transfer in flight listens to both (its sleeps and requests); dozens at once are normal.
  setMaxListeners(0, stop.signal, abort.signal);
  let reason: 'signal' | 'max-duration' | null = null;
  const onSignal = (): void => {
    if (!stop.signal.aborted) {
      reason = 'signal';
      stop.abort();
      out.note('stopping: nothing new starts; transfers in flight finish (press Ctrl-C again to abandon them)');
    } else {
      abort.abort();
      out.note('abandoning the transfers in flight; their temporary files are removed');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const deadline =
    maxDurationMs === undefined
      ? undefined
      : setTimeout(() => {
          reason ??= 'max-duration';
          stop.abort();
          out.note('--max-duration reached: finishing the transfers in flight, starting no new ones');
        }, maxDurationMs);
  return {
    stop: stop.signal,
    abort: abort.signal,
    reason: () => reason,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (deadline) clearTimeout(deadline);
    },
  };
}
