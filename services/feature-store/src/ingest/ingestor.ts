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
  type ValidRow,
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
  /** Statements that may run at once, each on its own connection (see `writers`). */
  readonly writers?: number;
  readonly now?: () => Micros;
}

/** The most batch parts one group-committed statement writes (NATS messages carry up to ~1,000 rows). */
const MAX_PARTS_PER_WRITE = 8;

/**
 * Validates a batch against its view and stores its good rows: one statement for the offline
 * history and the online table, then the local cache. Shared by NATS ingestion and gRPC Push.
 */
export class Ingestor {
  private readonly now: () => Micros;
  /**
   * Batches that arrive while a write runs (concurrent NATS deliveries, pushes) are written
   * together by the next one: one round trip and one commit for many batches, and each caller
   * still resumes only once its rows are stored. Rows are split over several writers by entity
   * key, so PostgreSQL works on several statements at once (one backend per core) while no two
   * of them ever touch the same rows (no lock waits, no deadlocks between them).
   */
  private readonly writers: GroupCommit<ViewRows>[];
  /**
   * Batches already merged into the cache. Both consumers of a replica get every message it
   * stores, and share the decoded batch (SharedDecodes): whichever merges it first does it for
   * both, since merging the same rows again changes nothing but costs a copy per row.
   */
  private readonly cachedBatches = new WeakSet<RowBatch>();

  constructor(private readonly opts: IngestorOptions) {
    this.now = opts.now ?? nowMicros;
    this.writers = Array.from(
      { length: Math.max(1, opts.writers ?? 1) },
      () => new GroupCommit<ViewRows>((parts) => writeRows(opts.db, parts).then(() => undefined), MAX_PARTS_PER_WRITE),
    );
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
      await this.store(view.name, validation.good);
      this.toCache(batch, view.name, validation);
    }
    this.opts.metrics.rowsIngested(view.name, source, validation.good.length);
    for (const bad of validation.bad) this.opts.metrics.rowsRejected(view.name, bad.reason.kind, 1);
    return { kind: 'stored', view: view.name, accepted: validation.good.length, rejected: validation.bad };
  }

  /** Resolves once every row is stored, whichever writers took its parts. */
  private async store(view: string, rows: readonly ValidRow[]): Promise<void> {
    const writers = this.writers;
    if (writers.length === 1) return writers[0]!.add({ view, rows });
    const parts: ValidRow[][] = writers.map(() => []);
    for (const row of rows) parts[writerOf(row.entityKey, writers.length)]!.push(row);
    await Promise.all(parts.map((part, i) => (part.length === 0 ? undefined : writers[i]!.add({ view, rows: part }))));
  }

  /**
   * Applies a batch another replica stores (the broadcast stream) to this replica's cache only.
   * Validation is the same, so the rows kept are the rows the storing replica kept.
   */
  async applyToCache(batch: RowBatch, subjectView?: string): Promise<number> {
    if (this.cachedBatches.has(batch)) return 0;
    const checked = await this.check(batch, subjectView);
    if (!checked.ok) return 0;
    return this.toCache(batch, checked.view.name, checked.validation);
  }

  private toCache(batch: RowBatch, view: string, validation: BatchValidation): number {
    if (this.cachedBatches.has(batch)) return 0;
    this.cachedBatches.add(batch);
    let merged = 0;
    for (const row of validation.good) if (this.opts.cache.merge(view, row.entityKey, row.eventTimeMicros, row.values)) merged++;
    return merged;
  }
}

/** The writer of an entity key: FNV-1a of its UTF-16 code units, so a key always goes to the same one. */
function writerOf(key: string, writers: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % writers;
}
