import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { refreshInventory } from '../../src/pipeline/refresh.ts';
import type { ListChanges, Remote, RemoteEntry } from '../../src/remotes/types.ts';
import { State } from '../../src/state/index.ts';
import { tmpdir } from '../helpers/tmp.ts';

const entry = (p: string, size = 1): RemoteEntry => ({ path: p, size, hashes: {} });

/** A remote with a scripted changes feed; list() is never expected to be used when a feed exists. */
function feedRemote(pages: ListChanges[]): Remote & { cursors: (string | null)[] } {
  const cursors: (string | null)[] = [];
  return {
    name: 'r',
    type: 'fake',
    identity: 'fake:r',
    hashes: [],
    cursors,
    list: () => {
      throw new Error('full listing used although a changes feed exists');
    },
    stat: async () => null,
    create: async () => {
      throw new Error('no writes here');
    },
    read: async () => {
      throw new Error('no reads here');
    },
    listChanges: async (cursor) => {
      cursors.push(cursor);
      return pages.shift()!;
    },
  };
}

describe('pipeline: refresh', () => {
  it('lists in full first, then applies only the changes, forgetting deleted folders and refusing unsafe names', async () => {
    const state = State.open(path.join(tmpdir(), 's.db'));
    try {
      const id = state.inventories.remote('fake:r', 'r', 'fake').id;
      const remote = feedRemote([
        { entries: [entry('2020/a.jpg'), entry('2020/b.jpg'), entry('2021/c.jpg'), entry('../escape.jpg')], removed: [], complete: true, cursor: 'c1' },
        { entries: [entry('2022/d.jpg'), entry('2021/c.jpg', 5)], removed: ['2020', 'x\u0000'], complete: false, cursor: 'c2' },
      ]);
      const first = await refreshInventory(state.inventories, id, 'r', remote, null);
      expect(first).toMatchObject({ listed: 3, added: 3, gone: 0 });
      expect(first.refused[0]).toContain('escape.jpg');
      const cursor = state.inventories.remote('fake:r', 'r', 'fake').listCursor;
      expect(cursor).toBe('c1');

      const second = await refreshInventory(state.inventories, id, 'r', remote, cursor);
      expect(remote.cursors).toEqual([null, 'c1']);
      expect(second).toMatchObject({ listed: 2, added: 2, gone: 2 });
      expect([...state.inventories.rows(id)].map((r) => [r.path, r.size])).toEqual([
        ['2021/c.jpg', 5],
        ['2022/d.jpg', 1],
      ]);
      expect(state.inventories.remote('fake:r', 'r', 'fake').listCursor).toBe('c2');
    } finally {
      state.close();
    }
  });
});
