/** Pieces every cloud remote's tests need: the config fields they share, test bytes, a ResumeSlot. */
import type { ResumeSlot } from '../../src/remotes/types.ts';

/** The remote config fields that are not about the service (layout, media kind, parallelism, filters). */
export const CLOUD_REMOTE_COMMON = {
  layout: '{name}',
  media: 'cloud',
  offsite: true,
  transfers: 4,
  quotaBytes: null,
  include: null,
  exclude: [],
} as const;

/** A ResumeSlot as the executor keeps one: a string that outlives the remote instance. */
export function memoryResumeSlot(initial: string | null = null): ResumeSlot & { value: string | null } {
  const slot = {
    value: initial,
    load: () => slot.value,
    save: (s: string) => void (slot.value = s),
    clear: () => void (slot.value = null),
  };
  return slot;
}

/** Deterministic bytes that differ in every 4 KiB block. */
export function patterned(size: number, seed = 0): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4096) data.writeUInt32LE((i + seed * 7919) >>> 0, i);
  return data;
}
