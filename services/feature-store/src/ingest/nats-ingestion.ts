import { create, toBinary } from '@bufbuild/protobuf';
import type { ConsumerHandle, EventBus, ReceivedEvent } from '@mlops/events';
import { FeatureRowsEnvelopeSchema, type FeatureRowsEnvelope } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { Logger } from '@mlops/telemetry';
import { describeRejection, type IncomingRow, type RowBatch } from '../domain/rows.js';
import { scanIncomingRow } from './feature-row-decoder.js';
import type { Ingestor } from './ingestor.js';
import { SharedDecodes } from './shared-decodes.js';

export const FEATURE_SUBJECT_PREFIX = 'mlops.features.';

/**
 * `Nats-Msg-Id` prefix of the rows a replica re-publishes after storing a gRPC Push: the durable
 * consumer skips them (already stored), the broadcast consumers of every replica cache them.
 */
export const PUSH_MSG_ID_PREFIX = 'feature-store-push:';

export const featureSubject = (view: string): string => `${FEATURE_SUBJECT_PREFIX}${view}`;

const viewOfSubject = (subject: string): string =>
  subject.startsWith(FEATURE_SUBJECT_PREFIX) ? subject.slice(FEATURE_SUBJECT_PREFIX.length) : subject;

/**
 * Decodes the rows of a FeatureRows payload (read through its wire-compatible envelope) one by
 * one: a corrupt row is rejected on its own, the rest of the batch is still ingested.
 */
export function openEnvelope(envelope: FeatureRowsEnvelope): RowBatch {
  const rows: IncomingRow[] = new Array<IncomingRow>(envelope.rows.length);
  for (let i = 0; i < envelope.rows.length; i++) rows[i] = scanIncomingRow(envelope.rows[i] as Uint8Array);
  return { view: envelope.view, producer: envelope.producer, rows };
}

export interface NatsIngestionOptions {
  readonly bus: EventBus;
  readonly ingestor: Ingestor;
  readonly logger: Logger;
  /** Durable consumer name, shared by every replica so they split the work. */
  readonly durableName: string;
  /**
   * Messages stored at once by this replica. Above 1 the ingestor writes concurrent messages in
   * one statement (group commit) while the next ones are decoded; order does not matter, since
   * the store keeps the newest event time whatever the arrival order.
   */
  readonly concurrency: number;
}

export interface NatsIngestion {
  stop(): Promise<void>;
}

/**
 * Two consumers of FEATURES (`mlops.features.>`; nats-server 2.9 allows one filter subject):
 * - durable: stores each batch, dead-letters each bad row on its own (the good rows of the
 *   batch are kept), then returns, which acks: acked means stored;
 * - broadcast: every replica applies every batch to its cache, so replicas stay coherent
 *   whichever of them stored it.
 * The broadcast consumer starts first, so no row stored after the cache warm-up is missed.
 */
export async function startNatsIngestion(opts: NatsIngestionOptions): Promise<NatsIngestion> {
  const { bus, ingestor, durableName } = opts;
  const decodes = new SharedDecodes(openEnvelope);

  async function store(event: ReceivedEvent<FeatureRowsEnvelope>): Promise<void> {
    if (event.msgId?.startsWith(PUSH_MSG_ID_PREFIX)) return;
    const envelope = event.message;
    const batch = decodes.open(envelope);
    const outcome = await ingestor.ingest(batch, 'nats', viewOfSubject(event.subject));
    if (outcome.kind === 'batch_rejected') {
      await bus.deadLetter({
        originalSubject: event.subject,
        payload: toBinary(FeatureRowsEnvelopeSchema, envelope),
        reason: describeRejection(outcome.reason),
        consumer: durableName,
        itemIndex: -1,
      });
      return;
    }
    for (const bad of outcome.rejected) {
      // The payload is the bad row alone, as a FeatureRows of one (the envelope has the same
      // encoding): fixed, it can be published again. Its bytes are the producer's, untouched.
      const row = envelope.rows[bad.index];
      await bus.deadLetter({
        originalSubject: event.subject,
        payload: toBinary(FeatureRowsEnvelopeSchema, create(FeatureRowsEnvelopeSchema, { view: batch.view, producer: batch.producer, rows: row ? [row] : [] })),
        reason: describeRejection(bad.reason),
        consumer: durableName,
        itemIndex: bad.index,
      });
    }
    if (outcome.rejected.length > 0) {
      opts.logger.warn({ view: batch.view, producer: batch.producer, accepted: outcome.accepted, rejected: outcome.rejected.length }, 'feature rows dead-lettered');
    }
  }

  const handles: ConsumerHandle[] = [];
  try {
    handles.push(
      await bus.consume({
        name: `${durableName}-cache`,
        mode: 'broadcast',
        stream: 'FEATURES',
        subjects: [`${FEATURE_SUBJECT_PREFIX}>`],
        schema: FeatureRowsEnvelopeSchema,
        handler: async (event) => {
          if (event.message.view === '') return;
          // Pushed rows are never stored by the durable consumer: nothing to share with it.
          const pushed = event.msgId?.startsWith(PUSH_MSG_ID_PREFIX) ?? false;
          const batch = pushed ? openEnvelope(event.message) : decodes.open(event.message);
          await ingestor.applyToCache(batch, viewOfSubject(event.subject));
        },
      }),
    );
    handles.push(
      await bus.consume({
        name: durableName,
        mode: 'durable',
        stream: 'FEATURES',
        subjects: [`${FEATURE_SUBJECT_PREFIX}>`],
        schema: FeatureRowsEnvelopeSchema,
        concurrency: opts.concurrency,
        handler: store,
      }),
    );
  } catch (err) {
    await Promise.all(handles.map((h) => h.stop()));
    throw err;
  }
  return {
    async stop() {
      // Durable first: its in-flight batch finishes (and is acked) before the process goes.
      for (const h of handles.reverse()) await h.stop();
    },
  };
}
