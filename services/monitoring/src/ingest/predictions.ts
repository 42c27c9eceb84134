/**
 * Turns validated prediction events into stored state, one group-committed transaction per
 * batch: the predictions (deduplicated by prediction id, so a redelivered event counts once),
 * their contribution to the panes, and the joins of labels that were waiting for them.
 */
import { sql, type Kysely } from 'kysely';
import type { BinningCache } from '../storage/binnings.js';
import { mergePaneDeltas, type PaneDelta } from '../storage/panes.js';
import type { MonitoringTables } from '../storage/schema.js';
import type { VersionCatalog, VersionInfo } from '../storage/versions.js';
import { PaneSummary } from '../windows/pane.js';
import { paneStartOf } from '../windows/time.js';
import { forEachColumn } from './columns.js';
import type { ValidEvent } from './validate.js';

const INSERT_CHUNK = 1000;

export interface IngestStats {
  readonly predictions: number;
  readonly duplicates: number;
  readonly shadows: number;
}

export class PredictionIngestor {
  constructor(
    private readonly db: Kysely<MonitoringTables>,
    private readonly binnings: BinningCache,
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
      const fresh = new Set<string>();
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK);
        const inserted = await tx
          .insertInto('predictions')
          .values(
            chunk.map(({ prediction: p, servedAt }) => ({
              prediction_id: p.predictionId,
              model: p.model,
              version: p.version.toString(),
              entity_key: p.entityKey,
              served_at: servedAt,
              is_error: p.errorCode !== '',
              outputs: JSON.stringify(p.errorCode === '' ? (p.outputs[0]?.values ?? []) : []),
            })),
          )
          .onConflict((oc) => oc.column('prediction_id').doNothing())
          .returning('prediction_id')
          .execute();
        for (const r of inserted) fresh.add(r.prediction_id);
      }

      const deltas = new Map<string, PaneDelta>();
      const paneFor = (model: string, version: bigint, at: Date): PaneSummary => {
        const paneStartMs = paneStartOf(at.getTime(), this.paneMs);
        const k = `${model}\u0000${version}\u0000${paneStartMs}`;
        let d = deltas.get(k);
        if (!d) deltas.set(k, (d = { model, version, paneStartMs, summary: new PaneSummary() }));
        return d.summary;
      };
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
        if (!fresh.delete(p.predictionId)) {
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
        forEachColumn(p, (column, v) => {
          if (v.kind === 'numeric') {
            const s = pane.numeric(column, info.binningOf(column));
            if (s) s.add(v.value);
            else pane.categorical(column)?.add(String(v.value));
          } else if (v.kind === 'categorical') {
            const s = pane.categorical(column);
            if (s) s.add(v.value);
            else pane.numeric(column, info.binningOf(column))?.addMissing();
          } else {
            const existing = pane.features.get(column);
            if (existing) existing.addMissing();
          }
        });
      }
      await mergePaneDeltas(tx, this.binnings, this.paneMs, deltas.values());

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
