import { create, toBinary } from '@bufbuild/protobuf';
import { createClient, createGrpcServer, type Client } from '@mlops/grpc';
import {
  createInferenceService,
  InMemoryModelSource,
  settingsLookup,
  type ModelSettings,
} from '@mlops/inference';
import { buildLogisticRegression, buildSlowMlp, seededRandom } from '@mlops/model-builders';
import {
  GRPCInferenceService,
  ModelInferRequestSchema,
  ModelInferResponseSchema,
  type ModelInferRequest,
} from '@mlops/proto/inference/grpc_predict_v2_pb';
import { createLogger } from '@mlops/telemetry';
import * as ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { ratioFigure, type Benchmark, type Figure } from '../result.js';
import { concurrentThroughput, interleave, median, sequentialLatency } from '../stats.js';
import { startBareEcho } from './bare-echo.js';

const FEATURES = 30;
const ROUNDS = 3;
const SEQUENTIAL_CALLS = 1_000;
const CONCURRENCY = 64;
const CONCURRENT_CALLS = 6_000;
const SLOW_CALLS = 1_500;
const SLOW_ROUNDS = 3;

/** The batched slow model's policy: a full batch of 64 (the concurrency) starts at once. */
const BATCHING: ModelSettings['batching'] = {
  kind: 'dynamic',
  maxBatchSize: 64,
  maxQueueDelayUs: 2_000,
  preferredBatchSizes: [],
  maxQueueSize: 1024,
  maxConcurrentBatches: 1,
};
const maxQueueDelayMs = BATCHING.kind === 'dynamic' ? BATCHING.maxQueueDelayUs / 1000 : 0;

const row = (seed: number): Float32Array => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: FEATURES }, () => random() * 2 - 1);
};

/** One row in raw_input_contents: the bytes path a KServe/Triton client takes. */
const inferRequest = (model: string, values: Float32Array): ModelInferRequest =>
  create(ModelInferRequestSchema, {
    modelName: model,
    inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, BigInt(FEATURES)] }],
    rawInputContents: [new Uint8Array(values.buffer, values.byteOffset, values.byteLength)],
  });

interface InferenceUnderTest {
  readonly client: Client<typeof GRPCInferenceService>;
  close(): Promise<void>;
}

/** The inference service as the platform composes it (gRPC layer, metrics, repository), in this process. */
async function startInference(source: InMemoryModelSource, perModel: Record<string, Partial<ModelSettings>>): Promise<InferenceUnderTest> {
  const logger = createLogger({ service: 'bench-inference', level: 'silent' });
  const metrics = new Registry();
  const service = createInferenceService({ source, settings: settingsLookup({}, perModel), logger, metrics });
  const server = createGrpcServer({ service: 'mlops-inference', logger, metrics });
  service.register(server);
  const port = await server.listen('127.0.0.1:0');
  await service.start?.();
  const client = createClient(GRPCInferenceService, `127.0.0.1:${port}`, { defaultDeadlineMs: 60_000 });
  return {
    client,
    async close() {
      client.close();
      await server.shutdown(1_000);
      await service.close();
    },
  };
}

/**
 * ModelInfer of one row against what it cannot avoid costing: the same request and response bytes
 * through bare grpc-js plus the same model run directly on onnxruntime. And dynamic batching
 * against no batching on a model expensive enough (≥ 200 µs a row) for batching to matter.
 */
export const inference: Benchmark = {
  name: 'inference',
  issue: 'inference serving overhead and dynamic batching (services/inference)',
  async run() {
    const random = seededRandom(3);
    const lr = buildLogisticRegression({
      weights: Array.from({ length: FEATURES }, () => random() * 2 - 1),
      bias: 0.1,
    });
    const slow = buildSlowMlp(5);
    const source = new InMemoryModelSource()
      .put('lr', 1, lr)
      .setAlias('lr', 'production', 1)
      .put('slow', 1, slow)
      .setAlias('slow', 'production', 1)
      .put('slow-batched', 1, slow)
      .setAlias('slow-batched', 'production', 1);
    const values = row(11);
    const request = inferRequest('lr', values);
    const service = await startInference(source, { 'slow-batched': { batching: BATCHING } });
    const session = await ort.InferenceSession.create(lr);
    const slowSession = await ort.InferenceSession.create(slow);
    try {
      const client = service.client;
      const first = await client.modelInfer(request);
      const requestWire = Buffer.from(toBinary(ModelInferRequestSchema, request));
      const responseWire = Buffer.from(toBinary(ModelInferResponseSchema, first));
      const bare = await startBareEcho({ reply: responseWire });
      try {
        const feeds = { features: new ort.Tensor('float32', values, [1, FEATURES]) };
        const direct = () => session.run(feeds);
        const infer = () => client.modelInfer(request);
        const echo = () => bare.call(requestWire);

        // Sequential: the service, then bare gRPC and onnxruntime alone, round after round.
        const seqService: number[] = [];
        const seqEcho: number[] = [];
        const seqOrt: number[] = [];
        const p99Service: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const s = await sequentialLatency(infer, SEQUENTIAL_CALLS);
          seqService.push(s.p50);
          p99Service.push(s.p99);
          seqEcho.push((await sequentialLatency(echo, SEQUENTIAL_CALLS)).p50);
          seqOrt.push((await sequentialLatency(direct, SEQUENTIAL_CALLS)).p50);
        }
        const p50 = median(seqService);
        const echoP50 = median(seqEcho);
        const ortP50 = median(seqOrt);

        const conc = await interleave(
          ROUNDS,
          () => concurrentThroughput(infer, CONCURRENCY, CONCURRENT_CALLS),
          () => concurrentThroughput(echo, CONCURRENCY, CONCURRENT_CALLS),
        );
        const rps = median(conc.a.map((c) => c.perSecond));
        const echoRps = median(conc.b.map((c) => c.perSecond));

        const slowFigures = await measureBatching(client, slowSession);
        const figures: Figure[] = [
          ratioFigure(
            'ModelInfer p50, 1 row × 30 features, sequential',
            p50,
            'ms',
            { label: 'bare grpc-js echo of the same bytes + direct onnxruntime run', value: echoP50 + ortP50 },
            { text: '≤ 1.3×', test: (r) => r <= 1.3 },
          ),
          { label: 'ModelInfer p99, sequential', value: median(p99Service), unit: 'ms' },
          { label: 'direct onnxruntime run p50 (part of the baseline)', value: ortP50, unit: 'ms' },
          ratioFigure(
            'ModelInfer throughput, concurrency 64',
            rps,
            'calls/s',
            { label: 'bare grpc-js echo of the same bytes', value: echoRps },
            { text: '≥ 0.8×', test: (r) => r >= 0.8 },
          ),
          ...slowFigures.figures,
        ];
        return {
          name: this.name,
          issue: this.issue,
          figures,
          notes: [
            `Logistic regression over ${FEATURES} FP32 features, one row in raw_input_contents (${requestWire.length}-byte request, ${responseWire.length}-byte response); the bare echo answers a response of the same size.`,
            `Median of ${ROUNDS} rounds: ${SEQUENTIAL_CALLS.toLocaleString('en')} sequential calls each for the service, the bare echo and onnxruntime; ${CONCURRENT_CALLS.toLocaleString('en')} calls at concurrency ${CONCURRENCY}, interleaved with the echo.`,
            ...slowFigures.notes,
            'Client, server and onnxruntime share this process and its 2 cores, as in grpc-overhead; the service runs with its metrics on and no trace exporter.',
          ],
        };
      } finally {
        await bare.close();
      }
    } finally {
      await session.release();
      await slowSession.release();
      await service.close();
    }
  },
};

/** Dynamic batching on buildSlowMlp: throughput at concurrency 64 batched vs not, and what a lone request pays. */
async function measureBatching(
  client: Client<typeof GRPCInferenceService>,
  slowSession: ort.InferenceSession,
): Promise<{ figures: Figure[]; notes: string[] }> {
  const values = row(17);
  const unbatched = inferRequest('slow', values);
  const batched = inferRequest('slow-batched', values);
  const feeds = { features: new ort.Tensor('float32', values, [1, FEATURES]) };
  const runUs = (await sequentialLatency(() => slowSession.run(feeds), 500, 50)).p50 * 1000;

  // Single-row latency: the unbatched model, one request at a time, through the service.
  const single = await sequentialLatency(() => client.modelInfer(unbatched), 500, 50);
  // A lone request through the batcher waits out the whole queue delay: the worst case of that delay.
  const lone = await sequentialLatency(() => client.modelInfer(batched), 500, 20);

  const conc = await interleave(
    SLOW_ROUNDS,
    () => concurrentThroughput(() => client.modelInfer(batched), CONCURRENCY, SLOW_CALLS),
    () => concurrentThroughput(() => client.modelInfer(unbatched), CONCURRENCY, SLOW_CALLS),
  );
  const batchedRps = median(conc.a.map((c) => c.perSecond));
  const unbatchedRps = median(conc.b.map((c) => c.perSecond));
  const batchedP99 = median(conc.a.map((c) => c.latency.p99));
  const unbatchedP99 = median(conc.b.map((c) => c.latency.p99));
  const bound = maxQueueDelayMs + 2 * single.p50;
  return {
    figures: [
      { label: 'slow MLP: one single-row onnxruntime run, p50', value: runUs, unit: 'µs' },
      ratioFigure(
        'slow MLP: batched throughput, concurrency 64',
        batchedRps,
        'calls/s',
        { label: 'unbatched, concurrency 64', value: unbatchedRps },
        { text: '≥ 3×', test: (r) => r >= 3 },
      ),
      ratioFigure('slow MLP: batched p99, concurrency 64', batchedP99, 'ms', {
        label: 'unbatched p99, concurrency 64',
        value: unbatchedP99,
      }),
      ratioFigure(
        'slow MLP: batched p99, lone requests (the full queue delay each)',
        lone.p99,
        'ms',
        { label: 'max queue delay + 2 × single-row latency', value: bound },
        { text: '≤ 1×', test: (r) => r <= 1 },
      ),
    ],
    notes: [
      `Slow MLP: buildSlowMlp (30 → 1024 → 1024 → 1024 → 1, tanh); "slow" unbatched and "slow-batched" with maxBatchSize ${
        BATCHING.kind === 'dynamic' ? BATCHING.maxBatchSize : 0
      }, max queue delay ${maxQueueDelayMs} ms, one batch at a time; the same ONNX bytes.`,
      `Single-row latency: p50 of the unbatched model through the service, one request at a time (${single.p50.toFixed(3)} ms). Median of ${SLOW_ROUNDS} interleaved rounds of ${SLOW_CALLS.toLocaleString('en')} calls at concurrency ${CONCURRENCY}.`,
    ],
  };
}
