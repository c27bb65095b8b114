/**
 * How `--log-file FILE` names its files: pino-roll adds the date and a counter before the
 * extension, so `logs/apply.log` is written as `logs/apply.2025-06-01.1.log`, `….2.log`, …
 */
import path from 'node:path';

export const LOG_DATE_FORMAT = 'yyyy-MM-dd';

/** "…/apply.<date>.<n>.log": what to tell people to look for. */
export function describeSeries(file: string): string {
  const { dir, stem, ext } = parts(file);
  return path.join(dir, `${stem}.<date>.<n>${ext}`);
}

/** The files of the series in `names`, oldest first. */
export function seriesFiles(file: string, names: readonly string[]): string[] {
  const { stem, ext } = parts(file);
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)${escapeRegExp(ext)}$`);
  return names
    .map((name) => ({ name, m: pattern.exec(name) }))
    .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null)
    .sort((a, b) => (a.m[1]! < b.m[1]! ? -1 : a.m[1]! > b.m[1]! ? 1 : Number(a.m[2]) - Number(b.m[2])))
    .map((f) => f.name);
}

function parts(file: string): { dir: string; stem: string; ext: string } {
  const ext = path.extname(file);
  // pino-roll's own rule: no extension means ".log".
  return { dir: path.dirname(file), stem: path.basename(file, ext), ext: ext.length > 1 ? ext : '.log' };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
