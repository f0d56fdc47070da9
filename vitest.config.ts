import { defineConfig } from 'vitest/config';

// Forks, not threads: native addons (better-sqlite3, smartcard, serialport)
// and per-process environment (PCSCLITE_CSOCK_NAME) need a process each.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // test-build-global: compiles the checkout once per run; CLI processes start from it (sim/world/node-command.ts).
    globalSetup: ['test/support/postgres-global.ts', 'test/support/pcscd-global.ts', 'test/support/test-build-global.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.tessera/test-results.json' },
  },
});
