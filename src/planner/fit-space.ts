/**
 * Quota-aware plans, pure: given each remote's free space, say per remote whether the plan fits
 * and, when the user allows a partial plan, keep the uploads that fit (in plan order, whole
 * companion groups only) and defer the rest to a later run.
 */
import { pushAll } from '../arrays.ts';
import type { PlanBody, RemotePlanSummary, UploadAction } from './types.ts';

export interface SpaceCheck {
  readonly freeBytes: number;
  readonly neededBytes: number;
  readonly fits: boolean;
  /** Uploads left for a later run because they did not fit. */
  readonly deferred: number;
}

export function fitToSpace(body: PlanBody, free: ReadonlyMap<string, number | null>, allowPartial: boolean): PlanBody {
  const keep: UploadAction[] = [];
  const remotes: Record<string, RemotePlanSummary> = { ...body.summary.remotes };
  for (const [name, summary] of Object.entries(body.summary.remotes)) {
    const actions = body.actions.filter((a) => a.remote === name);
    const freeBytes = free.get(name);
    if (freeBytes === null || freeBytes === undefined || actions.length === 0) {
      pushAll(keep, actions);
      continue;
    }
    const fits = summary.bytes <= freeBytes;
    if (fits || !allowPartial) {
      pushAll(keep, actions);
      remotes[name] = { ...summary, space: { freeBytes, neededBytes: summary.bytes, fits, deferred: 0 } };
      continue;
    }
    // Partial: whole units (a Live Photo's two halves) in plan order, until the space is used.
    const unitBytes = new Map<string, number>();
    const unitOf = (a: UploadAction): string => a.group ?? `#${a.id}`;
    for (const a of actions) unitBytes.set(unitOf(a), (unitBytes.get(unitOf(a)) ?? 0) + a.size);
    const admitted = new Set<string>();
    let used = 0;
    for (const [unit, bytes] of unitBytes) {
      if (used + bytes > freeBytes) continue;
      used += bytes;
      admitted.add(unit);
    }
    const kept = actions.filter((a) => admitted.has(unitOf(a)));
    pushAll(keep, kept);
    remotes[name] = {
      ...summary,
      uploads: kept.length,
      bytes: used,
      space: { freeBytes, neededBytes: summary.bytes, fits: false, deferred: actions.length - kept.length },
    };
  }
  const order = new Map(body.actions.map((a, i) => [a, i]));
  keep.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return { actions: keep, summary: { ...body.summary, remotes } };
}
