import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';

/** A live variant: receives `weight / total` of the traffic through sticky assignment. */
export interface LiveVariant {
  readonly name: string;
  readonly version: bigint;
  readonly weight: number;
}

/** A mirrored variant: never answers, only compared. */
export interface ShadowVariant {
  readonly name: string;
  readonly version: bigint;
  readonly sampleRate: number;
}

/**
 * What to do when a feature has no value: reject the prediction naming the features, or use the
 * declared default. There is deliberately no "zero" policy: a silent zero is a wrong prediction.
 */
export type MissingFeaturePolicy =
  | { readonly kind: 'reject' }
  | { readonly kind: 'use_defaults'; readonly defaults: Readonly<Record<string, Value>> };

export interface DeploymentSpec {
  readonly model: string;
  readonly variants: readonly LiveVariant[];
  readonly shadows: readonly ShadowVariant[];
  readonly missingFeatures: MissingFeaturePolicy;
}

export interface Deployment extends DeploymentSpec {
  /** 1 for the first stored revision, +1 on every change. */
  readonly revision: number;
  readonly updatedAt: Date;
}

/** What serves a model without a deployment: its production alias, all traffic, reject policy. */
export const IMPLICIT_VARIANT = 'production';
