import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createClient, createGrpcServer, RpcError, status, type Client, type GrpcServer } from '@mlops/grpc';
import { GRPCInferenceService } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { useInMemoryTracing, type InMemoryTracing } from '@mlops/telemetry/testing';
import * as ort from 'onnxruntime-node';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInferenceService, type InferenceService } from '../service.js';
import { InMemoryModelSource } from '../models/in-memory-source.js';
import { settingsLookup } from '../models/settings.js';
import { directRun, memoryLogger, rawBytes } from '../testing/fixtures.js';
import { writeKserveProto } from '../testing/kserve-proto.js';
import { FEATURES, logisticRegression, rows, treeEnsemble } from '../testing/models.js';
import { Registry } from 'prom-client';

const MAX_MESSAGE_BYTES = 1024 * 1024;

let tracing: InMemoryTracing;
let server: GrpcServer;
let service: InferenceService;
let client: Client<typeof GRPCInferenceService>;
let address: string;
const source = new InMemoryModelSource();
const lr = logisticRegression(11);

beforeAll(async () => {
  tracing = useInMemoryTracing();
  source
    .put('lr', 1, lr)
    .setAlias('lr', 'production', 1)
    .put('trees', 4, treeEnsemble())
    .setAlias('trees', 'production', 4);
  const { logger } = memoryLogger();
  const metrics = new Registry();
  service = createInferenceService({
    source,
    settings: settingsLookup(),
    logger,
    metrics,
    serverVersion: '9.9.9',
  });
  server = createGrpcServer({
    service: 'mlops-inference',
    logger,
    metrics,
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  service.register(server);
  const port = await server.listen('127.0.0.1:0');
  address = `127.0.0.1:${port}`;
  await service.start?.();
  client = createClient(GRPCInferenceService, address, { defaultDeadlineMs: 30_000 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown(1000);
  await service?.close();
  await tracing?.shutdown();
});

const failure = async (promise: Promise<unknown>): Promise<RpcError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
};

describe('inference.GRPCInferenceService over gRPC', () => {
  it('ServerLive, ServerReady and ServerMetadata', async () => {
    expect((await client.serverLive({})).live).toBe(true);
    expect((await client.serverReady({})).ready).toBe(true);
    const metadata = await client.serverMetadata({});
    expect([metadata.name, metadata.version, metadata.extensions]).toEqual([
      'mlops-inference',
      '9.9.9',
      ['model_repository', 'parameters'],
    ]);
  });

  it('ModelMetadata reads names, datatypes and shapes from the ONNX signature', async () => {
    const metadata = await client.modelMetadata({ name: 'trees' });
    expect(metadata.name).toBe('trees');
    expect(metadata.versions).toEqual(['4']);
    expect(metadata.platform).toBe('onnxruntime_onnx');
    expect(metadata.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ['features', 'FP32', [-1n, 4n]],
    ]);
    expect(metadata.outputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ['label', 'INT64', [-1n]],
      ['probabilities', 'FP32', [-1n, 2n]],
    ]);
    expect((await client.modelReady({ name: 'trees' })).ready).toBe(true);
    expect((await client.modelReady({ name: 'trees', version: '5' })).ready).toBe(false);
  });

  it('ModelInfer answers what onnxruntime answers, and the span names the model and version', async () => {
    tracing.reset();
    const data = rows(5, 2, FEATURES);
    const response = await client.modelInfer({
      modelName: 'lr',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [2n, BigInt(FEATURES)] }],
      rawInputContents: [rawBytes(data)],
    });
    const expected = await directRun(lr, { features: new ort.Tensor('float32', data, [2, FEATURES]) });
    expect(Buffer.from(response.rawOutputContents[0]!)).toEqual(
      Buffer.from(rawBytes(expected['probability']!.data as Float32Array)),
    );
    const span = tracing
      .spans()
      .find((s) => s.name === 'inference.GRPCInferenceService/ModelInfer' && s.kind === 1);
    expect(span?.attributes).toMatchObject({ 'inference.model.name': 'lr', 'inference.model.version': '1' });
  });

  it('bad input is INVALID_ARGUMENT naming the tensor; a message over the size limit is RESOURCE_EXHAUSTED', async () => {
    const bad = await failure(
      client.modelInfer({
        modelName: 'lr',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 30n] }],
        rawInputContents: [new Uint8Array(7)],
      }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.message).toContain('raw_input_contents for input "features": expected 120 bytes');
    const rowsInBigMessage = Math.ceil((MAX_MESSAGE_BYTES + 1) / (FEATURES * 4));
    const big = await failure(
      client.modelInfer({
        modelName: 'lr',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [BigInt(rowsInBigMessage), 30n] }],
        rawInputContents: [new Uint8Array(rowsInBigMessage * FEATURES * 4)],
      }),
    );
    expect(big.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('the repository extension: index, load (a pinned version), unload', async () => {
    source.put('lr', 2, logisticRegression(12));
    await client.repositoryModelLoad({
      modelName: 'lr',
      parameters: { version: { parameterChoice: { case: 'int64Param', value: 2n } } },
    });
    expect(
      (
        await client.modelInfer({
          modelName: 'lr',
          inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 30n] }],
          rawInputContents: [new Uint8Array(120)],
        })
      ).modelVersion,
    ).toBe('2');
    const index = await client.repositoryIndex({ ready: true });
    expect(index.models.map((m) => [m.name, m.version, m.state])).toEqual(
      expect.arrayContaining([
        ['lr', '2', 'READY'],
        ['trees', '4', 'READY'],
      ]),
    );
    await client.repositoryModelUnload({ modelName: 'trees' });
    expect((await client.modelReady({ name: 'trees' })).ready).toBe(false);
    const unavailable = await failure(client.modelMetadata({ name: 'trees' }));
    expect(unavailable.code).toBe(status.UNAVAILABLE);
    const missing = await failure(client.repositoryModelLoad({ modelName: 'nothing-here' }));
    expect(missing.code).toBe(status.NOT_FOUND);
    await client.repositoryModelLoad({ modelName: 'trees' });
    expect((await client.modelReady({ name: 'trees' })).ready).toBe(true);
  });
});

describe("a client built from KServe's own grpc_predict_v2.proto with @grpc/proto-loader", () => {
  let protoPath: string;
  let kserve: grpc.Client &
    Record<
      string,
      (request: unknown, callback: (err: grpc.ServiceError | null, response: unknown) => void) => void
    >;
  const call = <T>(method: string, request: unknown): Promise<T> =>
    promisify(kserve[method]!.bind(kserve))(request) as Promise<T>;

  beforeAll(() => {
    protoPath = writeKserveProto();
    const definition = protoLoader.loadSync(protoPath, {
      keepCase: true,
      longs: String,
      defaults: true,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      inference: { GRPCInferenceService: grpc.ServiceClientConstructor };
    };
    kserve = new loaded.inference.GRPCInferenceService(
      address,
      grpc.credentials.createInsecure(),
    ) as unknown as typeof kserve;
  });
  afterAll(() => {
    kserve?.close();
    rmSync(dirname(protoPath), { recursive: true, force: true });
  });

  it('speaks to the server: liveness, metadata, and inference with raw and typed contents', async () => {
    expect(await call('ServerLive', {})).toEqual({ live: true });
    const metadata = await call<{ inputs: { name: string; datatype: string; shape: string[] }[] }>(
      'ModelMetadata',
      { name: 'lr', version: '' },
    );
    expect(metadata.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: ['-1', '30'] }]);

    const data = rows(9, 1, FEATURES);
    const expected = Array.from(
      (await directRun(lr, { features: new ort.Tensor('float32', data, [1, FEATURES]) }))['probability']!
        .data as Float32Array,
    );
    const raw = await call<{
      model_name: string;
      model_version: string;
      id: string;
      outputs: { name: string; shape: string[] }[];
      raw_output_contents: Buffer[];
    }>('ModelInfer', {
      model_name: 'lr',
      model_version: '1',
      id: 'kserve-1',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [1, FEATURES] }],
      raw_input_contents: [Buffer.from(rawBytes(data))],
    });
    expect([raw.model_name, raw.model_version, raw.id]).toEqual(['lr', '1', 'kserve-1']);
    expect(raw.outputs.map((o) => [o.name, o.shape])).toEqual([['probability', ['1', '1']]]);
    const rawOut = raw.raw_output_contents[0]!;
    expect(
      Array.from(
        new Float32Array(rawOut.buffer.slice(rawOut.byteOffset, rawOut.byteOffset + rawOut.byteLength)),
      ),
    ).toEqual(expected);

    const typed = await call<{
      outputs: { contents: { fp32_contents: number[] } }[];
      raw_output_contents: Buffer[];
    }>('ModelInfer', {
      model_name: 'lr',
      model_version: '1',
      inputs: [
        {
          name: 'features',
          datatype: 'FP32',
          shape: [1, FEATURES],
          contents: { fp32_contents: Array.from(data) },
        },
      ],
    });
    expect(typed.raw_output_contents).toEqual([]);
    expect(typed.outputs[0]!.contents.fp32_contents).toEqual(expected);
  });

  it('gets the same INVALID_ARGUMENT status and message', async () => {
    const error = await call('ModelInfer', {
      model_name: 'lr',
      model_version: '1',
      inputs: [{ name: 'nope', datatype: 'FP32', shape: [1, 30] }],
      raw_input_contents: [Buffer.alloc(120)],
    }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toBe('inputs[0].name: expected one of "features", got "nope"');
  });
});
