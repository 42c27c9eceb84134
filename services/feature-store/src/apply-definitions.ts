import type { Kysely } from 'kysely';
import type { ApplyDefinitionsRequest } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { CatalogHolder } from './catalog-holder.js';
import { planApply, type ApplyPlan, type ApplyRefusal } from './domain/apply-plan.js';
import type { FieldError } from './domain/field-error.js';
import { err, ok, type Result } from './domain/result.js';
import { validateApplyRequest } from './domain/validate-definitions.js';
import type { OnlineCache } from './online/online-cache.js';
import { loadCatalog, lockDefinitions, writeDefinitions } from './storage/definitions-store.js';
import type { FeatureStoreTables } from './storage/schema.js';

export type ApplyError = { readonly kind: 'malformed'; readonly error: FieldError } | { readonly kind: 'refused'; readonly refusal: ApplyRefusal };

export interface ApplyDeps {
  readonly db: Kysely<FeatureStoreTables>;
  readonly catalog: CatalogHolder;
  readonly cache: OnlineCache;
}

/**
 * Applies definitions: validated, planned against the stored catalog under a table lock (so
 * concurrent applies from two replicas serialise), written in the same transaction, then put
 * in force in this replica. Re-applying the same definitions plans no change and writes nothing.
 */
export async function applyDefinitions(deps: ApplyDeps, req: ApplyDefinitionsRequest): Promise<Result<ApplyPlan, ApplyError>> {
  const input = validateApplyRequest(req);
  if (!input.ok) return err({ kind: 'malformed', error: input.error });
  const planned = await deps.db.transaction().execute(async (trx) => {
    await lockDefinitions(trx);
    const current = await loadCatalog(trx);
    const plan = planApply(current, input.value);
    if (plan.ok && !input.value.dryRun && plan.value.changes.length > 0) await writeDefinitions(trx, plan.value.writes);
    return { current, plan };
  });
  const { current, plan } = planned;
  if (!plan.ok) return err({ kind: 'refused', refusal: plan.error });
  if (!input.value.dryRun) {
    for (const name of plan.value.writes.deleteViews) deps.cache.drop(name);
    // A view this apply created has no rows yet: its (empty) cache is complete as it stands.
    for (const v of plan.value.writes.views) if (!current.views.has(v.name)) deps.cache.markComplete(v.name);
    deps.catalog.replace(plan.value.next);
  }
  return ok(plan.value);
}
