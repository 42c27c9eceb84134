import { sql, type Kysely, type Migration } from 'kysely';

/** The registry's migrations, run in name order by `openDatabase`. Never edit one that has shipped. */
export const registryMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('models')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'archived')`))
        .addColumn('latest_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('model_versions')
        .addColumn('model', 'text', (c) => c.notNull().references('models.name'))
        .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ready', 'archived')`))
        .addColumn('signature', 'jsonb', (c) => c.notNull())
        .addColumn('lineage', 'jsonb', (c) => c.notNull())
        .addColumn('metrics', 'jsonb', (c) => c.notNull())
        .addColumn('artifact_sha256', 'text', (c) => c.notNull())
        .addColumn('artifact_size', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('archived_at', 'timestamptz')
        .addPrimaryKeyConstraint('model_versions_pkey', ['model', 'version'])
        .execute();
      await db.schema.createIndex('model_versions_sha256').on('model_versions').column('artifact_sha256').execute();

      await db.schema
        .createTable('aliases')
        .addColumn('model', 'text', (c) => c.notNull().references('models.name'))
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('aliases_pkey', ['model', 'alias'])
        .addForeignKeyConstraint('aliases_version_fkey', ['model', 'version'], 'model_versions', ['model', 'version'])
        .execute();

      await db.schema
        .createTable('audit_records')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('succeeded', 'boolean', (c) => c.notNull())
        .execute();
      // Audit records outlive models on purpose (no foreign key): a refused create is audited too.
      await db.schema.createIndex('audit_records_model_id').on('audit_records').columns(['model', 'id']).execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('audit_id', 'bigint', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('payload', 'bytea', (c) => c.notNull())
        .addColumn('trace_context', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_fingerprint', 'text', (c) => c.notNull())
        .addColumn('response', 'bytea', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('idempotency_keys_pkey', ['operation', 'key'])
        .execute();
    },
  },
};
