import { create, toBinary } from '@bufbuild/protobuf';
import { createClient, createGrpcServer } from '@mlops/grpc';
import { EchoRequestSchema, EchoService } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { initTracing } from '@mlops/telemetry';
import { Registry } from 'prom-client';
import { concurrentThroughput, interleave, median, sequentialLatency } from '../stats.js';
import { ratioFigure, type Benchmark } from '../result.js';
import { startBareEcho } from './bare-echo.js';

const PAYLOAD_BYTES = 512;
const ROUNDS = 5;

/**
 * What the platform's gRPC layer (protobuf-es codec, auth/deadline/error wrapping, metrics, spans)
 * costs on top of bare grpc-js: the same echo, the same bytes, in the same process.
 */
export const grpcOverhead: Benchmark = {
  name: 'grpc-overhead',
  issue: '#2 foundation (libs/grpc)',
  async run() {
    const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
    const wire = Buffer.from(toBinary(EchoRequestSchema, create(EchoRequestSchema, { payload })));
    const bare = await startBareEcho();
    // Spans are recorded as in a service (bootService installs the same provider), exported nowhere.
    const tracing = initTracing({ service: 'bench-grpc-overhead', version: '0' });

    const server = createGrpcServer({ service: 'bench', metrics: new Registry() });
    server.add(EchoService, {
      echo: async (req) => ({ payload: req.payload, text: req.text }),
      async *echoServerStream() {},
      echoClientStream: async () => ({}),
      async *echoBidiStream() {},
    });
    const port = await server.listen('127.0.0.1:0');
    const client = createClient(EchoService, `127.0.0.1:${port}`, { metrics: new Registry() });
    try {
      const seq = await interleave(
        ROUNDS,
        () => sequentialLatency(() => client.echo({ payload }), 2000),
        () => sequentialLatency(() => bare.call(wire), 2000),
      );
      const conc = await interleave(
        ROUNDS,
        () => concurrentThroughput(() => client.echo({ payload }), 64, 20_000),
        () => concurrentThroughput(() => bare.call(wire), 64, 20_000),
      );
      const p50 = median(seq.a.map((s) => s.p50));
      const bareP50 = median(seq.b.map((s) => s.p50));
      const p99 = median(seq.a.map((s) => s.p99));
      const bareP99 = median(seq.b.map((s) => s.p99));
      const rps = median(conc.a.map((c) => c.perSecond));
      const bareRps = median(conc.b.map((c) => c.perSecond));
      return {
        name: this.name,
        issue: this.issue,
        figures: [
          ratioFigure('unary p50, sequential', p50, 'ms', { label: 'bare grpc-js echo', value: bareP50 }),
          ratioFigure('unary p99, sequential', p99, 'ms', { label: 'bare grpc-js echo', value: bareP99 }),
          ratioFigure('throughput, concurrency 64', rps, 'calls/s', { label: 'bare grpc-js echo', value: bareRps }),
        ],
        notes: [
          `${PAYLOAD_BYTES}-byte payload; median of ${ROUNDS} interleaved rounds of 2,000 sequential calls and 20,000 calls at concurrency 64.`,
          'The platform side runs with server and client metrics and recorded spans (no exporter), as a service without OTLP does.',
        ],
      };
    } finally {
      client.close();
      await server.shutdown(0);
      await bare.close();
      await tracing.shutdown();
    }
  },
};
