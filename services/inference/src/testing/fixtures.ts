import { afterEach } from 'vitest';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { ModelInferRequestSchema, type ModelInferRequest } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { createLogger, type Logger } from '@mlops/telemetry';
import { Writable } from 'node:stream';
import * as ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { createInferenceMetrics } from '../metrics/inference-metrics.js';
import { InMemoryModelSource } from '../models/in-memory-source.js';
import { ModelRepository, type ModelRepositoryOptions } from '../models/model-repository.js';
import { settingsLookup, type ModelSettings } from '../models/settings.js';

/** A logger that keeps its JSON lines, so tests can assert on what was logged. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      callback();
    },
  });
  const logger = createLogger({ service: 'inference-test', level: 'debug', destination });
  return { logger, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export interface RepositoryFixture {
  readonly source: InMemoryModelSource;
  readonly repository: ModelRepository;
  readonly registry: Registry;
  readonly logs: () => Record<string, unknown>[];
}

export function repositoryFixture(
  options: {
    perModel?: Record<string, Partial<ModelSettings>>;
    defaults?: Partial<ModelSettings>;
  } & Partial<ModelRepositoryOptions> = {},
): RepositoryFixture {
  const source = new InMemoryModelSource();
  const registry = new Registry();
  const { logger, lines } = memoryLogger();
  const repository = new ModelRepository({
    source,
    settings: settingsLookup(options.defaults, options.perModel),
    metrics: createInferenceMetrics(registry),
    logger,
    ...options,
  });
  return { source, repository, registry, logs: lines };
}

/** A ModelInferRequest from its init shape. */
export const inferRequest = (init: MessageInitShape<typeof ModelInferRequestSchema>): ModelInferRequest =>
  create(ModelInferRequestSchema, init);

/** The little-endian bytes of a typed array (a copy). */
export const rawBytes = (values: ArrayBufferView): Uint8Array =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();

/** What onnxruntime itself answers for a model and float rows: the reference outputs. */
export async function directRun(
  model: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const results = await session.run(feeds);
    return Object.fromEntries(Object.entries(results).map(([name, value]) => [name, value as ort.Tensor]));
  } finally {
    await session.release();
  }
}

/** The value of one metric series, or undefined when absent. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

/**
 * `repositoryFixture`, with every repository it made closed after each test of the calling file,
 * so no onnxruntime session outlives its test.
 */
export function closedAfterEach(): (...args: Parameters<typeof repositoryFixture>) => RepositoryFixture {
  const made: RepositoryFixture[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((f) => f.repository.close()));
  });
  return (...args) => {
    const f = repositoryFixture(...args);
    made.push(f);
    return f;
  };
}
