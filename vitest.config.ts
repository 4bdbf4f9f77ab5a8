import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on child processes, loopback sockets and the database rather than on the CPU:
    // vitest's default (CPUs - 1 = one file at a time on a 2-CPU machine) leaves the CPUs idle. On this
    // 2-CPU machine (2026-12-05, with Postgres): 3 workers 182-186 s at 168-175% CPU, 4 workers 171 s.
    maxWorkers: 4,
    // Compiles src/cli.ts and src/main.ts once for the tests that run them as processes.
    globalSetup: ['test/support/build-entry-points.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    // Nothing in a test may reach beyond loopback; the phone simulator and fake Slack bind 127.0.0.1.
  },
});
