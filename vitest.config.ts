import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/src/**/*.test.ts', 'server/test/**/*.test.ts', 'federation/src/**/*.test.ts', 'web/test/**/*.test.ts'],
    // The second builds the web app when stale, for the browser tests (web/test/e2e).
    globalSetup: ['server/test/global-setup.ts', 'web/test/e2e/global-setup.ts'],
    // Each file gets its own database and Redis prefix, so files run in parallel on both cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // expect.poll waits for a state, not for a deadline: its 1 s default failed a loaded CI machine, so a poll
    // now waits as long as the test may (testTimeout bounds it).
    expect: { poll: { timeout: 25_000, interval: 50 } },
  },
});
