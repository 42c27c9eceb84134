import {
  CreateModelResponseSchema,
  type ArchiveModelRequest,
  type CreateModelRequest,
  type ListModelsRequest,
  type Model,
  type UpdateModelRequest,
} from '@mlops/proto/mlops/registry/v1/registry_pb';
import { RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import { create } from '@bufbuild/protobuf';
import { sql } from 'kysely';
import { isUniqueViolation } from '@mlops/db';
import { validateIdempotencyKey, validateModelName, validateTagKeys, validateTags, validateText } from '../domain/names.js';
import { fail, invalidArgument, ok, type Result } from '../domain/result.js';
import { audited, writeAudit } from './audit.js';
import type { Caller, RegistryContext, RegistryDb } from './context.js';
import { modelToProto } from './convert.js';
import { inTransaction, withIdempotency } from './idempotency.js';
import { enqueueEvent } from './outbox.js';
import { isString, readPage, splitPage } from './pagination.js';
import { aliasesByModel, findModel } from './queries.js';

export async function createModel(ctx: RegistryContext, caller: Caller, req: CreateModelRequest): Promise<Result<Model>> {
  const checks = [
    validateModelName(req.name),
    validateText(req.description, 'description'),
    validateTags(req.tags),
    validateIdempotencyKey(req.idempotencyKey),
  ];
  for (const check of checks) if (!check.ok) return check;

  const idempotent =
    req.idempotencyKey === ''
      ? undefined
      : ({ operation: 'create_model', key: req.idempotencyKey, field: 'idempotency_key', content: { name: req.name, description: req.description, tags: req.tags } } as const);

  const result = await audited(ctx, caller, { action: 'create_model', model: req.name }, () =>
    withIdempotency(ctx.db, idempotent, CreateModelResponseSchema, async (trx) => {
      const inserted = await insertModel(trx, caller, req);
      if (!inserted.ok) return inserted;
      const audit = await writeAudit(trx, caller, { action: 'create_model', model: req.name }, {
        succeeded: true,
        details: { after: { description: req.description, tags: req.tags } },
      });
      await enqueueEvent(trx, audit, { type: RegistryEventType.MODEL_CREATED });
      return ok(create(CreateModelResponseSchema, { model: modelToProto(inserted.value, {}) }));
    }),
  );
  if (!result.ok) return result;
  ctx.eventsCommitted();
  return ok(result.value.model!);
}

async function insertModel(trx: RegistryDb, caller: Caller, req: CreateModelRequest) {
  // A duplicate name aborts the transaction; the failure returned here makes the caller roll it back.
  try {
    const row = await trx
      .insertInto('models')
      .values({
        name: req.name,
        description: req.description,
        tags: JSON.stringify(req.tags),
        status: 'active',
        created_by: caller.actor,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return ok(row);
  } catch (err) {
    if (isUniqueViolation(err)) return fail({ kind: 'already_exists' as const, message: `model "${req.name}" already exists` });
    throw err;
  }
}

export async function getModel(ctx: RegistryContext, name: string): Promise<Result<Model>> {
  const valid = validateModelName(name);
  if (!valid.ok) return valid;
  const row = await findModel(ctx.db, name);
  if (!row.ok) return row;
  const aliases = await aliasesByModel(ctx.db, [name]);
  return ok(modelToProto(row.value, aliases.get(name) ?? {}));
}

export async function listModels(ctx: RegistryContext, req: ListModelsRequest): Promise<Result<{ models: Model[]; nextPageToken: string }>> {
  const page = readPage(req.pageSize, req.pageToken, isString);
  if (!page.ok) return page;
  const tags = validateTags(req.tags);
  if (!tags.ok) return tags;

  let query = ctx.db.selectFrom('models').selectAll().orderBy('name').limit(page.value.limit + 1);
  if (page.value.after !== undefined) query = query.where('name', '>', page.value.after);
  if (!req.includeArchived) query = query.where('status', '=', 'active');
  if (req.nameContains !== '') {
    // strpos, not LIKE: a filter with % or _ means those characters, not wildcards.
    query = query.where(sql<boolean>`strpos(lower(name), lower(${req.nameContains})) > 0`);
  }
  if (Object.keys(req.tags).length > 0) query = query.where(sql<boolean>`tags @> ${JSON.stringify(req.tags)}::jsonb`);

  const { rows, nextPageToken } = splitPage(await query.execute(), page.value.limit, (last) => last.name);
  const aliases = await aliasesByModel(ctx.db, rows.map((r) => r.name));
  return ok({ models: rows.map((row) => modelToProto(row, aliases.get(row.name) ?? {})), nextPageToken });
}

export async function updateModel(ctx: RegistryContext, caller: Caller, req: UpdateModelRequest): Promise<Result<Model>> {
  const checks = [
    validateModelName(req.name),
    validateText(req.description ?? '', 'description'),
    validateTags(req.setTags, 'set_tags'),
    validateTagKeys(req.removeTags, 'remove_tags'),
    validateText(req.reason, 'reason'),
  ];
  for (const check of checks) if (!check.ok) return check;
  const overlap = req.removeTags.find((key) => key in req.setTags);
  if (overlap !== undefined) return fail(invalidArgument('remove_tags', 'keys not also in set_tags', overlap));

  const result = await audited(ctx, caller, { action: 'update_model', model: req.name, reason: req.reason }, () =>
    inTransaction(ctx.db, async (trx) => {
      const current = await findModel(trx, req.name, { forUpdate: true });
      if (!current.ok) return current;
      const tags = { ...current.value.tags, ...req.setTags };
      for (const key of req.removeTags) delete tags[key];
      const description = req.description ?? current.value.description;
      const row = await trx
        .updateTable('models')
        .set({ description, tags: JSON.stringify(tags), updated_at: new Date() })
        .where('name', '=', req.name)
        .returningAll()
        .executeTakeFirstOrThrow();
      const audit = await writeAudit(trx, caller, { action: 'update_model', model: req.name, reason: req.reason }, {
        succeeded: true,
        details: {
          before: { description: current.value.description, tags: current.value.tags },
          after: { description, tags },
        },
      });
      await enqueueEvent(trx, audit, { type: RegistryEventType.MODEL_UPDATED });
      const aliases = await aliasesByModel(trx, [req.name]);
      return ok(modelToProto(row, aliases.get(req.name) ?? {}));
    }),
  );
  if (result.ok) ctx.eventsCommitted();
  return result;
}

export async function archiveModel(ctx: RegistryContext, caller: Caller, req: ArchiveModelRequest): Promise<Result<Model>> {
  const checks = [validateModelName(req.name), validateText(req.reason, 'reason')];
  for (const check of checks) if (!check.ok) return check;

  const result = await audited(ctx, caller, { action: 'archive_model', model: req.name, reason: req.reason }, () =>
    inTransaction(ctx.db, async (trx) => {
      const current = await findModel(trx, req.name, { forUpdate: true });
      if (!current.ok) return current;
      const aliases = (await aliasesByModel(trx, [req.name])).get(req.name) ?? {};
      if (current.value.status === 'archived') return ok(modelToProto(current.value, aliases));
      // Aliases are what serving follows; archiving a model that still serves would strand them.
      const held = Object.entries(aliases).map(([alias, version]) => `${alias} -> version ${version}`);
      if (held.length > 0) {
        return fail({
          kind: 'failed_precondition',
          message: `model "${req.name}" still has aliases (${held.join(', ')}); delete them before archiving it`,
        });
      }
      const row = await trx
        .updateTable('models')
        .set({ status: 'archived', updated_at: new Date() })
        .where('name', '=', req.name)
        .returningAll()
        .executeTakeFirstOrThrow();
      const audit = await writeAudit(trx, caller, { action: 'archive_model', model: req.name, reason: req.reason }, {
        succeeded: true,
        details: { before: { status: 'active' }, after: { status: 'archived' } },
      });
      await enqueueEvent(trx, audit, { type: RegistryEventType.MODEL_ARCHIVED });
      return ok(modelToProto(row, aliases));
    }),
  );
  if (result.ok) ctx.eventsCommitted();
  return result;
}
