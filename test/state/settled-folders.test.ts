/**
 * Settled folders are forgotten by the database itself whenever an inventory loses a file or a
 * file's recorded content changes, and kept while inventories only grow.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { State } from '../../src/state/index.ts';
import { folderKey, type SettledFolder } from '../../src/state/settled-folders.ts';
import { tmpdir } from '../helpers/tmp.ts';

const HASH = 'c'.repeat(64);
const folder = (name: string): SettledFolder => ({ source: 'phone', folder: name, listing: `listing of ${name}`, notes: [{ relPath: `${name}/a.jpg`, note: 'a note' }] });

function stateWithOneFile(): { state: State; remoteId: number } {
  const state = State.open(path.join(tmpdir(), 'state.db'));
  const remoteId = state.inventories.remote('local:/backup', 'usb', 'local').id;
  state.inventories.record(remoteId, { path: '2024/a.jpg', size: 1, sha256: 'a'.repeat(64), hashes: {}, origin: 'uploaded', runId: null });
  state.settledFolders.replace(HASH, [], [folder('DCIM/100APPLE'), folder('')], state.settledFolders.losses());
  return { state, remoteId };
}

describe('state: settled folders', () => {
  it('loads what was settled under this config only, notes included, and replaces the rest', () => {
    const { state } = stateWithOneFile();
    const loaded = state.settledFolders.load(HASH);
    expect([...loaded.keys()].sort()).toEqual([folderKey('phone', ''), folderKey('phone', 'DCIM/100APPLE')]);
    expect(loaded.get(folderKey('phone', 'DCIM/100APPLE'))).toEqual(folder('DCIM/100APPLE'));
    expect(state.settledFolders.load('d'.repeat(64)).size).toBe(0);

    // Kept: the top folder; newly settled: 101APPLE; 100APPLE (changed since) goes.
    state.settledFolders.replace(HASH, [folderKey('phone', '')], [folder('DCIM/101APPLE')], state.settledFolders.losses());
    expect([...state.settledFolders.load(HASH).keys()].sort()).toEqual([folderKey('phone', ''), folderKey('phone', 'DCIM/101APPLE')]);
    // Another config: everything settled under the old one goes.
    state.settledFolders.replace('d'.repeat(64), [folderKey('phone', '')], [], state.settledFolders.losses());
    expect(state.settledFolders.load(HASH).size).toBe(0);
    state.close();
  });

  it('survives inventories growing (uploads, identified files) but not a file lost or found changed', () => {
    const { state, remoteId } = stateWithOneFile();
    const inventories = state.inventories;
    inventories.record(remoteId, { path: '2024/b.jpg', size: 1, sha256: 'b'.repeat(64), hashes: {}, origin: 'uploaded', runId: null });
    inventories.record(remoteId, { path: '2024/c.jpg', size: 1, sha256: null, hashes: {}, origin: 'listed', runId: null });
    inventories.record(remoteId, { path: '2024/c.jpg', size: 1, sha256: 'c'.repeat(64), hashes: {}, origin: 'listed', runId: null });
    inventories.markVerified(remoteId, '2024/a.jpg', Date.now());
    expect(state.settledFolders.load(HASH).size).toBe(2);

    inventories.correct(remoteId, '2024/a.jpg', 1, 'e'.repeat(64)); // verify found other bytes
    expect(state.settledFolders.load(HASH).size).toBe(0);

    state.settledFolders.replace(HASH, [], [folder('DCIM/100APPLE')], state.settledFolders.losses());
    inventories.forget(remoteId, ['2024/b.jpg']); // a refresh found it gone
    expect(state.settledFolders.load(HASH).size).toBe(0);

    state.settledFolders.replace(HASH, [], [folder('DCIM/100APPLE')], state.settledFolders.losses());
    inventories.forgetUnder(remoteId, ['2024']); // a folder deleted on the remote
    expect(state.settledFolders.load(HASH).size).toBe(0);
    state.close();
  });

  it('settles nothing from a plan that looked before an inventory lost a file', () => {
    const { state, remoteId } = stateWithOneFile();
    const before = state.settledFolders.losses();
    // A verify beside the plan finds the one file gone, after the plan read the inventory.
    state.inventories.forget(remoteId, ['2024/a.jpg']);
    state.settledFolders.replace(HASH, [folderKey('phone', '')], [folder('DCIM/101APPLE')], before);
    expect(state.settledFolders.load(HASH).size).toBe(0);
    state.settledFolders.replace(HASH, [], [folder('DCIM/101APPLE')], state.settledFolders.losses());
    expect(state.settledFolders.load(HASH).size).toBe(1);
    state.close();
  });
});
