/** Tables of the `monitoring` schema, as kysely sees them. */
import type { ColumnType, Generated } from 'kysely';

/** int8 comes back from pg as a string; written as bigint or number. */
type Int8 = ColumnType<string, bigint | number | string, bigint | number | string>;
/** jsonb: written as JSON text (pg would turn a JS array into a PostgreSQL array), read parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface PredictionsTable {
  prediction_id: string;
  model: string;
  version: Int8;
  entity_key: string;
  served_at: Date;
  is_error: boolean;
  /** First output tensor's values (score, probabilities or the regression value). */
  outputs: Json<number[]>;
}

export interface LabelsTable {
  id: Generated<Int8>;
  model: string;
  /** "p:<prediction id>" or "e:<entity key>@<event time>": a re-sent label replaces the earlier one. */
  label_key: string;
  prediction_id: string | null;
  entity_key: string;
  event_time: Date | null;
  numeric_value: number | null;
  category: string | null;
  producer: string;
  /** The prediction the label belongs to, once known. */
  joined_prediction_id: string | null;
  received_at: Generated<Date>;
}

export interface PanesTable {
  model: string;
  version: Int8;
  pane_start: Date;
  pane_ms: number;
  summary: Json<unknown>;
  updated_at: Generated<Date>;
}

/** A pane delta appended by one ingestion batch, until the compactor folds it into `panes`. */
export interface PanePartsTable {
  id: Generated<Int8>;
  model: string;
  version: Int8;
  pane_start: Date;
  summary: Json<unknown>;
}

export interface BinningsTable {
  id: string;
  edges: Json<number[]>;
}

export interface ReferencesTable {
  model: string;
  version: Int8;
  source: Json<unknown>;
  rows: Int8;
  columns: Json<unknown>;
  created_at: Generated<Date>;
}

export interface VersionsTable {
  model: string;
  version: Int8;
  /** column -> binning id used by this version's panes (fixed at first sight, so panes merge). */
  binnings: Json<Record<string, string>>;
  training_metrics: Json<Record<string, number>>;
  created_at: Generated<Date>;
}

export interface AlertsTable {
  alert_id: string;
  model: string;
  version: Int8;
  rule: string;
  subject: string;
  severity: string;
  state: string;
  summary: string;
  figures: Json<Record<string, number>>;
  fired_at: Date;
  resolved_at: Date | null;
  resolved_figures: Json<Record<string, number>> | null;
  acknowledged_by: string | null;
  ack_comment: string | null;
  acknowledged_at: Date | null;
}

export interface MonitoringTables {
  predictions: PredictionsTable;
  labels: LabelsTable;
  panes: PanesTable;
  pane_parts: PanePartsTable;
  binnings: BinningsTable;
  references: ReferencesTable;
  versions: VersionsTable;
  alerts: AlertsTable;
}
