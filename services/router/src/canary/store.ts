import type { Kysely, Transaction } from 'kysely';
import type { RouterTables } from '../storage/schema.js';
import type { CanaryPolicy } from './policy.js';
import type { CanaryState } from './state-machine.js';

type Db = Kysely<RouterTables> | Transaction<RouterTables>;

export interface StoredCanary extends CanaryState {
  readonly id: string;
}

export interface StoredDecision {
  readonly id: string;
  readonly canaryId: string;
  readonly model: string;
  readonly action: string;
  readonly step: number;
  readonly candidateWeight: number;
  readonly reason: string;
  readonly figures: Record<string, number>;
  readonly at: Date;
}

type CanaryRow = {
  id: string;
  model: string;
  stable_version: string;
  candidate_version: string;
  phase: CanaryState['phase'];
  step: number;
  started_at: Date;
  step_started_at: Date;
  policy: unknown;
};

const COLUMNS = ['id', 'model', 'stable_version', 'candidate_version', 'phase', 'step', 'started_at', 'step_started_at', 'policy'] as const;

const fromRow = (r: CanaryRow): StoredCanary => ({
  id: r.id,
  model: r.model,
  stableVersion: BigInt(r.stable_version),
  candidateVersion: BigInt(r.candidate_version),
  phase: r.phase,
  step: r.step,
  startedAt: r.started_at,
  stepStartedAt: r.step_started_at,
  policy: r.policy as CanaryPolicy,
});

export async function insertCanary(db: Db, state: CanaryState): Promise<StoredCanary> {
  const row = await db
    .insertInto('canaries')
    .values({
      model: state.model,
      stable_version: state.stableVersion.toString(),
      candidate_version: state.candidateVersion.toString(),
      phase: state.phase,
      step: state.step,
      started_at: state.startedAt,
      step_started_at: state.stepStartedAt,
      policy: JSON.stringify(state.policy),
      updated_at: state.startedAt,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

export async function updateCanary(db: Db, id: string, state: CanaryState, now: Date): Promise<void> {
  await db
    .updateTable('canaries')
    .set({ phase: state.phase, step: state.step, step_started_at: state.stepStartedAt, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** The active canary of a model, row-locked for this transaction; undefined if none or another replica holds it. */
export async function lockActiveCanary(tx: Transaction<RouterTables>, model: string): Promise<StoredCanary | undefined> {
  const row = await tx
    .selectFrom('canaries')
    .select(COLUMNS)
    .where('model', '=', model)
    .where('phase', 'in', ['progressing', 'paused'])
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function activeCanaryModels(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('canaries').select('model').where('phase', 'in', ['progressing', 'paused']).execute();
  return rows.map((r) => r.model);
}

/** The latest canary of a model, active or not. */
export async function latestCanary(db: Db, model: string): Promise<StoredCanary | undefined> {
  const row = await db.selectFrom('canaries').select(COLUMNS).where('model', '=', model).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function insertDecision(db: Db, d: Omit<StoredDecision, 'id'>): Promise<StoredDecision> {
  const row = await db
    .insertInto('canary_decisions')
    .values({
      canary_id: d.canaryId,
      model: d.model,
      action: d.action,
      step: d.step,
      candidate_weight: d.candidateWeight,
      reason: d.reason,
      figures: JSON.stringify(d.figures),
      at: d.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...d, id: row.id };
}

export async function listDecisions(db: Db, canaryId: string): Promise<StoredDecision[]> {
  const rows = await db.selectFrom('canary_decisions').selectAll().where('canary_id', '=', canaryId).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    canaryId: r.canary_id,
    model: r.model,
    action: r.action,
    step: r.step,
    candidateWeight: r.candidate_weight,
    reason: r.reason,
    figures: r.figures,
    at: r.at,
  }));
}

export async function lastDecision(db: Db, canaryId: string): Promise<Pick<StoredDecision, 'id' | 'action' | 'reason'> | undefined> {
  const all = await db.selectFrom('canary_decisions').select(['id', 'action', 'reason']).where('canary_id', '=', canaryId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return all;
}
