// `npm test` runs every package's tests in one vitest process (each package is a project) and
// ends with a plain "Tests: N passed, N failed" line.
import { defineConfig } from 'vitest/config';
import { sharedConfig } from './vitest.shared.js';

export default defineConfig({
  ...sharedConfig,
  test: {
    ...sharedConfig.test,
    projects: ['libs/*/vitest.config.ts', 'services/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
    reporters: ['default', './tools/scripts/summary-reporter.ts'],
  },
});
