// The one vitest setup every package uses: sources of workspace packages are resolved through
// the "@mlops/source" export condition, so tests run on TypeScript without a build step.
import { defaultServerConditions, type UserConfig } from 'vite';

// Vite's server conditions include "module", which makes packages such as @opentelemetry/api
// resolve to ESM builds that Node itself cannot load (extension-less imports). Node does not use
// "module", so neither do we.
const conditions = ['@mlops/source', ...defaultServerConditions.filter((c) => c !== 'module')];

export const sharedConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests hold real connections; a pool of forks isolates their globals.
    pool: 'forks',
  },
} satisfies UserConfig;
