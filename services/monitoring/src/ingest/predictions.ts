/**
 * Turns validated prediction events into stored state, one group-committed transaction per
 * batch: the predictions (deduplicated by prediction id, so a redelivered event counts once),
 * their contribution to the panes (appended as pane parts), and the joins of labels that were
 * waiting for them.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { appendPaneParts, type PaneDelta } from '../storage/panes.js';
import type { MonitoringTables } from '../storage/schema.js';
import type { VersionCatalog, VersionInfo } from '../storage/versions.js';
import { PaneSummary } from '../windows/pane.js';
import { paneStartOf } from '../windows/time.js';
import { PaneColumns } from './pane-columns.js';
import { visitPredictionColumns } from './prediction-event-decoder.js';
import type { ValidEvent } from './validate.js';

export interface IngestStats {
  readonly predictions: number;
  readonly duplicates: number;
  readonly shadows: number;
}

export class PredictionIngestor {
  constructor(
    private readonly db: Kysely<MonitoringTables>,
    private readonly catalog: VersionCatalog,
    private readonly paneMs: number,
    private readonly onStored: (model: string, stats: IngestStats) => void = () => undefined,
  ) {}

  async flush(events: readonly ValidEvent[]): Promise<void> {
    const versions = new Map<string, VersionInfo>();
    for (const e of events) {
      if (e.kind !== 'prediction') continue;
      const k = `${e.prediction.model}\u0000${e.prediction.version}`;
      if (!versions.has(k)) versions.set(k, await this.catalog.get(e.prediction.model, e.prediction.version));
    }
    const stats = new Map<string, { predictions: number; duplicates: number; shadows: number }>();
    const statFor = (model: string) => {
      let s = stats.get(model);
      if (!s) stats.set(model, (s = { predictions: 0, duplicates: 0, shadows: 0 }));
      return s;
    };
    await this.db.transaction().execute(async (tx) => {
      // One row per prediction id in the batch (a batch can hold a redelivery of itself).
      const unique = new Map<string, Extract<ValidEvent, { kind: 'prediction' }>>();
      for (const e of events) if (e.kind === 'prediction') unique.set(e.prediction.predictionId, e);
      const rows = [...unique.values()];
      const storedBefore = await insertPredictions(tx, rows);

      const deltas = new Map<string, PaneDelta>();
      // Events of a batch mostly fall in one pane: the last one is checked before the map.
      let last: PaneDelta | undefined;
      const paneFor = (model: string, version: bigint, at: Date): PaneSummary => {
        const paneStartMs = paneStartOf(at.getTime(), this.paneMs);
        if (last !== undefined && last.paneStartMs === paneStartMs && last.version === version && last.model === model) return last.summary;
        const k = `${model}\u0000${version}\u0000${paneStartMs}`;
        let d = deltas.get(k);
        if (!d) deltas.set(k, (d = { model, version, paneStartMs, summary: new PaneSummary() }));
        last = d;
        return d.summary;
      };
      const columns = new PaneColumns();
      for (const e of events) {
        if (e.kind === 'shadow') {
          // Shadow comparisons are counted on the primary version's pane (no per-id dedupe: see README).
          const pane = paneFor(e.shadow.model, e.shadow.primaryVersion, e.servedAt);
          pane.shadows++;
          if (e.shadow.shadowErrorCode !== '') pane.shadowErrors++;
          statFor(e.shadow.model).shadows++;
          continue;
        }
        const p = e.prediction;
        // Counted once: the event whose row was inserted, unless an earlier batch stored that id.
        if (unique.get(p.predictionId) !== e || storedBefore.has(p.predictionId)) {
          statFor(p.model).duplicates++;
          continue;
        }
        statFor(p.model).predictions++;
        const info = versions.get(`${p.model}\u0000${p.version}`)!;
        const pane = paneFor(p.model, p.version, e.servedAt);
        pane.predictions++;
        pane.latency.add(p.latencyMs);
        if (p.errorCode !== '') {
          pane.errors++;
          continue;
        }
        columns.startEvent(pane, info);
        visitPredictionColumns(p, columns);
      }
      columns.finish();
      await appendPaneParts(tx, deltas.values());

      // Labels that arrived first, keyed by entity: join them to their prediction now.
      const byModel = new Map<string, Set<string>>();
      for (const { prediction: p } of rows) if (p.entityKey !== '') (byModel.get(p.model) ?? byModel.set(p.model, new Set()).get(p.model)!).add(p.entityKey);
      for (const [model, keys] of byModel) {
        await tx
          .updateTable('labels as l')
          .set({
            joined_prediction_id: sql<string>`(select p.prediction_id from predictions p where p.model = l.model and p.entity_key = l.entity_key and p.served_at <= l.event_time order by p.served_at desc limit 1)`,
          })
          .where('l.joined_prediction_id', 'is', null)
          .where('l.model', '=', model)
          .where('l.entity_key', 'in', [...keys])
          .execute();
      }
    });
    for (const [model, s] of stats) this.onStored(model, s);
  }
}

type PredictionEvent = Extract<ValidEvent, { kind: 'prediction' }>;

/**
 * Inserts the batch's predictions with one statement whatever its size: the rows travel as one
 * JSON parameter expanded by json_to_recordset (serializing per-row parameters or per-element
 * array literals costs more client CPU than the insert itself), skipping ids already stored.
 * Returns those skipped ids (a redelivery's; usually none), so that no id is counted twice.
 */
async function insertPredictions(tx: Transaction<MonitoringTables>, rows: readonly PredictionEvent[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const records = rows.map(({ prediction: p, servedAt }) => ({
    i: p.predictionId,
    m: p.model,
    v: p.version.toString(),
    e: p.entityKey,
    t: servedAt.getTime(),
    x: p.errorCode !== '',
    o: p.errorCode === '' ? (p.outputs[0]?.values ?? []) : [],
  }));
  const skipped = await sql<{ prediction_id: string }>`
    with input as (
      select r.i, r.m, r.v, r.e, r.t, r.x, r.o
      from json_to_recordset(${JSON.stringify(records)}::json) as r(i text, m text, v bigint, e text, t double precision, x boolean, o jsonb)
    ), inserted as (
      insert into predictions (prediction_id, model, version, entity_key, served_at, is_error, outputs)
      select i, m, v, e, to_timestamp(t / 1000.0), x, o from input
      on conflict (prediction_id) do nothing
      returning prediction_id
    )
    select i as prediction_id from input where i not in (select prediction_id from inserted)`.execute(tx);
  return new Set(skipped.rows.map((r) => r.prediction_id));
}
