/**
 * Which files a remote wants (its include/exclude rules, matched on the path inside the source),
 * and whether a file is already backed up on every remote that wants it. Pure, like the planner.
 */
import { globMatcher } from '../globs.ts';
import type { PlanRemote, RemoteInventory } from './types.ts';

export function remoteWants(remote: PlanRemote): (relPath: string) => boolean {
  const included = remote.include ? globMatcher(remote.include) : () => true;
  const excluded = globMatcher(remote.exclude);
  return (relPath) => included(relPath) && !excluded(relPath);
}

/**
 * True when every remote that wants this file holds its content. Judged per file, not per content:
 * a file another path's copy stands in for in the plan (the same photo in two folders) is backed up
 * only if its own path's remotes hold the content too.
 */
export function backedUpEverywhere(
  remotes: readonly PlanRemote[],
  inventories: ReadonlyMap<string, RemoteInventory>,
): (file: { readonly relPath: string; readonly sha256: string }) => boolean {
  const checks = remotes.map((remote) => {
    const inventory = inventories.get(remote.name);
    if (!inventory) throw new Error(`no inventory for remote ${remote.name}`);
    return { wants: remoteWants(remote), inventory };
  });
  return (file) => checks.every(({ wants, inventory }) => !wants(file.relPath) || inventory.pathOf(file.sha256) !== undefined);
}
