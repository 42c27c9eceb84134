import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { openDatabase } from '@mlops/db';
import { dialectsUnderTest } from '@mlops/db/testing';
import { createInProcessBus } from '@mlops/events';
import { buildLogisticRegression } from '@mlops/model-builders';
import { RegistryEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import {
  CreateModelRequestSchema,
  CreateVersionRequestSchema,
  ListAuditRecordsRequestSchema,
  SetAliasRequestSchema,
} from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createDirectoryArtifactStore } from '../artifacts/index.js';
import { startOutboxRelay } from '../events/outbox-relay.js';
import { createOnnxInspector } from '../signature/index.js';
import { registryMigrations } from '../storage/migrations.js';
import type { RegistryTables } from '../storage/schema.js';
import { resolveVersion, setAlias } from './aliases.js';
import { listAuditRecords } from './audit-log.js';
import { DEFAULT_LIMITS, type RegistryContext } from './context.js';
import { createModel } from './models.js';
import { createVersion } from './versions.js';

// The same migrations and queries on PostgreSQL and on embedded PGlite (no DATABASE_URL).
describe.each(dialectsUnderTest())('the registry on $kind', (dialect) => {
  // PGlite's first start (initdb in WebAssembly) alone can take half a minute on a busy machine.
  it('migrates, registers a version, moves an alias, audits and relays the events', { timeout: 240_000 }, async () => {
    const target = await dialect.create();
    onTestFinished(() => target.drop());
    const database = await openDatabase<RegistryTables>({ schema: 'registry', migrations: registryMigrations, ...target.options });
    onTestFinished(() => database.close());
    const dir = await mkdtemp(join(tmpdir(), 'registry-dialect-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bus = createInProcessBus();
    onTestFinished(() => bus.close());
    const subjects: string[] = [];
    await bus.consume({
      name: 'observer',
      stream: 'REGISTRY',
      subjects: ['mlops.registry.>'],
      schema: RegistryEventSchema,
      mode: 'broadcast',
      handler: async (event) => {
        subjects.push(event.subject);
      },
    });
    const relay = startOutboxRelay({ db: database.db, bus });
    onTestFinished(() => relay.stop());
    const ctx: RegistryContext = {
      db: database.db,
      artifacts: createDirectoryArtifactStore(dir),
      inspect: createOnnxInspector(),
      limits: DEFAULT_LIMITS,
      eventsCommitted: () => relay.kick(),
    };
    const caller = { actor: 'ci' };

    expect((await createModel(ctx, caller, create(CreateModelRequestSchema, { name: 'm', idempotencyKey: 'k' }))).ok).toBe(true);
    const bytes = buildLogisticRegression({ weights: [1, 2], bias: 0 });
    async function* upload() {
      yield create(CreateVersionRequestSchema, { part: { case: 'header', value: { model: 'm', lineage: { metrics: { auc: 0.9 } } } } });
      yield create(CreateVersionRequestSchema, { part: { case: 'chunk', value: bytes } });
    }
    const version = await createVersion(ctx, caller, upload());
    expect(version.ok && version.value.version).toBe(1n);
    const moved = await setAlias(ctx, caller, create(SetAliasRequestSchema, { model: 'm', alias: 'production', version: 1n, gate: { expressions: ['auc >= 0.8'] } }));
    expect(moved.ok).toBe(true);
    const resolved = await resolveVersion(ctx, 'm');
    expect(resolved.ok && resolved.value.artifactSize).toBe(BigInt(bytes.length));
    const audit = await listAuditRecords(ctx, create(ListAuditRecordsRequestSchema, { model: 'm' }));
    expect(audit.ok && audit.value.records.map((r) => r.action)).toEqual(['set_alias', 'create_version', 'create_model']);

    await relay.drain();
    expect(await relay.pending()).toBe(0);
    for (let i = 0; i < 100 && subjects.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(subjects).toEqual(['mlops.registry.m.model_created', 'mlops.registry.m.version_created', 'mlops.registry.m.alias_set']);
  });
});
