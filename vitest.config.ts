import path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

export default defineConfig({
  resolve: {
    alias: {
      '@': root,
      // lib modules import 'server-only', which throws outside a React Server build.
      'server-only': path.join(root, 'node_modules/server-only/empty.js'),
    },
  },
  test: {
    include: ['lib/**/*.test.ts', 'prisma/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['lib/testing/global-setup.ts'],
    setupFiles: ['lib/testing/per-file-database.ts'],
    pool: 'forks',
    // The failures tests provoke on purpose stay out of the output (lib/ops/logger.test.ts checks the lines).
    env: { LOG_LEVEL: 'fatal' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default'],
  },
});
