import type { SpaceCheck } from './fit-space.ts';

/**
 * Plans are data. The only action there is, is an upload of content a remote does not hold to a
 * name it does not have: a plan cannot express a delete, an overwrite or a move.
 */

/** What the planner needs to know about each remote (a slice of the config). */
export interface PlanRemote {
  readonly name: string;
  readonly layout: string;
  readonly include: readonly string[] | null;
  readonly exclude: readonly string[];
}

/** A remote's contents as far as planning cares: which content it has, and which names are taken. */
export interface RemoteInventory {
  /** Where the remote holds this content, if it does. */
  pathOf(sha256: string): string | undefined;
  /** Whether a file already has this name (compared by pathKey). */
  isTaken(key: string): boolean;
}

export interface UploadAction {
  readonly op: 'upload';
  /** Position in the plan, 1-based; the journal refers to actions by it. */
  readonly id: number;
  readonly remote: string;
  readonly sha256: string;
  readonly size: number;
  readonly source: string;
  /** Path inside the source, as the user knows it. */
  readonly from: string;
  /** How to open the bytes (see SourceFile.origin). */
  readonly origin: string;
  /** Destination path on the remote. */
  readonly to: string;
  /** The layout's name was taken by other content, so a hash suffix was added. */
  readonly renamed: boolean;
  /** Companion group (Live Photo pair, photo + sidecar): its members land under one stem. */
  readonly group?: string | undefined;
  /** Capture date (local wall clock) recorded with the copy, so restore can select by date. */
  readonly captured?: string | undefined;
}

export type PlanAction = UploadAction;

export interface RemotePlanSummary {
  readonly uploads: number;
  readonly bytes: number;
  /** Items this remote already holds (by content). */
  readonly alreadyThere: number;
  /** Items this remote's include/exclude rules leave out. */
  readonly filteredOut: number;
  readonly renamed: number;
  /** Always 0: stated so a reviewer never has to wonder. */
  readonly deletions: 0;
  /** Free space against what the plan adds, where the remote or the config's quota says. */
  readonly space?: SpaceCheck | undefined;
}

export interface PlanSummary {
  /** Distinct contents (by SHA-256) across all sources. */
  readonly items: number;
  /** Source files that are copies of content found elsewhere in the sources. */
  readonly duplicateFiles: number;
  readonly remotes: Readonly<Record<string, RemotePlanSummary>>;
  /**
   * Folders left out of this plan: an earlier plan found every file in them backed up everywhere
   * and they list the same files since. The counts above are of the files planned.
   */
  readonly leftOut?: { readonly folders: number; readonly files: number } | undefined;
}

/** What the pure planner returns; the plan file wraps it with the state basis and config hash. */
export interface PlanBody {
  readonly actions: readonly PlanAction[];
  readonly summary: PlanSummary;
}
