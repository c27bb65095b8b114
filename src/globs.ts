/** Glob matching for include/exclude rules, the same everywhere a user writes a pattern. */
import picomatch from 'picomatch';

export function globMatcher(patterns: readonly string[]): (relPath: string) => boolean {
  if (patterns.length === 0) return () => false;
  // A glob without a slash matches the file name in any folder ("*.jpg"); one with a slash matches
  // the whole path ("DCIM/**"). Case-insensitive, as camera extensions come in both cases.
  const matchers = patterns.map((p) => picomatch(p, { dot: true, nocase: true, basename: !p.includes('/') }));
  return (relPath) => matchers.some((m) => m(relPath));
}
