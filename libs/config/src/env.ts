import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';

export type EnvSource = Readonly<Record<string, string | undefined>>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ConfigError };

/**
 * Parses the variables named by `shape` out of `env`. Empty strings count as unset, so
 * `FOO= npm start` falls back to the default instead of failing on "".
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: EnvSource = process.env,
): ParseResult<z.infer<z.ZodObject<S>>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const raw = env[key];
    input[key] = raw === undefined || raw.trim() === '' ? undefined : raw;
  }
  const parsed = z.object(shape).safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues: ConfigIssue[] = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(unknown)');
    return { variable, expected: issue.message, received: input[variable] };
  });
  return { ok: false, error: new ConfigError(issues) };
}

/** `parseEnv`, throwing the `ConfigError` (for `main.ts`, where a bad value must stop the start). */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: EnvSource = process.env): z.infer<z.ZodObject<S>> {
  const result = parseEnv(shape, env);
  if (!result.ok) throw result.error;
  return result.value;
}
