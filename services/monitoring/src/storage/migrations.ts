/** kysely migrations of the `monitoring` schema (run at start by @mlops/db). */
import { sql, type Kysely, type Migration } from 'kysely';

const m001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('predictions')
      .addColumn('prediction_id', 'text', (c) => c.primaryKey())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('entity_key', 'text', (c) => c.notNull())
      .addColumn('served_at', 'timestamptz', (c) => c.notNull())
      .addColumn('is_error', 'boolean', (c) => c.notNull())
      .addColumn('outputs', 'jsonb', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('predictions_version_time').on('predictions').columns(['model', 'version', 'served_at']).execute();
    await db.schema.createIndex('predictions_entity_time').on('predictions').columns(['model', 'entity_key', 'served_at']).execute();

    await db.schema
      .createTable('labels')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('label_key', 'text', (c) => c.notNull())
      .addColumn('prediction_id', 'text')
      .addColumn('entity_key', 'text', (c) => c.notNull())
      .addColumn('event_time', 'timestamptz')
      .addColumn('numeric_value', 'double precision')
      .addColumn('category', 'text')
      .addColumn('producer', 'text', (c) => c.notNull())
      .addColumn('joined_prediction_id', 'text')
      .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('labels_model_key', ['model', 'label_key'])
      .execute();
    await db.schema.createIndex('labels_joined').on('labels').column('joined_prediction_id').execute();
    await db.schema.createIndex('labels_pending').on('labels').columns(['model', 'entity_key']).where(sql.ref('joined_prediction_id'), 'is', null).execute();

    await db.schema
      .createTable('panes')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('pane_start', 'timestamptz', (c) => c.notNull())
      .addColumn('pane_ms', 'integer', (c) => c.notNull())
      .addColumn('summary', 'jsonb', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('panes_pk', ['model', 'version', 'pane_start'])
      .execute();

    await db.schema
      .createTable('binnings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('edges', 'jsonb', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('references')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('source', 'jsonb', (c) => c.notNull())
      .addColumn('rows', 'bigint', (c) => c.notNull())
      .addColumn('columns', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('references_pk', ['model', 'version'])
      .execute();

    await db.schema
      .createTable('versions')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('binnings', 'jsonb', (c) => c.notNull())
      .addColumn('training_metrics', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('versions_pk', ['model', 'version'])
      .execute();

    await db.schema
      .createTable('alerts')
      .addColumn('alert_id', 'text', (c) => c.primaryKey())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('figures', 'jsonb', (c) => c.notNull())
      .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
      .addColumn('resolved_at', 'timestamptz')
      .addColumn('resolved_figures', 'jsonb')
      .addColumn('acknowledged_by', 'text')
      .addColumn('ack_comment', 'text')
      .addColumn('acknowledged_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('alerts_model_state').on('alerts').columns(['model', 'state']).execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of ['alerts', 'versions', 'references', 'binnings', 'panes', 'labels', 'predictions']) await db.schema.dropTable(t).execute();
  },
};

/**
 * Retention deletes raw predictions and labels by age (panes, the summaries, stay). BRIN indexes
 * on their time columns find the old rows without scanning, at almost no cost per insert (rows
 * arrive roughly in time order).
 */
const m002: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create index predictions_served_at_brin on predictions using brin (served_at)`.execute(db);
    await sql`create index labels_received_at_brin on labels using brin (received_at)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('labels_received_at_brin').execute();
    await db.schema.dropIndex('predictions_served_at_brin').execute();
  },
};

/**
 * Pane parts: each ingestion batch appends its pane deltas here instead of rewriting the pane
 * under a row lock (two batches in flight, or two replicas, would otherwise wait on each other
 * for every flush). Readers merge `panes` with the parts; the compactor folds parts into `panes`.
 */
const m003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pane_parts')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('pane_start', 'timestamptz', (c) => c.notNull())
      .addColumn('summary', 'jsonb', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('pane_parts_pane').on('pane_parts').columns(['model', 'version', 'pane_start']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('pane_parts').execute();
  },
};

export const monitoringMigrations: Record<string, Migration> = { '001_monitoring': m001, '002_retention_indexes': m002, '003_pane_parts': m003 };
