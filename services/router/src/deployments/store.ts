import { isUniqueViolation } from '@mlops/db';
import type { Kysely, Transaction } from 'kysely';
import { err, ok, type Result } from '../domain/result.js';
import type { RouterTables } from '../storage/schema.js';
import { specFromStored, specToStored } from './codec.js';
import type { Deployment, DeploymentSpec } from './deployment.js';

type Db = Kysely<RouterTables> | Transaction<RouterTables>;

export type SaveCondition =
  /** Optimistic concurrency from a client: 0 means "must not exist yet". */
  | { readonly kind: 'expect_revision'; readonly revision: number }
  /** The canary controller, which already holds the canary's row lock. */
  | { readonly kind: 'unconditional' };

export type SaveError = { readonly kind: 'revision_conflict'; readonly current: number; readonly expected: number };

const fromRow = (row: { model: string; revision: number; spec: unknown; updated_at: Date }): Deployment => ({
  ...specFromStored(row.model, row.spec as Parameters<typeof specFromStored>[1]),
  revision: row.revision,
  updatedAt: row.updated_at,
});

export async function loadDeployment(db: Db, model: string): Promise<Deployment | undefined> {
  const row = await db.selectFrom('deployments').select(['model', 'revision', 'spec', 'updated_at']).where('model', '=', model).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function loadAllDeployments(db: Db): Promise<Deployment[]> {
  const rows = await db.selectFrom('deployments').select(['model', 'revision', 'spec', 'updated_at']).execute();
  return rows.map(fromRow);
}

/** Writes a new revision and its history row. Runs inside the caller's transaction when given one. */
export async function saveDeployment(
  db: Kysely<RouterTables> | Transaction<RouterTables>,
  spec: DeploymentSpec,
  condition: SaveCondition,
  audit: { actor: string; reason: string; now: Date },
): Promise<Result<Deployment, SaveError>> {
  const write = async (tx: Transaction<RouterTables>): Promise<Result<Deployment, SaveError>> => {
    const current = await tx.selectFrom('deployments').select('revision').where('model', '=', spec.model).forUpdate().executeTakeFirst();
    const currentRevision = current?.revision ?? 0;
    if (condition.kind === 'expect_revision' && condition.revision !== currentRevision) {
      return err({ kind: 'revision_conflict', current: currentRevision, expected: condition.revision });
    }
    const revision = currentRevision + 1;
    const stored = JSON.stringify(specToStored(spec));
    if (current) {
      await tx
        .updateTable('deployments')
        .set({ revision, spec: stored, updated_at: audit.now, updated_by: audit.actor, reason: audit.reason })
        .where('model', '=', spec.model)
        .execute();
    } else {
      // A concurrent first write of the same model fails here (primary key): the caller sees a conflict.
      await tx.insertInto('deployments').values({ model: spec.model, revision, spec: stored, updated_at: audit.now, updated_by: audit.actor, reason: audit.reason }).execute();
    }
    await tx.insertInto('deployment_revisions').values({ model: spec.model, revision, spec: stored, actor: audit.actor, reason: audit.reason, created_at: audit.now }).execute();
    return ok({ ...spec, revision, updatedAt: audit.now });
  };
  if (db.isTransaction) return write(db as Transaction<RouterTables>);
  try {
    return await (db as Kysely<RouterTables>).transaction().execute(write);
  } catch (e) {
    if (isUniqueViolation(e)) return err({ kind: 'revision_conflict', current: 1, expected: condition.kind === 'expect_revision' ? condition.revision : 0 });
    throw e;
  }
}
