/** The default way a source's files are hashed: each file is one task on the worker pool. */
import { mediaClassOf } from '../media/kinds.ts';
import type { HashPool } from './hash-pool.ts';
import type { HashOutcome, ListedFile, SourceKind } from './source-kind.ts';

export async function hashEachFile(
  files: readonly ListedFile[],
  pool: HashPool,
  report: (outcome: HashOutcome) => void,
  kind: SourceKind,
  signal?: AbortSignal,
): Promise<void> {
  await Promise.all(
    files.map(async (file) => {
      if (signal?.aborted) return;
      const fileKind = mediaClassOf(file.relPath);
      try {
        const result = await pool.hash({ origin: file.origin, kind: fileKind, wantText: fileKind === 'sidecar' && kind.sidecarMeta !== undefined });
        const { text, ...rest } = result;
        report({
          file,
          scan: { ...rest, meta: text !== undefined && kind.sidecarMeta ? kind.sidecarMeta(file.relPath, text) : null },
        });
      } catch (err) {
        report({ file, error: (err as Error).message });
      }
    }),
  );
}
