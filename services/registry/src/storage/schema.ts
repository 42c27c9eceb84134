import type { ColumnType, Insertable, Selectable } from 'kysely';

/*
 * Tables of the `registry` schema. int8 columns come back as strings (pg, and PGlite as
 * configured by @mlops/db), so they are typed as such and converted at the edge.
 * jsonb columns are written as JSON text: pg would otherwise turn a JS array into a
 * PostgreSQL array literal.
 */

type Int8 = ColumnType<string, number | bigint | string, number | bigint | string>;
type Json<T> = ColumnType<T, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;
/** bigserial: assigned by the database, never written. */
type Serial = ColumnType<string, never, never>;

export type ModelStatusColumn = 'active' | 'archived';
export type VersionStatusColumn = 'ready' | 'archived';

export interface ModelsTable {
  name: string;
  description: string;
  tags: Json<Record<string, string>>;
  status: ModelStatusColumn;
  /** The highest version number handed out; the next version is this + 1 (under the row lock). */
  latest_version: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ModelVersionsTable {
  model: string;
  version: number;
  status: VersionStatusColumn;
  /** The signature onnxruntime reported, as protobuf JSON (mlops.registry.v1.Signature). */
  signature: Json<unknown>;
  /** Everything the client told us about how the version was made (mlops.registry.v1.Lineage JSON). */
  lineage: Json<unknown>;
  /** lineage.metrics again, flat, for gates and queries. */
  metrics: Json<Record<string, number>>;
  artifact_sha256: string;
  artifact_size: Int8;
  created_by: string;
  created_at: CreatedAt;
  archived_at: Date | null;
}

export interface AliasesTable {
  model: string;
  alias: string;
  version: number;
  updated_by: string;
  updated_at: UpdatedAt;
}

export interface AuditRecordsTable {
  id: Serial;
  actor: string;
  at: CreatedAt;
  action: string;
  model: string;
  /** 0 when the action concerns the model itself. */
  version: number;
  reason: string;
  details: Json<Record<string, unknown>>;
  succeeded: boolean;
}

/** Events committed with their change, published (and deleted) by the outbox relay. */
export interface OutboxTable {
  id: Serial;
  audit_id: Int8;
  subject: string;
  /** mlops.events.v1.RegistryEvent, binary. */
  payload: Uint8Array;
  /** W3C trace context of the request that made the change, so the event continues its trace. */
  trace_context: Json<Record<string, string>>;
  created_at: CreatedAt;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
}

/** A retried request with the same (operation, key) gets the stored response of the first one. */
export interface IdempotencyKeysTable {
  operation: string;
  key: string;
  /** sha256 of the request that used the key first; a different request with the key is refused. */
  request_fingerprint: string;
  /** The serialized response message. */
  response: Uint8Array;
  created_at: CreatedAt;
}

export interface RegistryTables {
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  aliases: AliasesTable;
  audit_records: AuditRecordsTable;
  outbox: OutboxTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type ModelRow = Selectable<ModelsTable>;
export type VersionRow = Selectable<ModelVersionsTable>;
export type AliasRow = Selectable<AliasesTable>;
export type AuditRow = Selectable<AuditRecordsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewAuditRecord = Insertable<AuditRecordsTable>;
