import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { openDatabase, type Database } from '@mlops/db';
import { createTestDatabase } from '@mlops/db/testing';
import { connectNatsBus, deleteNamespacedStreams, type ConsumerHandle, type EventBus, type PublishOptions, type ReceivedEvent } from '@mlops/events';
import { createClient, createGrpcServer, parseAuthTokens, type Client } from '@mlops/grpc';
import { RegistryEventSchema, type RegistryEvent } from '@mlops/proto/mlops/events/v1/events_pb';
import { RegistryService, type CreateVersionRequestSchema, type VersionHeaderSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { createDirectoryArtifactStore } from '../artifacts/index.js';
import { createRegistryService, type RegistryServiceInstance } from '../service.js';
import { registryMigrations } from '../storage/migrations.js';
import type { RegistryTables } from '../storage/schema.js';
import { testNatsUrl as natsUrl } from '@mlops/events/testing';


/**
 * A bus that forwards to NATS unless told to refuse, to show what happens to committed changes
 * while NATS is unreachable. The real bus underneath: nothing about NATS itself is faked.
 */
export class SwitchableBus implements EventBus {
  refusing = false;
  constructor(private readonly inner: EventBus) {}
  publish<D extends DescMessage>(subject: string, schema: D, message: MessageShape<D>, opts?: PublishOptions): Promise<void> {
    if (this.refusing) return Promise.reject(new Error('NATS unreachable (test)'));
    return this.inner.publish(subject, schema, message, opts);
  }
  consume: EventBus['consume'] = (spec) => this.inner.consume(spec);
  deadLetter: EventBus['deadLetter'] = (entry) => this.inner.deadLetter(entry);
  close = () => this.inner.close();
}

export interface RegistryUnderTest {
  readonly client: Client<typeof RegistryService>;
  readonly address: string;
  readonly database: Database<RegistryTables>;
  readonly bus: SwitchableBus;
  readonly service: RegistryServiceInstance;
  readonly artifactsDir: string;
  /** Every registry event published since start, in arrival order. */
  readonly events: ReceivedEvent<RegistryEvent>[];
  waitForEvents(count: number, timeoutMs?: number): Promise<ReceivedEvent<RegistryEvent>[]>;
  stagingFiles(): Promise<string[]>;
  close(): Promise<void>;
}

/** A registry on a fresh database, its own NATS namespace, a temp artifact dir and port 0. */
export async function startRegistry(opts: { authTokens?: string } = {}): Promise<RegistryUnderTest> {
  const testDb = await createTestDatabase();
  const closers: Array<() => Promise<void>> = [() => testDb.drop()];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err: unknown) => console.error('cleanup failed', err));
  };
  try {
    const database = await openDatabase<RegistryTables>({ schema: 'registry', migrations: registryMigrations, url: testDb.url });
    closers.push(() => database.close());
    const namespace = `reg${randomBytes(5).toString('hex')}`;
    closers.push(async () => void (await deleteNamespacedStreams(natsUrl(), namespace)));
    const nats = await connectNatsBus({ url: natsUrl(), name: 'registry-test', namespace });
    closers.push(() => nats.close());
    const bus = new SwitchableBus(nats);
    const artifactsDir = await mkdtemp(join(tmpdir(), 'registry-it-'));
    closers.push(() => rm(artifactsDir, { recursive: true, force: true }));

    const events: ReceivedEvent<RegistryEvent>[] = [];
    const consumer: ConsumerHandle = await nats.consume({
      name: 'registry-test-observer',
      stream: 'REGISTRY',
      subjects: ['mlops.registry.>'],
      schema: RegistryEventSchema,
      mode: 'broadcast',
      handler: async (event) => {
        events.push(event);
      },
    });
    closers.push(() => consumer.stop());

    const service = createRegistryService({
      db: database,
      bus,
      artifacts: createDirectoryArtifactStore(artifactsDir),
      outboxRetryMs: 100,
    });
    closers.push(() => service.close());
    const server = createGrpcServer({ service: 'mlops-registry-test', ...(opts.authTokens ? { auth: parseAuthTokens(opts.authTokens) } : {}) });
    service.register(server);
    const port = await server.listen('127.0.0.1:0');
    closers.push(() => server.shutdown(0));
    const address = `127.0.0.1:${port}`;
    const client = createClient(RegistryService, address, { defaultDeadlineMs: 60_000 });
    closers.push(async () => client.close());

    return {
      client,
      address,
      database,
      bus,
      service,
      artifactsDir,
      events,
      async waitForEvents(count, timeoutMs = 15_000) {
        const until = Date.now() + timeoutMs;
        while (events.length < count) {
          if (Date.now() > until) throw new Error(`expected ${count} registry events, got ${events.length}: ${events.map((e) => e.subject).join(', ')}`);
          await new Promise((r) => setTimeout(r, 25));
        }
        return events;
      },
      stagingFiles: () => readdir(join(artifactsDir, 'staging')).catch(() => []),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The upload stream of CreateVersion: the header, then the bytes in chunks of `chunkSize`. */
export function* versionUpload(
  header: MessageInitShape<typeof VersionHeaderSchema>,
  bytes: Uint8Array,
  chunkSize = 256 * 1024,
): Generator<MessageInitShape<typeof CreateVersionRequestSchema>> {
  yield { part: { case: 'header', value: header } };
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    yield { part: { case: 'chunk', value: bytes.subarray(offset, offset + chunkSize) } };
  }
}
