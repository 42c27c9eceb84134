import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whichever directory vitest was started from. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

export const deployPath = (...parts: string[]): string => join(DEPLOY_DIR, ...parts);
export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
