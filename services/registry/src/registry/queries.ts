import type { ModelRow, VersionRow } from '../storage/schema.js';
import { fail, ok, type Result } from '../domain/result.js';
import type { RegistryDb } from './context.js';

/**
 * The model row; with `forUpdate`, locked until the transaction ends. Every change to a model,
 * its versions or its aliases takes this lock first, so changes to one model serialize (two
 * alias moves cannot both read the same "current" version) while other models proceed.
 */
export async function findModel(db: RegistryDb, name: string, opts: { forUpdate?: boolean } = {}): Promise<Result<ModelRow>> {
  let query = db.selectFrom('models').selectAll().where('name', '=', name);
  if (opts.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? fail({ kind: 'not_found', message: `model "${name}" not found` }) : ok(row);
}

export async function findActiveModel(db: RegistryDb, name: string, opts: { forUpdate?: boolean } = {}): Promise<Result<ModelRow>> {
  const model = await findModel(db, name, opts);
  if (model.ok && model.value.status === 'archived') {
    return fail({ kind: 'failed_precondition', message: `model "${name}" is archived` });
  }
  return model;
}

export async function findVersion(db: RegistryDb, model: string, version: number): Promise<Result<VersionRow>> {
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', model)
    .where('version', '=', version)
    .executeTakeFirst();
  return row === undefined ? fail({ kind: 'not_found', message: `version ${version} of model "${model}" not found` }) : ok(row);
}

/** alias -> version, per model. */
export async function aliasesByModel(db: RegistryDb, models: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const byModel = new Map<string, Record<string, number>>();
  if (models.length === 0) return byModel;
  const rows = await db.selectFrom('aliases').select(['model', 'alias', 'version']).where('model', 'in', models).execute();
  for (const row of rows) {
    const aliases = byModel.get(row.model) ?? {};
    aliases[row.alias] = row.version;
    byModel.set(row.model, aliases);
  }
  return byModel;
}

/** version -> the aliases pointing to it, for the versions of one model. */
export async function aliasesByVersion(db: RegistryDb, model: string): Promise<Map<number, string[]>> {
  const rows = await db.selectFrom('aliases').select(['alias', 'version']).where('model', '=', model).execute();
  const byVersion = new Map<number, string[]>();
  for (const row of rows) byVersion.set(row.version, [...(byVersion.get(row.version) ?? []), row.alias]);
  return byVersion;
}

export async function aliasTarget(db: RegistryDb, model: string, alias: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('aliases')
    .select('version')
    .where('model', '=', model)
    .where('alias', '=', alias)
    .executeTakeFirst();
  return row?.version;
}
