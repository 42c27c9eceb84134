import { sql, type Kysely, type Migration } from 'kysely';

/** The feature store's migrations, run in name order by `openDatabase`. Never edit one that has shipped. */
export const featureStoreMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('entities')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('join_key', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('feature_views')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('entity', 'text', (c) => c.notNull().references('entities.name'))
        .addColumn('features', 'jsonb', (c) => c.notNull())
        .addColumn('ttl_us', 'bigint', (c) => c.notNull().check(sql`ttl_us >= 0`))
        .addColumn('owner', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('feature_services')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('feature_refs', 'jsonb', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      // `json`, not `jsonb`, for row values: the store never looks inside them, and json is
      // kept as text, so ingestion does not pay for a jsonb parse of every row.
      await db.schema
        .createTable('online_rows')
        .addColumn('view', 'text', (c) => c.notNull())
        .addColumn('entity_key', 'text', (c) => c.notNull())
        .addColumn('event_time_us', 'bigint', (c) => c.notNull())
        .addColumn('feature_values', 'json', (c) => c.notNull())
        .addColumn('written_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('online_rows_pkey', ['view', 'entity_key'])
        .execute();
      // The primary key is also the point-in-time index: (view, entity_key) equality, then a
      // backward scan of event_time_us from the as-of time finds the row in one probe.
      await db.schema
        .createTable('offline_rows')
        .addColumn('view', 'text', (c) => c.notNull())
        .addColumn('entity_key', 'text', (c) => c.notNull())
        .addColumn('event_time_us', 'bigint', (c) => c.notNull())
        .addColumn('feature_values', 'json', (c) => c.notNull())
        .addColumn('ingested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('offline_rows_pkey', ['view', 'entity_key', 'event_time_us'])
        .execute();
    },
  },
};
