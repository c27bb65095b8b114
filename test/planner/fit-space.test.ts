import { describe, expect, it } from 'vitest';
import { fitToSpace } from '../../src/planner/fit-space.ts';
import type { PlanBody, UploadAction } from '../../src/planner/types.ts';

const action = (id: number, size: number, group?: string): UploadAction => ({
  op: 'upload',
  id,
  remote: 'r',
  sha256: String(id).padStart(64, '0'),
  size,
  source: 's',
  from: `f${id}`,
  origin: `/f${id}`,
  to: `t${id}`,
  renamed: false,
  ...(group ? { group } : {}),
});

function body(actions: UploadAction[]): PlanBody {
  const bytes = actions.reduce((n, a) => n + a.size, 0);
  return {
    actions,
    summary: { items: actions.length, duplicateFiles: 0, remotes: { r: { uploads: actions.length, bytes, alreadyThere: 0, filteredOut: 0, renamed: 0, deletions: 0 } } },
  };
}

describe('planner: fit to space', () => {
  const plan = body([action(1, 40), action(2, 30, 'live'), action(3, 30, 'live'), action(4, 20)]);

  it('says whether a plan fits, and keeps it whole unless partial plans are allowed', () => {
    expect(fitToSpace(plan, new Map([['r', 1000]]), false).summary.remotes['r']?.space).toEqual({ freeBytes: 1000, neededBytes: 120, fits: true, deferred: 0 });
    const short = fitToSpace(plan, new Map([['r', 100]]), false);
    expect(short.actions).toHaveLength(4);
    expect(short.summary.remotes['r']?.space).toMatchObject({ fits: false, deferred: 0 });
    expect(fitToSpace(plan, new Map([['r', null]]), false).summary.remotes['r']?.space).toBeUndefined();
  });

  it('keeps what fits, in order, never half of a Live Photo', () => {
    const partial = fitToSpace(plan, new Map([['r', 70]]), true);
    // 40 fits; the 60-byte pair does not (and is not split); 20 still fits.
    expect(partial.actions.map((a) => a.id)).toEqual([1, 4]);
    expect(partial.summary.remotes['r']).toMatchObject({ uploads: 2, bytes: 60, space: { fits: false, deferred: 2, neededBytes: 120 } });
  });
});
