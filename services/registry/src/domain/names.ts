import { invalidArgument, ok, fail, type Result } from './result.js';

/**
 * Model names become a token of the NATS subject `mlops.registry.<model>.<event>` and appear in
 * references like `churn@production` and `churn/3`, so they may not contain `.`, `*`, `>`, `@`,
 * `/` or whitespace. Letters, digits, `_` and `-`, starting with a letter or digit.
 */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * Aliases appear in gate expressions (`auc >= production.auc - 0.005`), where a `-` or `.` would
 * be ambiguous, so they are identifiers. `latest` is reserved (it resolves to the newest ready
 * version) and so is `v<digits>`, which reads as a version number.
 */
const ALIAS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED_ALIAS = /^(latest|v\d+)$/i;

const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,128}$/;
const MAX_TAG_VALUE = 4096;
const MAX_DESCRIPTION = 16_384;
const MAX_REASON = 4096;

export function validateModelName(name: string, field = 'name'): Result<string> {
  if (MODEL_NAME.test(name)) return ok(name);
  return fail(
    invalidArgument(field, 'a model name of 1-128 letters, digits, "_" or "-", starting with a letter or digit', name),
  );
}

export function validateAlias(alias: string, field = 'alias'): Result<string> {
  if (!ALIAS_NAME.test(alias)) {
    return fail(invalidArgument(field, 'an alias of 1-64 letters, digits or "_", not starting with a digit', alias));
  }
  if (RESERVED_ALIAS.test(alias)) {
    return fail(invalidArgument(field, 'an alias other than the reserved "latest" and "v<number>"', alias));
  }
  return ok(alias);
}

export function validateTags(tags: Readonly<Record<string, string>>, field = 'tags'): Result<Record<string, string>> {
  for (const [key, value] of Object.entries(tags)) {
    if (!TAG_KEY.test(key)) {
      return fail(invalidArgument(`${field}.${key}`, 'a tag key of 1-128 letters, digits or "_.:/-"', key));
    }
    if (value.length > MAX_TAG_VALUE) {
      return fail(invalidArgument(`${field}.${key}`, `a tag value of at most ${MAX_TAG_VALUE} characters`));
    }
  }
  return ok({ ...tags });
}

export function validateTagKeys(keys: readonly string[], field: string): Result<string[]> {
  for (const key of keys) {
    if (!TAG_KEY.test(key)) return fail(invalidArgument(field, 'tag keys of 1-128 letters, digits or "_.:/-"', key));
  }
  return ok([...keys]);
}

export function validateText(text: string, field: string, max: number = field.endsWith('reason') ? MAX_REASON : MAX_DESCRIPTION): Result<string> {
  if (text.length > max) return fail(invalidArgument(field, `at most ${max} characters`, `${text.length} characters`));
  return ok(text);
}

export function validateIdempotencyKey(key: string, field = 'idempotency_key'): Result<string> {
  if (key.length > 256) return fail(invalidArgument(field, 'at most 256 characters', `${key.length} characters`));
  return ok(key);
}

/** A version number from the wire: a positive integer that fits a JS number. */
export function validateVersionNumber(version: bigint, field = 'version'): Result<number> {
  if (version <= 0n || version > BigInt(Number.MAX_SAFE_INTEGER)) {
    return fail(invalidArgument(field, 'a version number above 0', version.toString()));
  }
  return ok(Number(version));
}
