import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './paths.js';

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * "file imports package" for every value import in the non-test sources of libs/ and services/
 * whose package is not in that workspace package's "dependencies": what the image would lack
 * after `npm prune --omit=dev`.
 */
export function runtimeImportsOutsideDependencies(): string[] {
  const problems: string[] = [];
  for (const group of ['libs', 'services']) {
    for (const name of readdirSync(repoPath(group))) {
      const root = repoPath(group, name);
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      };
      const allowed = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {})]);
      for (const file of sourceFiles(join(root, 'src'))) {
        for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
          const [, typeOnly, specifier] = m;
          if (
            typeOnly ||
            !specifier ||
            specifier.startsWith('.') ||
            specifier.startsWith('node:') ||
            builtinModules.includes(specifier)
          )
            continue;
          if (!allowed.has(packageOf(specifier)))
            problems.push(`${file.slice(repoPath().length + 1)} imports ${specifier}`);
        }
      }
    }
  }
  return problems;
}
