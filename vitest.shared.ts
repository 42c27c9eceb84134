// The one vitest setup every package uses: sources of workspace packages are resolved through
// the "@mlops/source" export condition, so tests run on TypeScript without a build step.
import { defaultServerConditions, type UserConfig } from 'vite';

export const sharedConfig = {
  resolve: { conditions: ['@mlops/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@mlops/source', ...defaultServerConditions] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests hold real connections; a pool of forks isolates their globals.
    pool: 'forks',
  },
} satisfies UserConfig;
