/** The remembered empty plan stands only for the same config, state serial and photosync. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recallNoop, rememberPlan } from '../../src/pipeline/noop-memo.ts';
import { toPlanFile } from '../../src/planner/plan-file.ts';
import { State } from '../../src/state/index.ts';
import { VERSION } from '../../src/version.ts';
import { tmpdir } from '../helpers/tmp.ts';

const HASH = 'a'.repeat(64);

describe('the no-op memo', () => {
  it('is recalled for the same config, serial and photosync, and for nothing else', () => {
    const state = State.open(path.join(tmpdir(), 'state.db'));
    const emptyPlan = (photosyncVersion: string) =>
      toPlanFile(
        { actions: [], summary: { items: 1, duplicateFiles: 0, remotes: {} } },
        { photosyncVersion, createdAt: '2026-01-01T00:00:00Z', config: { file: 'p.yaml', hash: HASH }, state: state.basis(), problems: [], notes: [] },
      );
    rememberPlan(state, 'listing', emptyPlan(VERSION));
    expect(recallNoop(state, HASH)?.fingerprint).toBe('listing');
    expect(recallNoop(state, 'b'.repeat(64))).toBeNull();

    rememberPlan(state, 'listing', emptyPlan('0.0.1-older'));
    expect(recallNoop(state, HASH)).toBeNull();

    rememberPlan(state, 'listing', emptyPlan(VERSION));
    state.bumpSerial();
    expect(recallNoop(state, HASH)).toBeNull();
    state.close();
  });
});
