/** How full a remote is, from the config's quota or from what the remote says. Pure. */

/** Space on a remote as far as it is known. */
export interface QuotaUse {
  /**
   * "config": the config's `quota` is the total, the bytes photosync records on the remote are the
   * use, and free is what that leaves (no more than the remote reports free, where it does).
   * "remote": the remote's own figures (Remote.quota()).
   */
  readonly basis: 'config' | 'remote';
  readonly usedBytes: number | null;
  readonly freeBytes: number | null;
  readonly totalBytes: number | null;
  /** Whether the plan's uploads to this remote fit in the free space; null without a plan or a known free space. */
  readonly planFits: boolean | null;
}

export interface QuotaFacts {
  /** Bytes of the files photosync records on the remote. */
  readonly bytes: number;
  /** The config's `quota`; null when unset. */
  readonly quotaBytes?: number | null | undefined;
  /** What the remote says (Remote.quota()); null when it cannot say or was not reachable. */
  readonly reported?: { readonly usedBytes: number | null; readonly freeBytes: number | null } | null | undefined;
}

/**
 * A budget in the config wins over what the remote reports: it is what the user allows photosync
 * to fill, and a remote's free space is often shared with other things.
 */
export function quotaUse(r: QuotaFacts, plannedBytes: number | null): QuotaUse | null {
  const reported = r.reported ?? null;
  const fits = (free: number | null): boolean | null => (plannedBytes === null || free === null ? null : plannedBytes <= free);
  if (r.quotaBytes !== null && r.quotaBytes !== undefined) {
    const left = Math.max(0, r.quotaBytes - r.bytes);
    const free = reported?.freeBytes != null ? Math.min(left, reported.freeBytes) : left;
    return { basis: 'config', usedBytes: r.bytes, freeBytes: free, totalBytes: r.quotaBytes, planFits: fits(free) };
  }
  if (!reported || (reported.usedBytes === null && reported.freeBytes === null)) return null;
  const { usedBytes, freeBytes } = reported;
  return {
    basis: 'remote',
    usedBytes,
    freeBytes,
    totalBytes: usedBytes !== null && freeBytes !== null ? usedBytes + freeBytes : null,
    planFits: fits(freeBytes),
  };
}
