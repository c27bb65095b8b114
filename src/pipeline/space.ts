/** The check plan and apply share: a plan that does not fit on a remote is refused unless partial plans are allowed. */
import { NoSpaceError } from '../errors.ts';
import type { PlanFile } from '../planner/plan-file.ts';
import { formatBytes } from '../units.ts';

export function assertPlanFits(plan: PlanFile): void {
  const short = Object.entries(plan.summary.remotes).filter(([, r]) => r.space && !r.space.fits && r.space.deferred === 0);
  if (short.length === 0) return;
  const list = short.map(([name, r]) => `${name} needs ${formatBytes(r.space!.neededBytes)} with ${formatBytes(r.space!.freeBytes)} free`).join('; ');
  throw new NoSpaceError(`the plan does not fit: ${list}`, {
    hint: 'free some space or raise the remote’s quota, or pass --allow-partial to upload what fits now and the rest later',
  });
}
