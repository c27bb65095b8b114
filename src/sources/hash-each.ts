/** The default way a source's files are hashed: each file is one task on the worker pool. */
import { mediaClassOf } from '../media/kinds.ts';
import type { SourceKind } from './source-kind.ts';

export type HashFiles = NonNullable<SourceKind['hash']>;

export const hashEachFile: HashFiles = async (files, pool, report, kind, signal) => {
  await Promise.all(
    files.map(async (file) => {
      if (signal?.aborted) return;
      const fileKind = mediaClassOf(file.relPath);
      try {
        const result = await pool.hash(
          { origin: file.origin, kind: fileKind, wantText: fileKind === 'sidecar' && kind.sidecarMeta !== undefined },
          file.size,
        );
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
};
