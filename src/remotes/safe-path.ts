import { RemoteError } from './errors.ts';

/**
 * The paths photosync writes to, and the names it accepts from a remote's listing, must stay
 * inside the remote: relative, no "." or ".." segments, no NUL or control characters, no drive
 * letters. A listing that returns anything else is refused, never used to build a path.
 */
export function unsafePathReason(p: string): string | null {
  if (p === '') return 'empty path';
  if (p.startsWith('/') || p.startsWith('\\')) return 'absolute path';
  if (/^[A-Za-z]:/.test(p)) return 'drive letter';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return 'control character';
  for (const segment of p.split(/[/\\]/)) {
    if (segment === '') return 'empty folder name';
    if (segment === '.' || segment === '..') return `"${segment}" segment`;
  }
  return null;
}

/** Throws the remote's refusal of an unsafe path; `extra` is a remote's own reason, if any. */
export function assertSafePath(remote: string, p: string, extra: string | null = null): void {
  const reason = unsafePathReason(p) ?? extra;
  if (reason) throw new RemoteError(remote, 'fatal', `refusing unsafe path ${JSON.stringify(p)} (${reason})`);
}

export function isSafeRelativePath(p: string): boolean {
  return unsafePathReason(p) === null;
}
