import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/executor/group-commit.ts';

describe('executor: group commit', () => {
  it('journals items only after a durability barrier that started after they were added', async () => {
    const events: string[] = [];
    let barriers = 0;
    const commits = new GroupCommit<number>(
      async () => {
        barriers++;
        events.push(`barrier ${barriers}`);
      },
      (items) => events.push(`commit ${items.join(',')}`),
      () => events.push('fail'),
    );
    commits.add(1);
    commits.add(2);
    await commits.flush();
    commits.add(3);
    await commits.flush();
    expect(events).toEqual(['barrier 1', 'commit 1,2', 'barrier 2', 'commit 3']);
  });

  it('reports a journal that cannot be written at flush, and still commits the batches after it', async () => {
    const committed: number[] = [];
    let broken = true;
    const commits = new GroupCommit<number>(
      async () => {},
      (items) => {
        if (broken) throw new Error('SQLITE_FULL');
        committed.push(...items);
      },
      () => {},
    );
    commits.add(1);
    await expect(commits.flush()).rejects.toThrow('SQLITE_FULL');
    broken = false;
    commits.add(2);
    await expect(commits.flush()).rejects.toThrow('SQLITE_FULL'); // the first failure stays reported
    expect(committed).toEqual([2]);
  });

  it('fails the batch, journalling nothing, when the barrier fails', async () => {
    const failed: number[] = [];
    const committed: number[] = [];
    const commits = new GroupCommit<number>(
      async () => {
        throw new Error('EIO');
      },
      (items) => committed.push(...items),
      (items) => failed.push(...items),
    );
    commits.add(7);
    commits.add(8);
    await commits.flush();
    expect(committed).toEqual([]);
    expect(failed).toEqual([7, 8]);
  });

  it('commits on its own after a short delay', async () => {
    const committed: number[] = [];
    const commits = new GroupCommit<number>(async () => {}, (items) => committed.push(...items), () => {});
    commits.add(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(committed).toEqual([1]);
  });
});
