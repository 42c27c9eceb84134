import { GroupCommit } from '@mlops/events';
import type { Kysely } from 'kysely';
import type { CatalogHolder } from '../catalog-holder.js';
import type { FeatureViewDef } from '../domain/definitions.js';
import {
  rowValidator,
  validateRows,
  type BatchRejectionReason,
  type BatchValidation,
  type RowBatch,
  type RowRejectionReason,
} from '../domain/rows.js';
import { nowMicros, type Micros } from '../domain/time.js';
import type { FeatureStoreMetrics, IngestSource } from '../metrics.js';
import type { OnlineCache } from '../online/online-cache.js';
import { writeRows, type ViewRows } from '../storage/row-writer.js';
import type { FeatureStoreTables } from '../storage/schema.js';

/** What became of one batch. */
export type IngestOutcome =
  /** The whole message was refused (unknown view, view differs from the subject). */
  | { readonly kind: 'batch_rejected'; readonly view: string; readonly reason: BatchRejectionReason }
  /** Good rows were stored (before this resolved); each bad row is listed with its index. */
  | {
      readonly kind: 'stored';
      readonly view: string;
      readonly accepted: number;
      readonly rejected: readonly { readonly index: number; readonly reason: RowRejectionReason }[];
    };

export interface IngestorOptions {
  readonly db: Kysely<FeatureStoreTables>;
  readonly cache: OnlineCache;
  readonly catalog: CatalogHolder;
  readonly metrics: FeatureStoreMetrics;
  /** How far past "now" an event time may be (clock skew between producers and us). */
  readonly maxFutureSkewMicros: Micros;
  readonly now?: () => Micros;
}

/** The most batches one group-committed statement writes (NATS messages carry up to ~1,000 rows). */
const MAX_BATCHES_PER_WRITE = 8;

/**
 * Validates a batch against its view and stores its good rows: one statement for the offline
 * history and the online table, then the local cache. Shared by NATS ingestion and gRPC Push.
 */
export class Ingestor {
  private readonly now: () => Micros;
  /**
   * Batches that arrive while a write runs (concurrent NATS deliveries, pushes) are written
   * together by the next one: one round trip and one commit for many batches, and each caller
   * still resumes only once its rows are stored.
   */
  private readonly writes: GroupCommit<ViewRows>;

  constructor(private readonly opts: IngestorOptions) {
    this.now = opts.now ?? nowMicros;
    this.writes = new GroupCommit((batches) => writeRows(opts.db, batches).then(() => undefined), MAX_BATCHES_PER_WRITE);
  }

  private async check(batch: RowBatch, subjectView: string | undefined): Promise<
    | { ok: true; view: FeatureViewDef; validation: BatchValidation }
    | { ok: false; reason: BatchRejectionReason }
  > {
    if (subjectView !== undefined && subjectView !== batch.view) {
      return { ok: false, reason: { kind: 'view_subject_mismatch', view: batch.view, subjectView } };
    }
    let view = await this.opts.catalog.view(batch.view);
    if (!view) return { ok: false, reason: { kind: 'unknown_view', view: batch.view } };
    let validation = validateRows(batch.rows, rowValidator(view, this.now() + this.opts.maxFutureSkewMicros));
    // A view another replica just extended would make good rows look bad here: look again
    // at the stored definitions before rejecting rows for a feature or a type.
    const schemaDoubt = validation.bad.some((b) => b.reason.kind === 'unknown_feature' || b.reason.kind === 'wrong_type');
    if (schemaDoubt && (await this.opts.catalog.reloadIfStale())) {
      view = this.opts.catalog.current.views.get(batch.view);
      if (!view) return { ok: false, reason: { kind: 'unknown_view', view: batch.view } };
      validation = validateRows(batch.rows, rowValidator(view, this.now() + this.opts.maxFutureSkewMicros));
    }
    return { ok: true, view, validation };
  }

  /** Stores the good rows of a batch; resolves only once they are durable. */
  async ingest(batch: RowBatch, source: IngestSource, subjectView?: string): Promise<IngestOutcome> {
    const checked = await this.check(batch, subjectView);
    if (!checked.ok) {
      this.opts.metrics.rowsRejected(batch.view, checked.reason.kind, batch.rows.length);
      return { kind: 'batch_rejected', view: batch.view, reason: checked.reason };
    }
    const { view, validation } = checked;
    if (validation.good.length > 0) {
      await this.writes.add({ view: view.name, rows: validation.good });
      this.toCache(view.name, validation);
    }
    this.opts.metrics.rowsIngested(view.name, source, validation.good.length);
    for (const bad of validation.bad) this.opts.metrics.rowsRejected(view.name, bad.reason.kind, 1);
    return { kind: 'stored', view: view.name, accepted: validation.good.length, rejected: validation.bad };
  }

  /**
   * Applies a batch another replica stores (the broadcast stream) to this replica's cache only.
   * Validation is the same, so the rows kept are the rows the storing replica kept.
   */
  async applyToCache(batch: RowBatch, subjectView?: string): Promise<number> {
    const checked = await this.check(batch, subjectView);
    if (!checked.ok) return 0;
    return this.toCache(checked.view.name, checked.validation);
  }

  private toCache(view: string, validation: BatchValidation): number {
    let merged = 0;
    for (const row of validation.good) if (this.opts.cache.merge(view, row.entityKey, row.eventTimeMicros, row.values)) merged++;
    return merged;
  }
}
