import type { ColumnType, Generated } from 'kysely';

/** int8 comes back as a string on both drivers (libs/db); written as bigint or string. */
type Int8 = ColumnType<string, bigint | string | number, bigint | string | number>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** The stored form of a deployment (JSON): versions as decimal strings, defaults as protobuf JSON. */
export interface StoredDeploymentSpec {
  readonly variants: { name: string; version: string; weight: number }[];
  readonly shadows: { name: string; version: string; sampleRate: number }[];
  readonly missingFeatures: { kind: 'reject' } | { kind: 'use_defaults'; defaults: Record<string, unknown> };
}

export interface DeploymentsTable {
  model: string;
  revision: number;
  spec: Json<StoredDeploymentSpec>;
  updated_at: Timestamp;
  updated_by: string;
  reason: string;
}

export interface DeploymentRevisionsTable {
  model: string;
  revision: number;
  spec: Json<StoredDeploymentSpec>;
  actor: string;
  reason: string;
  created_at: Timestamp;
}

export interface CanariesTable {
  id: Generated<string>;
  model: string;
  stable_version: Int8;
  candidate_version: Int8;
  phase: 'progressing' | 'paused' | 'promoted' | 'rolled_back';
  step: number;
  started_at: Timestamp;
  step_started_at: Timestamp;
  policy: Json<unknown>;
  updated_at: Timestamp;
}

export interface CanaryDecisionsTable {
  id: Generated<string>;
  canary_id: Int8;
  model: string;
  action: string;
  step: number;
  candidate_weight: number;
  reason: string;
  figures: Json<Record<string, number>>;
  at: Timestamp;
}

/** One served (or failed) prediction: what canary gates and the experiment report aggregate. */
export interface OutcomesTable {
  prediction_id: string;
  model: string;
  variant: string;
  version: Int8;
  served_at: Timestamp;
  latency_ms: number;
  /** Null on success; the gRPC status name otherwise. */
  error_code: string | null;
  /** First value of the first output. */
  score: number | null;
  predicted_label: string | null;
}

/** A candidate's output compared with the stable version's on the same input. */
export interface DivergencesTable {
  prediction_id: string;
  model: string;
  candidate_version: Int8;
  stable_version: Int8;
  divergence: number;
  at: Timestamp;
}

/** Ground truth from mlops.labels.<model>, joined with outcomes by prediction id at query time. */
export interface LabelsTable {
  prediction_id: string;
  model: string;
  label: string;
  received_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The latest state of each monitoring alert (mlops.alerts.<model>.<severity>). */
export interface AlertsTable {
  alert_id: string;
  model: string;
  version: Int8;
  rule: string;
  severity: 'info' | 'warning' | 'critical';
  firing: boolean;
  summary: string;
  at: Timestamp;
}

export interface RouterTables {
  deployments: DeploymentsTable;
  deployment_revisions: DeploymentRevisionsTable;
  canaries: CanariesTable;
  canary_decisions: CanaryDecisionsTable;
  outcomes: OutcomesTable;
  divergences: DivergencesTable;
  labels: LabelsTable;
  alerts: AlertsTable;
}
