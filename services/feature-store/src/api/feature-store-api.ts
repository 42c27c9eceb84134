import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { create } from '@bufbuild/protobuf';
import type { EventBus } from '@mlops/events';
import { invalidArgument, notFound, unavailable, type ServiceImpl } from '@mlops/grpc';
import { FeatureRowsSchema, type FeatureRows } from '@mlops/proto/mlops/events/v1/events_pb';
import { ExportFormat, type FeatureStoreService } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { Logger } from '@mlops/telemetry';
import type { Kysely } from 'kysely';
import { applyDefinitions } from '../apply-definitions.js';
import type { CatalogHolder } from '../catalog-holder.js';
import { entityToProto, serviceToProto, viewToProto } from '../domain/definitions-proto.js';
import type { FeatureSelection } from '../domain/feature-selection.js';
import { describeRejection } from '../domain/rows.js';
import { nowMicros, timestampToMicros } from '../domain/time.js';
import { exportTrainingSet, type TrainingSetFormat } from '../export/training-set.js';
import { readHistorical } from '../historical/historical-reader.js';
import type { Ingestor } from '../ingest/ingestor.js';
import { featureSubject, PUSH_MSG_ID_PREFIX } from '../ingest/nats-ingestion.js';
import { scanFeatureRows } from '../ingest/feature-row-decoder.js';
import { materialize } from '../materialize/materializer.js';
import { encodedOnlineResponse, featureRefRecords } from '../online/online-answers.js';
import type { FeatureStoreMetrics } from '../metrics.js';
import type { OnlineCache } from '../online/online-cache.js';
import type { OnlineReader } from '../online/online-reader.js';
import type { FeatureStoreTables } from '../storage/schema.js';
import { checkEntityKeys, MAX_PUSH_ROWS, parseEntityRows } from './requests.js';
import { fieldErrorToRpc, refusalToRpc, selectionErrorToRpc } from './rpc-errors.js';

export interface FeatureStoreApiDeps {
  readonly db: Kysely<FeatureStoreTables>;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly catalog: CatalogHolder;
  readonly cache: OnlineCache;
  readonly ingestor: Ingestor;
  readonly reader: OnlineReader;
  readonly metrics: FeatureStoreMetrics;
}

const FORMATS: Partial<Record<ExportFormat, TrainingSetFormat>> = { [ExportFormat.CSV]: 'csv', [ExportFormat.PARQUET]: 'parquet' };

/** The gRPC surface; each handler validates its input and delegates to one module. */
export function featureStoreApi(deps: FeatureStoreApiDeps): ServiceImpl<typeof FeatureStoreService> {
  const { catalog } = deps;
  /** Selections are memoised per catalog (CatalogHolder), so their encoded refs can be too. */
  const encodedRefs = new WeakMap<FeatureSelection, Uint8Array>();
  const refRecordsOf = (selection: FeatureSelection): Uint8Array => {
    let records = encodedRefs.get(selection);
    if (!records) encodedRefs.set(selection, (records = featureRefRecords(selection.refs)));
    return records;
  };

  /** Lets the other replicas' caches know about pushed rows (their durable consumer skips them). */
  async function announcePush(batch: FeatureRows, rejected: ReadonlySet<number>): Promise<void> {
    const rows = rejected.size === 0 ? batch.rows : batch.rows.filter((_, i) => !rejected.has(i));
    const good = create(FeatureRowsSchema, { view: batch.view, producer: batch.producer, rows });
    try {
      await deps.bus.publish(featureSubject(batch.view), FeatureRowsSchema, good, { msgId: `${PUSH_MSG_ID_PREFIX}${randomUUID()}` });
    } catch (err) {
      deps.logger.error({ err, view: batch.view }, 'pushed rows stored but not announced to replicas');
      throw unavailable(`rows stored, but the event bus did not take the replica update (${String(err)}); retrying the push is safe`);
    }
  }

  return {
    async applyDefinitions(req) {
      const result = await applyDefinitions(deps, req);
      if (!result.ok) throw result.error.kind === 'malformed' ? fieldErrorToRpc(result.error.error) : refusalToRpc(result.error.refusal);
      if (!req.dryRun && result.value.changes.length > 0) deps.logger.info({ changes: result.value.changes }, 'definitions applied');
      return { changes: [...result.value.changes], applied: !req.dryRun };
    },

    async listDefinitions() {
      const current = await catalog.reload();
      return {
        entities: [...current.entities.values()].map(entityToProto),
        featureViews: [...current.views.values()].map(viewToProto),
        featureServices: [...current.services.values()].map(serviceToProto),
      };
    },

    async getFeatureService(req) {
      if (req.name === '') throw invalidArgument('name', 'a feature service name');
      let service = catalog.current.services.get(req.name);
      if (!service && (await catalog.reloadIfStale())) service = catalog.current.services.get(req.name);
      if (!service) throw notFound(`feature service ${req.name} does not exist`);
      return { featureService: serviceToProto(service) };
    },

    async push(req) {
      const batch = req.rows;
      if (!batch) throw invalidArgument('rows', 'a batch of feature rows');
      if (batch.view === '') throw invalidArgument('rows.view', 'the feature view of the rows');
      if (batch.rows.length === 0) throw invalidArgument('rows.rows', 'at least one row');
      if (batch.rows.length > MAX_PUSH_ROWS) throw invalidArgument('rows.rows', `at most ${MAX_PUSH_ROWS} rows per push`, batch.rows.length);
      const outcome = await deps.ingestor.ingest(scanFeatureRows(batch), 'push');
      if (outcome.kind === 'batch_rejected') throw invalidArgument('rows.view', 'an existing feature view', batch.view);
      if (outcome.accepted > 0) await announcePush(batch, new Set(outcome.rejected.map((r) => r.index)));
      return {
        accepted: outcome.accepted,
        rejected: outcome.rejected.map((r) => ({ index: r.index, reason: describeRejection(r.reason) })),
      };
    },

    async getOnlineFeatures(req) {
      const started = performance.now();
      checkEntityKeys(req.entityKeys);
      const selection = await catalog.select(req);
      if (!selection.ok) throw selectionErrorToRpc(selection.error);
      const rows = await deps.reader.read(selection.value, req.entityKeys, nowMicros());
      const response = encodedOnlineResponse(refRecordsOf(selection.value), rows);
      deps.metrics.onlineRead((performance.now() - started) / 1000);
      return response;
    },

    async *getHistoricalFeatures(req, ctx) {
      const entities = parseEntityRows(req.entityRows);
      const selection = await catalog.select(req);
      if (!selection.ok) throw selectionErrorToRpc(selection.error);
      let first = true;
      let index = 0;
      for await (const chunk of readHistorical(deps.db, selection.value, entities)) {
        for (const result of chunk) {
          yield {
            entityRow: req.entityRows[index++],
            values: [...result.values],
            featureRefs: first ? [...selection.value.refs] : [],
          };
          first = false;
        }
        ctx.signal.throwIfAborted();
      }
    },

    async *exportTrainingSet(req, ctx) {
      if (!req.query) throw invalidArgument('query', 'the historical query (entity rows and features)');
      const format = FORMATS[req.format];
      if (!format) throw invalidArgument('format', 'EXPORT_FORMAT_CSV or EXPORT_FORMAT_PARQUET', req.format);
      const entities = parseEntityRows(req.query.entityRows, 'query.entity_rows');
      const selection = await catalog.select(req.query);
      if (!selection.ok) {
        const e = selection.error;
        throw selectionErrorToRpc(e.kind === 'invalid' ? { kind: 'invalid', error: { ...e.error, field: `query.${e.error.field}` } } : e);
      }
      for await (const part of exportTrainingSet(deps.db, selection.value, entities, format)) {
        ctx.signal.throwIfAborted();
        if (part.kind === 'chunk') yield { part: { case: 'chunk', value: part.bytes } };
        else {
          deps.logger.info({ sha256: part.sha256, rows: part.rows, bytes: part.bytes, format }, 'training set exported');
          yield {
            part: {
              case: 'summary',
              value: { sha256: part.sha256, rows: BigInt(part.rows), bytes: BigInt(part.bytes), mediaType: part.mediaType, columns: [...part.columns] },
            },
          };
        }
      }
    },

    async *materialize(req, ctx) {
      if (req.view === '') throw invalidArgument('view', 'the feature view to materialize');
      const view = await catalog.view(req.view);
      if (!view) throw notFound(`feature view ${req.view} does not exist`);
      const startMicros = req.start ? timestampToMicros(req.start) : Number.MIN_SAFE_INTEGER;
      const endMicros = req.end ? timestampToMicros(req.end) : Number.MAX_SAFE_INTEGER;
      if (startMicros >= endMicros) throw invalidArgument('end', 'a time after start');
      deps.logger.info({ view: view.name, startMicros: req.start ? startMicros : null, endMicros: req.end ? endMicros : null }, 'materialization started');
      let last = { entitiesDone: 0, entitiesTotal: 0, rowsWritten: 0 };
      for await (const progress of materialize(deps.db, deps.cache, { view: view.name, startMicros, endMicros, signal: ctx.signal })) {
        last = progress;
        yield { entitiesDone: BigInt(progress.entitiesDone), entitiesTotal: BigInt(progress.entitiesTotal), rowsWritten: BigInt(progress.rowsWritten) };
      }
      deps.logger.info({ view: view.name, ...last }, 'materialization done');
    },
  };
}
