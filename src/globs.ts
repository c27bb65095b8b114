/** Glob matching for include/exclude rules, the same everywhere a user writes a pattern. */
import picomatch from 'picomatch';

export function globMatcher(patterns: readonly string[]): (relPath: string) => boolean {
  if (patterns.length === 0) return () => false;
  // Globs without a slash match the file name anywhere ("*.jpg"); case-insensitive, as camera
  // extensions come in both cases.
  return picomatch([...patterns], { dot: true, nocase: true, basename: true });
}
