import type { Deployment as DeploymentMessage } from '@mlops/proto/mlops/router/v1/router_pb';
import { MissingFeaturePolicy as PolicyEnum } from '@mlops/proto/mlops/router/v1/router_pb';
import { fieldError, type FieldError } from '../domain/field-error.js';
import { MODEL_NAME, MODEL_NAME_EXPECTED, VARIANT_NAME, VARIANT_NAME_EXPECTED } from '../domain/names.js';
import { err, ok, type Result } from '../domain/result.js';
import type { DeploymentSpec, LiveVariant, MissingFeaturePolicy, ShadowVariant } from './deployment.js';

export const MAX_VARIANTS = 16;
const MAX_WEIGHT = 1_000_000;

/**
 * Checks a deployment as a client sent it. Whether the versions exist in the registry is checked
 * by the caller (it needs the network); this is everything that can be judged from the message.
 */
export function validateDeployment(message: DeploymentMessage | undefined, field = 'deployment'): Result<DeploymentSpec, FieldError> {
  if (!message) return err(fieldError(field, 'a deployment'));
  if (!MODEL_NAME.test(message.model)) return err(fieldError(`${field}.model`, MODEL_NAME_EXPECTED, message.model));
  if (message.variants.length === 0) return err(fieldError(`${field}.variants`, 'at least one variant'));
  if (message.variants.length + message.shadows.length > MAX_VARIANTS) {
    return err(fieldError(`${field}.variants`, `at most ${MAX_VARIANTS} variants and shadows together`, message.variants.length + message.shadows.length));
  }
  const names = new Set<string>();
  const checkName = (name: string, at: string): FieldError | undefined => {
    if (!VARIANT_NAME.test(name)) return fieldError(at, VARIANT_NAME_EXPECTED, name);
    if (names.has(name)) return fieldError(at, 'a name unique among variants and shadows', name);
    names.add(name);
    return undefined;
  };

  const variants: LiveVariant[] = [];
  for (const [i, v] of message.variants.entries()) {
    const at = `${field}.variants[${i}]`;
    const bad = checkName(v.name, `${at}.name`);
    if (bad) return err(bad);
    if (v.version <= 0n) return err(fieldError(`${at}.version`, 'a registry version number above 0', v.version));
    if (v.weight > MAX_WEIGHT) return err(fieldError(`${at}.weight`, `a weight of at most ${MAX_WEIGHT}`, v.weight));
    variants.push({ name: v.name, version: v.version, weight: v.weight });
  }
  if (!variants.some((v) => v.weight > 0)) return err(fieldError(`${field}.variants`, 'at least one variant with a weight above 0'));

  const shadows: ShadowVariant[] = [];
  for (const [i, s] of message.shadows.entries()) {
    const at = `${field}.shadows[${i}]`;
    const bad = checkName(s.name, `${at}.name`);
    if (bad) return err(bad);
    if (s.version <= 0n) return err(fieldError(`${at}.version`, 'a registry version number above 0', s.version));
    if (!(s.sampleRate > 0 && s.sampleRate <= 1)) return err(fieldError(`${at}.sample_rate`, 'a fraction in (0, 1]', s.sampleRate));
    shadows.push({ name: s.name, version: s.version, sampleRate: s.sampleRate });
  }

  let missingFeatures: MissingFeaturePolicy;
  switch (message.missingFeaturePolicy) {
    case PolicyEnum.UNSPECIFIED:
    case PolicyEnum.REJECT:
      if (Object.keys(message.featureDefaults).length > 0) {
        return err(fieldError(`${field}.feature_defaults`, 'no defaults unless missing_feature_policy is MISSING_FEATURE_POLICY_USE_DEFAULTS'));
      }
      missingFeatures = { kind: 'reject' };
      break;
    case PolicyEnum.USE_DEFAULTS: {
      for (const [name, value] of Object.entries(message.featureDefaults)) {
        if (value.kind.case === undefined) return err(fieldError(`${field}.feature_defaults[${JSON.stringify(name)}]`, 'a value (a default cannot be null)'));
      }
      missingFeatures = { kind: 'use_defaults', defaults: { ...message.featureDefaults } };
      break;
    }
    default:
      return err(fieldError(`${field}.missing_feature_policy`, 'MISSING_FEATURE_POLICY_REJECT or MISSING_FEATURE_POLICY_USE_DEFAULTS', message.missingFeaturePolicy));
  }
  return ok({ model: message.model, variants, shadows, missingFeatures });
}
