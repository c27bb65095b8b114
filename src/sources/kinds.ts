/** The source types by their config `type`, loaded when a config uses them. */
import type { SourceType } from '../config/types.ts';
import type { SourceKind } from './source-kind.ts';

const KINDS: { readonly [T in SourceType]?: () => Promise<SourceKind> } = {
  local: async () => (await import('./local.ts')).localKind,
  'icloud-export': async () => (await import('./icloud-export.ts')).icloudExportKind,
  'google-takeout': async () => (await import('./takeout/index.ts')).takeoutKind,
};

export async function sourceKind(type: SourceType): Promise<SourceKind> {
  const load = KINDS[type];
  if (!load) throw new Error(`no reader registered for source type ${type}`);
  return load();
}

export const SOURCE_TYPES = Object.keys(KINDS) as SourceType[];
