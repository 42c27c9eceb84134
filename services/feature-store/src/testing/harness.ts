import { randomBytes } from 'node:crypto';
import { fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { createTestDatabase, type TestDatabase } from '@mlops/db/testing';
import { connectNatsBus, namespacedStreamName, STREAM_NAMES, type ConsumerHandle, type NatsEventBus } from '@mlops/events';
import { createClient, type Client } from '@mlops/grpc';
import { DeadLetterSchema, FeatureRowsSchema, type DeadLetter, type FeatureRows } from '@mlops/proto/mlops/events/v1/events_pb';
import { FeatureStoreService, type ApplyDefinitionsRequestSchema } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { bootService, type BootedService } from '@mlops/runtime';
import { createLogger } from '@mlops/telemetry';
import type { Kysely } from 'kysely';
import { openDatabase } from '@mlops/db';
import { connect } from 'nats';
import { featureStoreSpec } from '../spec.js';
import { featureStoreMigrations } from '../storage/migrations.js';
import type { FeatureStoreTables } from '../storage/schema.js';
import { testNatsUrl } from '@mlops/events/testing';

export const TEST_NATS_URL = testNatsUrl();

export { waitFor } from '@mlops/events/testing';

export interface Replica {
  readonly booted: BootedService;
  readonly client: Client<typeof FeatureStoreService>;
  stop(): Promise<void>;
}

/**
 * One isolated feature-store world: a fresh database, a NATS namespace, a producer bus, and
 * replicas booted the way production boots them (bootService), on 127.0.0.1:0.
 */
export interface FeatureStoreWorld {
  readonly namespace: string;
  readonly database: TestDatabase;
  /** Producer side: publishes FeatureRows, reads dead letters. */
  readonly producer: NatsEventBus;
  /** Direct access to the service's tables, for assertions. */
  readonly db: Kysely<FeatureStoreTables>;
  /** Boots a replica; `env` adds or overrides service variables (e.g. MLOPS_FEATURE_STORE_CACHE_MAX_ROWS). */
  startReplica(env?: Readonly<Record<string, string>>): Promise<Replica>;
  publish(rows: FeatureRows, msgId?: string): Promise<void>;
  /** Collects every dead letter of the namespace from now on. */
  collectDeadLetters(): Promise<DeadLetter[]>;
  dispose(): Promise<void>;
}

export async function createWorld(): Promise<FeatureStoreWorld> {
  const namespace = `fs_${randomBytes(6).toString('hex')}`;
  const database = await createTestDatabase();
  const producer = await connectNatsBus({ url: TEST_NATS_URL, name: 'feature-store-test-producer', namespace });
  const direct = await openDatabase<FeatureStoreTables>({ schema: 'featurestore', migrations: featureStoreMigrations, url: database.url, pool: { max: 2 } });
  const db = direct.db;
  const replicas = new Set<Replica>();
  const handles: ConsumerHandle[] = [];

  return {
    namespace,
    database,
    producer,
    db,
    async startReplica(env = {}) {
      const booted = await bootService(featureStoreSpec, {
        env: {
          DATABASE_URL: database.url,
          NATS_URL: TEST_NATS_URL,
          LOG_LEVEL: 'silent',
          MLOPS_FEATURE_STORE_CATALOG_REFRESH_MS: '500',
          ...env,
        },
        grpcAddress: '127.0.0.1:0',
        adminAddress: '127.0.0.1:0',
        natsNamespace: namespace,
        logger: createLogger({ service: 'feature-store-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
      });
      const client = createClient(FeatureStoreService, `127.0.0.1:${booted.grpcPort}`, { defaultDeadlineMs: 30_000 });
      const replica: Replica = {
        booted,
        client,
        async stop() {
          replicas.delete(replica);
          client.close();
          await booted.stop(5_000);
        },
      };
      replicas.add(replica);
      return replica;
    },
    publish: (rows, msgId) => producer.publish(`mlops.features.${rows.view}`, FeatureRowsSchema, rows, msgId === undefined ? {} : { msgId }),
    async collectDeadLetters() {
      const seen: DeadLetter[] = [];
      handles.push(
        await producer.consume({
          name: 'test-dead-letters',
          mode: 'broadcast',
          stream: 'DEADLETTER',
          subjects: ['mlops.deadletter.>'],
          schema: DeadLetterSchema,
          handler: async (event) => {
            seen.push(event.message);
          },
        }),
      );
      return seen;
    },
    async dispose() {
      for (const r of [...replicas]) await r.stop().catch(() => undefined);
      for (const h of handles) await h.stop().catch(() => undefined);
      await producer.close();
      await direct.close();
      await database.drop();
      const nc = await connect({ servers: TEST_NATS_URL });
      try {
        const jsm = await nc.jetstreamManager();
        for (const stream of STREAM_NAMES) await jsm.streams.delete(namespacedStreamName(stream, namespace)).catch(() => undefined);
      } finally {
        await nc.close();
      }
    },
  };
}

export const decodeRows = (payload: Uint8Array): FeatureRows => fromBinary(FeatureRowsSchema, payload);

export type ApplyInit = MessageInitShape<typeof ApplyDefinitionsRequestSchema>;
