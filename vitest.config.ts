import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // A Node warning in a test is a failure (STYLE.md §10).
    setupFiles: ['test/setup/fail-on-warning.ts'],
  },
});
