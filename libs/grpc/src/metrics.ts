import type { DescMethod } from '@bufbuild/protobuf';
import type { status } from '@grpc/grpc-js';
import { tallyCounter, tallyHistogram, type CounterSeries } from '@mlops/telemetry';
import type { Registry } from 'prom-client';
import { statusName } from './errors.js';

/** The go-grpc-prometheus `grpc_type` label. */
export type GrpcType = 'unary' | 'client_stream' | 'server_stream' | 'bidi_stream';

export const grpcType = (method: DescMethod): GrpcType => {
  switch (method.methodKind) {
    case 'unary':
      return 'unary';
    case 'client_streaming':
      return 'client_stream';
    case 'server_streaming':
      return 'server_stream';
    case 'bidi_streaming':
      return 'bidi_stream';
  }
};

type CallLabels = 'grpc_type' | 'grpc_service' | 'grpc_method';
type HandledLabels = CallLabels | 'grpc_code';
const CALL_LABELS: CallLabels[] = ['grpc_type', 'grpc_service', 'grpc_method'];
const HANDLED_LABELS: HandledLabels[] = [...CALL_LABELS, 'grpc_code'];

/** Records one call: `started()` when it begins, then `handled(code)` once when it ends. */
export interface CallRecorder {
  handled(code: status): void;
}

/** The metrics of one method's calls; their series are bound once per method (and per code). */
export interface MethodMetrics {
  started(): CallRecorder;
}

export interface RpcMetrics {
  forMethod(method: DescMethod): MethodMetrics;
}

const NO_RECORDER: CallRecorder = { handled: () => undefined };
const NO_METRICS: RpcMetrics = { forMethod: () => ({ started: () => NO_RECORDER }) };

/** go-grpc-prometheus metric names: `grpc_<side>_started_total`, `_handled_total`, `_handling_seconds`. */
export function createRpcMetrics(registry: Registry | undefined, side: 'server' | 'client'): RpcMetrics {
  if (registry === undefined) return NO_METRICS;
  const who = side === 'server' ? 'on the server' : 'by the client';
  const started = tallyCounter(registry, {
    name: `grpc_${side}_started_total`,
    help: `Total number of RPCs started ${who}.`,
    labelNames: CALL_LABELS,
  });
  const handled = tallyCounter(registry, {
    name: `grpc_${side}_handled_total`,
    help: `Total number of RPCs completed ${who}, regardless of success or failure.`,
    labelNames: HANDLED_LABELS,
  });
  const seconds = tallyHistogram(registry, {
    name: `grpc_${side}_handling_seconds`,
    help: `Histogram of response latency (seconds) of gRPC ${who}.`,
    labelNames: CALL_LABELS,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  return {
    forMethod(method) {
      const labels = { grpc_type: grpcType(method), grpc_service: method.parent.typeName, grpc_method: method.name };
      const startedSeries = started.series(labels);
      const secondsSeries = seconds.series(labels);
      const handledSeries = new Map<status, CounterSeries>();
      const handledOf = (code: status) => {
        let found = handledSeries.get(code);
        if (found === undefined) handledSeries.set(code, (found = handled.series({ ...labels, grpc_code: statusName(code) })));
        return found;
      };
      return {
        started() {
          startedSeries.inc();
          const startedAt = performance.now();
          let done = false;
          return {
            handled(code) {
              if (done) return;
              done = true;
              secondsSeries.observe((performance.now() - startedAt) / 1000);
              handledOf(code).inc();
            },
          };
        },
      };
    },
  };
}
