/** Opens a source file's bytes again from its origin (see SourceFile.origin). */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export function openOrigin(origin: string, start = 0): Readable {
  return createReadStream(origin, { start, highWaterMark: 1024 * 1024 });
}
