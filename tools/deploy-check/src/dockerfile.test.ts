import { existsSync, readFileSync } from 'node:fs';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';
import { describe, expect, it } from 'vitest';
import { execForm, parseDockerfile } from './dockerfile.js';
import { deployPath, repoPath } from './paths.js';
import { runtimeImportsOutsideDependencies } from './runtime-imports.js';
import { SERVICE_NAMES } from './service-config.js';

const dockerfile = parseDockerfile(readFileSync(deployPath('Dockerfile'), 'utf8'));
const runtime = dockerfile.stages.at(-1)!;
const find = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

describe('deploy/Dockerfile', () => {
  it('is multi-stage, and the runtime stage copies only from an earlier stage or the context', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const earlier = new Set(dockerfile.stages.slice(0, -1).map((s) => s.name));
    for (const copy of find('COPY')) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      if (from) expect(earlier, `COPY --from=${from} (line ${copy.line})`).toContain(from);
      else
        for (const source of copy.args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1))
          expect(existsSync(repoPath(source)), source).toBe(true);
    }
  });

  it('runs as a non-root numeric user (Kubernetes runAsNonRoot can verify it)', () => {
    const user = find('USER').at(-1)?.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
  });

  it('has a HEALTHCHECK that asks /readyz through a script present in the image', () => {
    const check = find('HEALTHCHECK').at(-1);
    expect(check).toBeDefined();
    const command = execForm(check!.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
    expect(command?.[0]).toBe('node');
    const script = command![1]!;
    const copied = find('COPY').find((c) => c.args.trim().endsWith(script));
    expect(copied, `COPY of ${script}`).toBeDefined();
    const source = copied!.args.split(/\s+/)[0]!;
    expect(readFileSync(repoPath(source), 'utf8')).toContain('/readyz');
  });

  it('builds any service: SERVICE selects what is built and what runs', () => {
    const text = readFileSync(deployPath('Dockerfile'), 'utf8');
    expect(
      dockerfile.stages.every((s) => s.instructions.some((i) => i.keyword === 'ARG' && i.args === 'SERVICE')),
    ).toBe(true);
    expect(text).toContain('nx run "@mlops/${SERVICE}:build"');
    expect(text).toContain('services/${SERVICE}/dist/main.js');
    const entrypoint = execForm(find('ENTRYPOINT').at(-1)!.args);
    expect(entrypoint?.[0]).toBe('node');
    // The build emits src/ into dist/ (tsconfig.build.json), so dist/main.js exists for each.
    for (const service of SERVICE_NAMES) {
      expect(existsSync(repoPath('services', service, 'src/main.ts')), service).toBe(true);
      const build = JSON.parse(
        readFileSync(repoPath('services', service, 'tsconfig.build.json'), 'utf8'),
      ) as { compilerOptions: { rootDir: string; outDir: string } };
      expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
      const pkg = JSON.parse(readFileSync(repoPath('services', service, 'package.json'), 'utf8')) as {
        name: string;
        scripts: Record<string, string>;
      };
      expect(pkg.name).toBe(`@mlops/${service}`);
      expect(pkg.scripts['build']).toBeDefined();
    }
  });

  it('runs the service with the node flags the launcher uses, before its entry point', () => {
    const entrypoint = execForm(find('ENTRYPOINT').at(-1)!.args) ?? [];
    const flags = entrypoint.slice(1, -1);
    expect(SERVICE_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of SERVICE_NODE_FLAGS) expect(flags).toContain(flag);
    expect(entrypoint.at(-1)).toBe('/app/main.js');
  });

  it('keeps the CUDA download of onnxruntime-node off (the .npmrc the build copies)', () => {
    expect(readFileSync(repoPath('.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
  });

  it('leaves host builds out of the context', () => {
    const ignore = readFileSync(deployPath('Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist']));
  });
});

describe('npm prune --omit=dev in the image', () => {
  it('keeps every package that libs/ and services/ import at run time', () => {
    expect(runtimeImportsOutsideDependencies()).toEqual([]);
  });
});
