import { readYaml } from './yaml-files.js';

export interface ComposeService {
  readonly image?: string;
  readonly build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  readonly command?: string[] | string;
  readonly environment?: Record<string, string | number | boolean | null> | string[];
  readonly ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  readonly volumes?: Array<string | { type: string; source?: string; target: string }>;
  readonly depends_on?: string[] | Record<string, { condition?: string }>;
  readonly healthcheck?: { test?: string[] | string };
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

/**
 * Compose interpolation of `${VAR}`, `${VAR:-default}` and `${VAR-default}` against `vars`
 * (the tests pass an empty environment: what `docker compose up` does on a clean shell).
 */
export function interpolate(value: string, vars: Readonly<Record<string, string>> = {}): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
    (_, name: string, op: string | undefined, fallback: string | undefined) => {
      const set = vars[name];
      if (op === ':-') return set === undefined || set === '' ? (fallback ?? '') : set;
      if (op === '-') return set === undefined ? (fallback ?? '') : set;
      return set ?? '';
    },
  );
}

export function loadCompose(path: string): ComposeFile {
  const file = readYaml(path) as ComposeFile;
  if (typeof file !== 'object' || file === null || typeof file.services !== 'object')
    throw new Error(`${path}: no services`);
  return file;
}

/** A service's environment as the container sees it (interpolated, values as strings). */
export function composeEnvironment(
  service: ComposeService,
  vars: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = service.environment ?? {};
  const entries: Array<[string, unknown]> = Array.isArray(raw)
    ? raw.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, undefined] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(raw);
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    env[name] = interpolate(String(value), vars);
  }
  return env;
}

/** Container ports published by a service ("127.0.0.1:50051:50051", "9090", long syntax). */
export function composeContainerPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return p.target;
    const container = p.split(':').at(-1) ?? '';
    return Number(container.split('/')[0]);
  });
}

/** "image:tag" -> { repository, tag } ("latest" when no tag). */
export function splitImage(image: string): { repository: string; tag: string } {
  const at = image.lastIndexOf(':');
  if (at < 0 || image.slice(at).includes('/')) return { repository: image, tag: 'latest' };
  return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}
