import { sql, type Kysely, type Transaction } from 'kysely';
import { parseRef, type Catalog, type EntityDef, type FeatureRef, type FeatureServiceDef, type FeatureViewDef } from '../domain/definitions.js';
import type { ApplyWrites } from '../domain/apply-plan.js';
import { formatRef } from '../domain/definitions.js';
import type { FeatureType } from '../domain/values.js';
import type { FeatureStoreTables } from './schema.js';

type Db = Kysely<FeatureStoreTables>;

/** Reads every definition: the source of truth the in-memory catalog is refreshed from. */
export async function loadCatalog(db: Db | Transaction<FeatureStoreTables>): Promise<Catalog> {
  const [entityRows, viewRows, serviceRows] = await Promise.all([
    db.selectFrom('entities').selectAll().execute(),
    db.selectFrom('feature_views').selectAll().execute(),
    db.selectFrom('feature_services').selectAll().execute(),
  ]);
  const entities = new Map<string, EntityDef>(
    entityRows.map((r) => [r.name, { name: r.name, joinKey: r.join_key, description: r.description }]),
  );
  const views = new Map<string, FeatureViewDef>(
    viewRows.map((r) => [
      r.name,
      {
        name: r.name,
        entity: r.entity,
        features: r.features.map((f) => ({ name: f.name, type: f.type as FeatureType, description: f.description })),
        ttlMicros: Number(r.ttl_us),
        owner: r.owner,
        description: r.description,
        tags: r.tags,
      },
    ]),
  );
  const services = new Map<string, FeatureServiceDef>(
    serviceRows.map((r) => [
      r.name,
      {
        name: r.name,
        // Stored refs were validated at apply; a ref that no longer parses would be a bug.
        featureRefs: r.feature_refs.map((text) => parseRef(text)).filter((ref): ref is FeatureRef => ref !== undefined),
        description: r.description,
      },
    ]),
  );
  return { entities, views, services };
}

/**
 * Serialises applies (two concurrent applies would each check against a catalog the other
 * is changing). A table lock rather than an advisory lock: it works the same on PGlite.
 */
export async function lockDefinitions(trx: Transaction<FeatureStoreTables>): Promise<void> {
  await sql`lock table feature_services in share row exclusive mode`.execute(trx);
}

/** Writes an apply plan; deletions of views also drop their stored rows. */
export async function writeDefinitions(trx: Transaction<FeatureStoreTables>, writes: ApplyWrites): Promise<void> {
  const now = new Date();
  for (const e of writes.entities) {
    await trx
      .insertInto('entities')
      .values({ name: e.name, join_key: e.joinKey, description: e.description, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ join_key: e.joinKey, description: e.description, updated_at: now }))
      .execute();
  }
  for (const v of writes.views) {
    const row = {
      entity: v.entity,
      features: JSON.stringify(v.features.map((f) => ({ name: f.name, type: f.type, description: f.description }))),
      ttl_us: v.ttlMicros,
      owner: v.owner,
      description: v.description,
      tags: JSON.stringify(v.tags),
      updated_at: now,
    };
    await trx
      .insertInto('feature_views')
      .values({ name: v.name, ...row })
      .onConflict((oc) => oc.column('name').doUpdateSet(row))
      .execute();
  }
  for (const s of writes.services) {
    const row = { feature_refs: JSON.stringify(s.featureRefs.map(formatRef)), description: s.description, updated_at: now };
    await trx
      .insertInto('feature_services')
      .values({ name: s.name, ...row })
      .onConflict((oc) => oc.column('name').doUpdateSet(row))
      .execute();
  }
  if (writes.deleteServices.length > 0) await trx.deleteFrom('feature_services').where('name', 'in', writes.deleteServices).execute();
  if (writes.deleteViews.length > 0) {
    await trx.deleteFrom('online_rows').where('view', 'in', writes.deleteViews).execute();
    await trx.deleteFrom('offline_rows').where('view', 'in', writes.deleteViews).execute();
    await trx.deleteFrom('feature_views').where('name', 'in', writes.deleteViews).execute();
  }
  if (writes.deleteEntities.length > 0) await trx.deleteFrom('entities').where('name', 'in', writes.deleteEntities).execute();
}
