import { create } from '@bufbuild/protobuf';
import { DeploymentSchema, MissingFeaturePolicy } from '@mlops/proto/mlops/router/v1/router_pb';
import { describe, expect, it } from 'vitest';
import { specFromStored, specToStored } from './codec.js';
import { validateDeployment } from './validate.js';

const deployment = (over: Record<string, unknown> = {}) =>
  create(DeploymentSchema, {
    model: 'churn',
    variants: [
      { name: 'a', version: 1n, weight: 70 },
      { name: 'b', version: 2n, weight: 30 },
    ],
    shadows: [{ name: 'next', version: 3n, sampleRate: 0.5 }],
    ...over,
  });

describe('validateDeployment', () => {
  it('accepts A/B/n with shadows, defaulting to the reject policy', () => {
    const r = validateDeployment(deployment());
    expect(r.ok && r.value).toEqual({
      model: 'churn',
      variants: [
        { name: 'a', version: 1n, weight: 70 },
        { name: 'b', version: 2n, weight: 30 },
      ],
      shadows: [{ name: 'next', version: 3n, sampleRate: 0.5 }],
      missingFeatures: { kind: 'reject' },
    });
  });

  it.each([
    [{ model: 'a.b' }, 'deployment.model'],
    [{ variants: [] }, 'deployment.variants'],
    [{ variants: [{ name: 'a', version: 1n, weight: 0 }] }, 'deployment.variants'],
    [{ variants: [{ name: 'a', version: 0n, weight: 1 }] }, 'deployment.variants[0].version'],
    [{ variants: [{ name: 'bad name', version: 1n, weight: 1 }] }, 'deployment.variants[0].name'],
    [{ shadows: [{ name: 'a', version: 3n, sampleRate: 1 }] }, 'deployment.shadows[0].name'],
    [{ shadows: [{ name: 's', version: 3n, sampleRate: 1.5 }] }, 'deployment.shadows[0].sample_rate'],
    [{ shadows: [{ name: 's', version: 3n, sampleRate: 0 }] }, 'deployment.shadows[0].sample_rate'],
    [{ featureDefaults: { age: { kind: { case: 'doubleValue', value: 1 } } } }, 'deployment.feature_defaults'],
    [{ missingFeaturePolicy: MissingFeaturePolicy.USE_DEFAULTS, featureDefaults: { age: {} } }, 'deployment.feature_defaults["age"]'],
  ] as const)('rejects case %# naming %s', (over, field) => {
    const r = validateDeployment(deployment(over as Record<string, unknown>));
    expect(r.ok === false && r.error.field).toBe(field);
  });

  it('round-trips through its stored form, defaults included', () => {
    const r = validateDeployment(deployment({ missingFeaturePolicy: MissingFeaturePolicy.USE_DEFAULTS, featureDefaults: { age: { kind: { case: 'int64Value', value: 40n } } } }));
    if (!r.ok) throw new Error(r.error.field);
    const back = specFromStored('churn', JSON.parse(JSON.stringify(specToStored(r.value))));
    expect(back).toEqual(r.value);
  });
});
