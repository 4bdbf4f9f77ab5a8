import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Compiles src/cli.ts and src/main.ts once for the tests that run them as processes.
    globalSetup: ['test/support/build-entry-points.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    // Nothing in a test may reach beyond loopback; the phone simulator and fake Slack bind 127.0.0.1.
  },
});
