/**
 * The real-world files in ../shared/fixtures (beside the checkout; never copied into the
 * repository). Under CI their absence is a failure, elsewhere the suites that need them skip.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHARED_FIXTURES =
  process.env['PHOTOSYNC_SHARED_FIXTURES'] ?? fileURLToPath(new URL('../../../shared/fixtures', import.meta.url));

export const sharedFixturesPresent = existsSync(SHARED_FIXTURES);

/** Throws under CI when the fixtures are missing, so a conformance suite cannot pass by skipping. */
export function requireSharedFixturesInCi(): void {
  if (!sharedFixturesPresent && process.env['CI']) {
    throw new Error(`CI is set but ${SHARED_FIXTURES} is missing: the conformance suites need ../shared/fixtures beside the checkout`);
  }
}
