import * as grpc from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTracing } from './index.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const passthrough = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

/**
 * Just enough of an OTLP collector: keeps each raw ExportTraceServiceRequest and answers with an
 * empty ExportTraceServiceResponse (zero bytes is a valid empty protobuf message).
 */
async function startCollector(): Promise<{ endpoint: string; requests: Buffer[]; stop(): Promise<void> }> {
  const requests: Buffer[] = [];
  const server = new grpc.Server();
  const definition: grpc.ServiceDefinition = {
    Export: {
      path: EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: passthrough.serialize,
      requestDeserialize: passthrough.deserialize,
      responseSerialize: passthrough.serialize,
      responseDeserialize: passthrough.deserialize,
    },
  };
  server.addService(definition, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      requests.push(call.request);
      callback(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

describe('OTLP export', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(() => collector.stop());

  it('sends ended spans to the otlpEndpoint when tracing shuts down', async () => {
    const tracing = initTracing({ service: 'mlops-otlp-test', version: '1.2.3', otlpEndpoint: collector.endpoint });
    const span = trace.getTracer('otlp-test').startSpan('exported-span');
    const traceId = span.spanContext().traceId;
    span.end();

    // The batch processor holds the span; shutdown must flush it.
    await tracing.shutdown();

    expect(collector.requests.length).toBeGreaterThanOrEqual(1);
    const payload = Buffer.concat(collector.requests);
    expect(payload.includes('mlops-otlp-test')).toBe(true);
    expect(payload.includes('exported-span')).toBe(true);
    // OTLP protobuf carries the trace id as 16 raw bytes.
    expect(payload.includes(Buffer.from(traceId, 'hex'))).toBe(true);
  });
});
