import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * Starts a server for the enclosing describe and stops it after. An `optional` one (Apache, a
 * system package) may be missing on a developer machine: its tests are skipped there, with the
 * reason printed; in CI they fail with it.
 */
export function useServer<T extends { stop(): Promise<void> }>(what: string, start: () => Promise<T>, optional: boolean): () => T {
  let server: T | undefined;
  let problem = '';
  const mustRun = !optional || Boolean(process.env.CI);
  beforeAll(async () => {
    try {
      server = await start();
    } catch (err) {
      problem = `${what} could not start: ${err instanceof Error ? err.message : String(err)}`;
      if (!mustRun) console.warn(`skipping the tests that need ${what}. ${problem}`);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });
  // Failing each test (rather than the hook) makes CI's count of failed tests say so.
  beforeEach((ctx) => {
    if (server) return;
    if (mustRun) throw new Error(problem);
    ctx.skip(problem);
  });
  return () => server!;
}
