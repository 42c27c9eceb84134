import { create, toBinary } from '@bufbuild/protobuf';
import { FeatureRowSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { sql, type Kysely, type Migration } from 'kysely';
import { decodeValues, type StoredValues } from '../domain/values.js';

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
  /**
   * Row values as protobuf (the FeatureRow field-3 records producers send) in a bytea instead of
   * JSON text: ingestion stores the producer's bytes as they came (no JSON built per row, none
   * parsed by the server) and reads answer from them. Existing rows are converted. The online
   * table leaves room in its pages so the upserts of ingestion are HOT updates (no index write).
   */
  '0002_protobuf_values': {
    async up(db: Kysely<unknown>) {
      for (const table of ['offline_rows', 'online_rows'] as const) {
        await sql`alter table ${sql.table(table)} add column values_pb bytea`.execute(db);
        for (;;) {
          const page = await sql<{ view: string; entity_key: string; event_time_us: string; feature_values: StoredValues }>`
            select view, entity_key, event_time_us, feature_values from ${sql.table(table)} where values_pb is null limit 2000
          `.execute(db);
          if (page.rows.length === 0) break;
          for (const r of page.rows) {
            const bytes = toBinary(FeatureRowSchema, create(FeatureRowSchema, { values: decodeValues(r.feature_values) }));
            await sql`update ${sql.table(table)} set values_pb = ${Buffer.from(bytes)}
              where view = ${r.view} and entity_key = ${r.entity_key} and event_time_us = ${r.event_time_us}`.execute(db);
          }
        }
        await sql`alter table ${sql.table(table)} drop column feature_values`.execute(db);
        await sql`alter table ${sql.table(table)} rename column values_pb to feature_values`.execute(db);
        await sql`alter table ${sql.table(table)} alter column feature_values set not null`.execute(db);
      }
      await sql`alter table online_rows set (fillfactor = 50)`.execute(db);
    },
  },
};
