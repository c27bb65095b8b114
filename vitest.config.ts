import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real servers, real subprocesses and real disks: generous but finite.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that start servers or spawn the CLI are tagged slow; `npm run test:fast` leaves them out.
    tags: [
      { name: 'slow', description: 'starts servers, browsers or the built CLI' },
    ],
    restoreMocks: true,
    // 2 cores: more workers only make the server-backed suites fight over them.
    maxWorkers: 2,
  },
});
