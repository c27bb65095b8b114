/** An apply's RunRecorder: every finished action journalled with the inventory row it produced. */
import type { RunRecorder } from '../executor/execute.ts';
import type { State } from '../state/index.ts';

export function stateRecorder(state: State, runId: number, remoteIds: ReadonlyMap<string, number>): RunRecorder {
  const idOf = (remote: string): number => {
    const id = remoteIds.get(remote);
    if (id === undefined) throw new Error(`remote ${remote} has no state record`);
    return id;
  };
  return {
    batch(record) {
      state.transaction(record);
    },
    finished(action, kind, entry) {
      state.journal.finished(runId, {
        actionId: action.id,
        remoteId: idOf(action.remote),
        path: action.to,
        sha256: action.sha256,
        size: action.size,
        hashes: entry.hashes,
        status: kind,
        captured: action.captured,
      });
    },
    failed(action, message) {
      state.journal.failed(runId, action.id, idOf(action.remote), action.to, action.sha256, action.size, message);
    },
    foundOther(action, entry) {
      state.journal.noteExisting(runId, idOf(action.remote), entry);
    },
    resumeSlot(action) {
      return state.uploadSessions.slot(idOf(action.remote), action.to, action.sha256);
    },
  };
}
