import { RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import type { DeleteAliasRequest, ModelVersion, SetAliasRequest } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { validateAlias, validateModelName, validateText, validateVersionNumber } from '../domain/names.js';
import { fail, invalidArgument, ok, type Result } from '../domain/result.js';
import { compileGate, describeFailedGate, evaluateGate, type GateCondition, type MetricSource } from '../gates/index.js';
import { audited, writeAudit } from './audit.js';
import type { Caller, RegistryContext, RegistryDb } from './context.js';
import { versionToProto } from './convert.js';
import { inTransaction } from './idempotency.js';
import { enqueueEvent } from './outbox.js';
import { aliasTarget, aliasesByVersion, findActiveModel, findModel, findVersion } from './queries.js';

export interface AliasMove {
  readonly version: ModelVersion;
  /** Where the alias pointed before (0: it was unset). */
  readonly previousVersion: number;
}

/**
 * Points an alias at a version, if its gate passes. The model row is locked first, so two
 * moves of the same model's aliases serialize: the second sees the first's result (and fails
 * its compare-and-set when it expected the old target). Gates compare against the alias holders
 * as of that locked moment.
 */
export async function setAlias(ctx: RegistryContext, caller: Caller, req: SetAliasRequest): Promise<Result<AliasMove>> {
  const checks = [validateModelName(req.model, 'model'), validateAlias(req.alias), validateText(req.reason, 'reason')];
  for (const check of checks) if (!check.ok) return check;
  const number = validateVersionNumber(req.version);
  if (!number.ok) return number;
  const gate = compileGate(req.gate);
  if (!gate.ok) return gate;
  const expected = req.expectedCurrentVersion;
  if (expected !== undefined && expected < 0n) {
    return fail(invalidArgument('expected_current_version', 'the version the alias points to now, or 0 for unset', expected.toString()));
  }
  const version = number.value;
  const subject = { action: 'set_alias', model: req.model, version, reason: req.reason } as const;
  const request = { alias: req.alias, expected_current_version: expected === undefined ? null : Number(expected) };

  const result = await audited(ctx, caller, subject, () =>
    inTransaction(ctx.db, async (trx): Promise<Result<AliasMove & { changed: boolean }> & { details?: Record<string, unknown> }> => {
      const model = await findActiveModel(trx, req.model, { forUpdate: true });
      if (!model.ok) return model;
      const target = await findVersion(trx, req.model, version);
      if (!target.ok) return target;
      if (target.value.status !== 'ready') {
        return fail({ kind: 'failed_precondition', message: `version ${version} of model "${req.model}" is archived; an alias must point to a ready version` });
      }
      const current = (await aliasTarget(trx, req.model, req.alias)) ?? 0;
      if (expected !== undefined && BigInt(current) !== expected) {
        return {
          ...fail({
            kind: 'aborted',
            message:
              `alias "${req.alias}" of model "${req.model}" points to ${current === 0 ? 'no version' : `version ${current}`}, ` +
              `not the expected ${expected === 0n ? 'no version' : `version ${expected}`}; it was moved concurrently, re-read and retry`,
          }),
          details: { ...request, current_version: current },
        };
      }

      const verdict = await runGate(trx, req.model, gate.value, { version, metrics: target.value.metrics });
      if (!verdict.passed) {
        return {
          ...fail({ kind: 'failed_precondition', message: `cannot point "${req.alias}" of model "${req.model}" to version ${version}: ${describeFailedGate(verdict)}` }),
          details: { ...request, previous_version: current, gate: verdict.outcomes },
        };
      }

      const changed = current !== version;
      if (changed) {
        await trx
          .insertInto('aliases')
          .values({ model: req.model, alias: req.alias, version, updated_by: caller.actor })
          .onConflict((oc) => oc.columns(['model', 'alias']).doUpdateSet({ version, updated_by: caller.actor, updated_at: new Date() }))
          .execute();
        await trx.updateTable('models').set({ updated_at: new Date() }).where('name', '=', req.model).execute();
      }
      const audit = await writeAudit(trx, caller, subject, {
        succeeded: true,
        details: { ...request, previous_version: current, changed, gate: verdict.outcomes },
      });
      if (changed) await enqueueEvent(trx, audit, { type: RegistryEventType.ALIAS_SET, alias: req.alias, previousVersion: current });
      const aliases = (await aliasesByVersion(trx, req.model)).get(version) ?? [];
      return ok({ version: versionToProto(target.value, aliases), previousVersion: current, changed });
    }),
  );
  if (!result.ok) return result;
  if (result.value.changed) ctx.eventsCommitted();
  return ok({ version: result.value.version, previousVersion: result.value.previousVersion });
}

async function runGate(trx: RegistryDb, model: string, conditions: readonly GateCondition[], candidate: MetricSource) {
  const aliases = [...new Set(conditions.flatMap((c) => (c.bound.kind === 'alias' ? [c.bound.alias] : [])))];
  const holders = new Map<string, MetricSource>();
  if (aliases.length > 0) {
    const rows = await trx
      .selectFrom('aliases')
      .innerJoin('model_versions', (join) =>
        join.onRef('model_versions.model', '=', 'aliases.model').onRef('model_versions.version', '=', 'aliases.version'),
      )
      .select(['aliases.alias', 'model_versions.version', 'model_versions.metrics'])
      .where('aliases.model', '=', model)
      .where('aliases.alias', 'in', aliases)
      .execute();
    for (const row of rows) holders.set(row.alias, { version: row.version, metrics: row.metrics });
  }
  return evaluateGate(conditions, candidate, (alias) => holders.get(alias));
}

export async function deleteAlias(ctx: RegistryContext, caller: Caller, req: DeleteAliasRequest): Promise<Result<{ previousVersion: number }>> {
  const checks = [validateModelName(req.model, 'model'), validateAlias(req.alias), validateText(req.reason, 'reason')];
  for (const check of checks) if (!check.ok) return check;
  const subject = { action: 'delete_alias', model: req.model, reason: req.reason } as const;

  const result = await audited(ctx, caller, subject, () =>
    inTransaction(ctx.db, async (trx) => {
      const model = await findModel(trx, req.model, { forUpdate: true });
      if (!model.ok) return model;
      const current = await aliasTarget(trx, req.model, req.alias);
      if (current === undefined) return fail({ kind: 'not_found', message: `model "${req.model}" has no alias "${req.alias}"` });
      await trx.deleteFrom('aliases').where('model', '=', req.model).where('alias', '=', req.alias).execute();
      await trx.updateTable('models').set({ updated_at: new Date() }).where('name', '=', req.model).execute();
      const audit = await writeAudit(trx, caller, { ...subject, version: current }, {
        succeeded: true,
        details: { alias: req.alias, previous_version: current },
      });
      await enqueueEvent(trx, audit, { type: RegistryEventType.ALIAS_DELETED, alias: req.alias, previousVersion: current });
      return ok({ previousVersion: current });
    }),
  );
  if (result.ok) ctx.eventsCommitted();
  return result;
}

/** What a reference names: `name@alias`, `name/3`, or `name` alone (its production alias). */
export type VersionReference =
  | { kind: 'alias'; model: string; alias: string }
  | { kind: 'latest'; model: string }
  | { kind: 'number'; model: string; version: number };

export const DEFAULT_ALIAS = 'production';

export function parseReference(reference: string, field = 'reference'): Result<VersionReference> {
  const expected = '"<model>@<alias>", "<model>/<version>" or "<model>" (its production alias)';
  const match = /^([^@/]+)(?:@([^@/]+)|\/(\d+))?$/.exec(reference);
  if (match === null) return fail(invalidArgument(field, expected, reference));
  const [, model = '', alias, version] = match;
  const name = validateModelName(model, field);
  if (!name.ok) return name;
  if (version !== undefined) {
    const number = validateVersionNumber(BigInt(version), field);
    return number.ok ? ok({ kind: 'number', model, version: number.value }) : number;
  }
  if (alias === 'latest') return ok({ kind: 'latest', model });
  const checked = validateAlias(alias ?? DEFAULT_ALIAS, field);
  return checked.ok ? ok({ kind: 'alias', model, alias: checked.value }) : checked;
}

export async function resolveVersion(ctx: RegistryContext, reference: string): Promise<Result<ModelVersion>> {
  const parsed = parseReference(reference);
  if (!parsed.ok) return parsed;
  const ref = parsed.value;
  const model = await findModel(ctx.db, ref.model);
  if (!model.ok) return model;

  let version: number;
  switch (ref.kind) {
    case 'number':
      version = ref.version;
      break;
    case 'latest': {
      const row = await ctx.db
        .selectFrom('model_versions')
        .select('version')
        .where('model', '=', ref.model)
        .where('status', '=', 'ready')
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row === undefined) return fail({ kind: 'not_found', message: `model "${ref.model}" has no ready version` });
      version = row.version;
      break;
    }
    case 'alias': {
      const target = await aliasTarget(ctx.db, ref.model, ref.alias);
      if (target === undefined) return fail({ kind: 'not_found', message: `model "${ref.model}" has no alias "${ref.alias}"` });
      version = target;
      break;
    }
  }
  const row = await findVersion(ctx.db, ref.model, version);
  if (!row.ok) return row;
  const aliases = await aliasesByVersion(ctx.db, ref.model);
  return ok(versionToProto(row.value, aliases.get(version) ?? []));
}
