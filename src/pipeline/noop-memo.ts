/**
 * The no-op shortcut. A plan is a pure function of (config, source listing, inventories): when
 * the last plan had nothing to do, and the config hash, the state serial (so every inventory),
 * the fingerprint of the source listing and photosync itself are all unchanged, this plan has
 * nothing to do either.
 * The next run then stops after listing the sources: no cache to load, no planning.
 */
import type { PlanFile } from '../planner/plan-file.ts';
import type { State } from '../state/index.ts';
import { VERSION } from '../version.ts';

const KEY = 'noop_memo';

interface Memo {
  /** The listing the empty plan was made from; the plan itself names its config and state basis. */
  readonly fingerprint: string;
  readonly plan: PlanFile;
}

/** The remembered empty plan, when it still applies to this config and state. */
export function recallNoop(state: State, configHash: string): Memo | null {
  const text = state.getMeta(KEY);
  if (!text) return null;
  const memo = JSON.parse(text) as Memo;
  const basis = state.basis();
  const made = memo.plan.state;
  // Another photosync may plan otherwise (new companion rules, a fixed bug): it plans again.
  const sameMaker = memo.plan.photosyncVersion === VERSION && memo.plan.config.hash === configHash;
  return sameMaker && made.lineage === basis.lineage && made.serial === basis.serial ? memo : null;
}

/** Remembers a plan with nothing to do (and forgets the memo after any other plan). */
export function rememberPlan(state: State, fingerprint: string, plan: PlanFile): void {
  const memo: Memo | null = plan.actions.length > 0 ? null : { fingerprint, plan };
  state.setMeta(KEY, memo && JSON.stringify(memo));
}
