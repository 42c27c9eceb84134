import { sql, type Kysely } from 'kysely';
import type { CanaryFigures } from '../canary/figures.js';
import type { RouterTables } from '../storage/schema.js';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const optionalNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

export interface CanaryWindow {
  readonly model: string;
  readonly candidateVariant: string;
  readonly candidateVersion: bigint;
  readonly stableVersion: bigint;
  readonly since: Date;
}

/** The figures of one canary step, from outcomes, labels, divergences and alerts stored by every replica. */
export async function canaryFigures(db: Kysely<RouterTables>, w: CanaryWindow): Promise<CanaryFigures> {
  const outcome = await db
    .selectFrom('outcomes')
    .select([
      sql<string>`count(*)`.as('samples'),
      sql<string>`count(*) filter (where error_code is not null)`.as('errors'),
      sql<number | null>`percentile_cont(0.99) within group (order by latency_ms) filter (where error_code is null)`.as('p99'),
    ])
    .where('model', '=', w.model)
    .where('version', '=', w.candidateVersion.toString())
    .where('variant', '=', w.candidateVariant)
    .where('served_at', '>=', w.since)
    .executeTakeFirstOrThrow();
  const labelled = await db
    .selectFrom('outcomes as o')
    .innerJoin('labels as l', 'l.prediction_id', 'o.prediction_id')
    .select([sql<string>`count(*)`.as('labelled'), sql<string>`count(*) filter (where l.label = o.predicted_label)`.as('correct')])
    .where('o.model', '=', w.model)
    .where('o.version', '=', w.candidateVersion.toString())
    .where('o.variant', '=', w.candidateVariant)
    .where('o.served_at', '>=', w.since)
    .where('o.error_code', 'is', null)
    .executeTakeFirstOrThrow();
  const divergence = await db
    .selectFrom('divergences')
    .select([sql<string>`count(*)`.as('pairs'), sql<number | null>`avg(divergence)`.as('mean')])
    .where('model', '=', w.model)
    .where('candidate_version', '=', w.candidateVersion.toString())
    .where('stable_version', '=', w.stableVersion.toString())
    .where('at', '>=', w.since)
    .executeTakeFirstOrThrow();
  const alerts = await db
    .selectFrom('alerts')
    .select(['rule', 'severity'])
    .where('model', '=', w.model)
    .where('firing', '=', true)
    // An alert about the stable version says nothing against the candidate.
    .where('version', 'in', ['0', w.candidateVersion.toString()])
    .orderBy('rule')
    .execute();
  return {
    candidate: {
      samples: num(outcome.samples),
      errors: num(outcome.errors),
      p99LatencyMs: optionalNum(outcome.p99),
      labelled: num(labelled.labelled),
      correct: num(labelled.correct),
    },
    divergence: { pairs: num(divergence.pairs), mean: optionalNum(divergence.mean) },
    alerts: {
      warning: alerts.filter((a) => a.severity === 'warning').map((a) => a.rule),
      critical: alerts.filter((a) => a.severity === 'critical').map((a) => a.rule),
    },
  };
}

export interface VariantFigures {
  readonly variant: string;
  readonly version: bigint;
  readonly requests: number;
  readonly errors: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly meanScore: number | undefined;
  readonly labelled: number;
  readonly correct: number;
}

/** Per (variant, version) aggregates of the outcomes served in [start, end). */
export async function variantFigures(db: Kysely<RouterTables>, model: string, start: Date, end: Date): Promise<VariantFigures[]> {
  const rows = await db
    .selectFrom('outcomes as o')
    .leftJoin('labels as l', 'l.prediction_id', 'o.prediction_id')
    .select([
      'o.variant',
      'o.version',
      sql<string>`count(*)`.as('requests'),
      sql<string>`count(*) filter (where o.error_code is not null)`.as('errors'),
      sql<number | null>`percentile_cont(0.5) within group (order by o.latency_ms) filter (where o.error_code is null)`.as('p50'),
      sql<number | null>`percentile_cont(0.95) within group (order by o.latency_ms) filter (where o.error_code is null)`.as('p95'),
      sql<number | null>`percentile_cont(0.99) within group (order by o.latency_ms) filter (where o.error_code is null)`.as('p99'),
      sql<number | null>`avg(o.score)`.as('mean_score'),
      sql<string>`count(l.prediction_id) filter (where o.error_code is null)`.as('labelled'),
      sql<string>`count(*) filter (where o.error_code is null and l.label = o.predicted_label)`.as('correct'),
    ])
    .where('o.model', '=', model)
    .where('o.served_at', '>=', start)
    .where('o.served_at', '<', end)
    .groupBy(['o.variant', 'o.version'])
    .execute();
  return rows.map((r) => ({
    variant: r.variant,
    version: BigInt(r.version),
    requests: num(r.requests),
    errors: num(r.errors),
    p50: optionalNum(r.p50),
    p95: optionalNum(r.p95),
    p99: optionalNum(r.p99),
    meanScore: optionalNum(r.mean_score),
    labelled: num(r.labelled),
    correct: num(r.correct),
  }));
}
