import { sql, type Kysely, type Migration } from 'kysely';

/** The router's migrations, run in name order by `openDatabase`. Never edit one that has shipped. */
export const routerMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('deployments')
        .addColumn('model', 'text', (c) => c.primaryKey())
        .addColumn('revision', 'integer', (c) => c.notNull().check(sql`revision > 0`))
        .addColumn('spec', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .execute();

      await db.schema
        .createTable('deployment_revisions')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('spec', 'jsonb', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('deployment_revisions_pkey', ['model', 'revision'])
        .execute();

      await db.schema
        .createTable('canaries')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('stable_version', 'bigint', (c) => c.notNull())
        .addColumn('candidate_version', 'bigint', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull().check(sql`phase in ('progressing', 'paused', 'promoted', 'rolled_back')`))
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('step_started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('policy', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // At most one active canary per model, enforced where every replica sees it.
      await db.schema
        .createIndex('canaries_one_active')
        .on('canaries')
        .column('model')
        .unique()
        .where(sql.ref('phase'), 'in', sql`('progressing', 'paused')`)
        .execute();
      await db.schema.createIndex('canaries_model_id').on('canaries').columns(['model', 'id']).execute();

      await db.schema
        .createTable('canary_decisions')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('canary_id', 'bigint', (c) => c.notNull().references('canaries.id'))
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('candidate_weight', 'double precision', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('figures', 'jsonb', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('canary_decisions_canary').on('canary_decisions').columns(['canary_id', 'id']).execute();

      await db.schema
        .createTable('outcomes')
        .addColumn('prediction_id', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('served_at', 'timestamptz', (c) => c.notNull())
        .addColumn('latency_ms', 'double precision', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('score', 'double precision')
        .addColumn('predicted_label', 'text')
        .execute();
      await db.schema.createIndex('outcomes_window').on('outcomes').columns(['model', 'version', 'served_at']).execute();
      await db.schema.createIndex('outcomes_served_at').on('outcomes').columns(['model', 'served_at']).execute();

      await db.schema
        .createTable('divergences')
        .addColumn('prediction_id', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('candidate_version', 'bigint', (c) => c.notNull())
        .addColumn('stable_version', 'bigint', (c) => c.notNull())
        .addColumn('divergence', 'double precision', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('divergences_window').on('divergences').columns(['model', 'candidate_version', 'at']).execute();

      await db.schema
        .createTable('labels')
        .addColumn('prediction_id', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('alerts')
        .addColumn('alert_id', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('info', 'warning', 'critical')`))
        .addColumn('firing', 'boolean', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_model_firing').on('alerts').columns(['model', 'firing']).execute();
    },
  },
  /** Retention deletes outcomes, divergences and labels by age: BRIN indexes find old rows at almost no cost per insert. */
  '0002_retention_indexes': {
    up: async (db) => {
      await sql`create index outcomes_served_at_brin on outcomes using brin (served_at)`.execute(db);
      await sql`create index divergences_at_brin on divergences using brin (at)`.execute(db);
      await sql`create index labels_received_at_brin on labels using brin (received_at)`.execute(db);
    },
    down: async (db) => {
      for (const index of ['labels_received_at_brin', 'divergences_at_brin', 'outcomes_served_at_brin']) await db.schema.dropIndex(index).execute();
    },
  },
};
