/** Whether `child` is `parent` or lies somewhere under it (both absolute, same platform). */
import path from 'node:path';

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
