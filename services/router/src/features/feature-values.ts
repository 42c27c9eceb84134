import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import type { MissingFeaturePolicy } from '../deployments/deployment.js';
import { err, ok, type Result } from '../domain/result.js';

/** What the feature store said about one feature of one entity. */
export type StoredFeature =
  | { readonly kind: 'present'; readonly value: Value }
  | { readonly kind: 'missing'; readonly reason: MissingReason };

export type MissingReason = 'not_found' | 'expired' | 'null' | 'not_looked_up';

export interface MissingFeature {
  readonly feature: string;
  readonly reason: MissingReason;
}

/** `customer:age` -> `age`; a ref without a view is its own bare name. */
export const bareName = (ref: string): string => ref.slice(ref.indexOf(':') + 1);

/**
 * Inline values keyed by full ref or bare name, resolved against the model's refs. A key matching
 * no ref is an error (a typo must not be silently ignored), and so is a bare name two refs share.
 */
export function resolveOverrides(
  refs: readonly string[],
  overrides: Readonly<Record<string, Value>>,
): Result<Map<string, Value>, { key: string; expected: string }> {
  const byRef = new Map<string, Value>();
  const keys = Object.keys(overrides);
  if (keys.length === 0) return ok(byRef);
  const refSet = new Set(refs);
  const byBare = new Map<string, string[]>();
  for (const ref of refs) byBare.set(bareName(ref), [...(byBare.get(bareName(ref)) ?? []), ref]);
  for (const key of keys) {
    const value = overrides[key]!;
    if (refSet.has(key)) {
      byRef.set(key, value);
      continue;
    }
    const candidates = byBare.get(key) ?? [];
    if (candidates.length === 1) {
      byRef.set(candidates[0]!, value);
      continue;
    }
    return err({
      key,
      expected: candidates.length > 1 ? `a full "view:feature" reference (${candidates.join(', ')} share this name)` : `one of the model's features: ${refs.join(', ')}`,
    });
  }
  return ok(byRef);
}

/**
 * The values fed to the model for one entity, in `refs` order: the inline value, else the stored
 * one, else (under the defaults policy) the declared default. Anything still missing fails the
 * whole row, naming every missing feature: never a silent zero.
 */
export function resolveFeatureRow(
  refs: readonly string[],
  stored: ReadonlyMap<string, StoredFeature>,
  overrides: ReadonlyMap<string, Value>,
  policy: MissingFeaturePolicy,
): Result<Value[], MissingFeature[]> {
  const values: Value[] = [];
  const missing: MissingFeature[] = [];
  for (const ref of refs) {
    const inline = overrides.get(ref);
    if (inline && inline.kind.case !== undefined) {
      values.push(inline);
      continue;
    }
    const fromStore = stored.get(ref) ?? { kind: 'missing', reason: 'not_looked_up' };
    if (fromStore.kind === 'present' && fromStore.value.kind.case !== undefined) {
      values.push(fromStore.value);
      continue;
    }
    const reason: MissingReason = fromStore.kind === 'missing' ? fromStore.reason : 'null';
    const fallback = policy.kind === 'use_defaults' ? (policy.defaults[ref] ?? policy.defaults[bareName(ref)]) : undefined;
    if (fallback && fallback.kind.case !== undefined) {
      values.push(fallback);
      continue;
    }
    missing.push({ feature: ref, reason });
  }
  return missing.length > 0 ? err(missing) : ok(values);
}

const REASON_TEXT: Record<MissingReason, string> = {
  not_found: 'no value stored',
  expired: 'value expired',
  null: 'stored value is null',
  not_looked_up: 'not given inline',
};

/** "customer:age (no value stored), customer:tenure (value expired)". */
export const describeMissing = (missing: readonly MissingFeature[]): string =>
  missing.map((m) => `${m.feature} (${REASON_TEXT[m.reason]})`).join(', ');
