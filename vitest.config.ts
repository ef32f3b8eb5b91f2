import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure logic and API tests through app.request, in parallel) and
 * `e2e` (the real built server in Chromium, one file at a time: 2 cores, one browser).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'tests/server/**/*.test.ts',
            'tests/domain/**/*.test.ts',
            'tests/kiosk/**/*.test.ts',
            'tests/admin/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
          globalSetup: ['tests/helpers/build-frontends.ts'],
        },
      },
    ],
  },
});
