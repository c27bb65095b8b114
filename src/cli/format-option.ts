/**
 * --format for commands with several renderings. `--json` stays as the short form of
 * `--format json`; the two disagreeing is a usage error, caught before any work starts.
 */
import path from 'node:path';
import { UsageError } from '../errors.ts';

export interface FormatFlags {
  readonly format?: string | undefined;
  readonly json?: boolean | undefined;
}

/** What a file name's extension says its format is; `--out report.html` needs no --format. */
const BY_EXTENSION: Record<string, string> = { '.html': 'html', '.htm': 'html', '.md': 'markdown', '.json': 'json', '.txt': 'text' };

export function resolveFormat<F extends string>(allowed: readonly F[], flags: FormatFlags, outFile?: string): F {
  const wanted = flags.format;
  if (wanted !== undefined && !allowed.includes(wanted as F)) {
    throw new UsageError(`--format ${wanted} is not one of ${allowed.join(', ')}`);
  }
  if (flags.json && wanted !== undefined && wanted !== 'json') {
    throw new UsageError(`--json means --format json; it cannot go with --format ${wanted}`, { hint: 'use one of them' });
  }
  if (wanted !== undefined) return wanted as F;
  if (flags.json) return 'json' as F;
  const inferred = outFile ? BY_EXTENSION[path.extname(outFile).toLowerCase()] : undefined;
  if (inferred !== undefined && allowed.includes(inferred as F)) return inferred as F;
  return 'text' as F;
}
