import type { LatencySummary } from '../stats.js';

/** A unary gRPC method the load process calls with pre-encoded request bytes. */
export interface RawTarget {
  /** host:port */
  readonly address: string;
  /** The method's full path, e.g. /inference.GRPCInferenceService/ModelInfer. */
  readonly path: string;
  /** The request's protobuf bytes, sent as they are on every call. */
  readonly payload: Uint8Array;
}

/** What the parent asks the load process to do; each job names a target registered before. */
export type LoadJob =
  | { readonly op: 'target'; readonly name: string; readonly target: RawTarget }
  | { readonly op: 'sequential'; readonly name: string; readonly iterations: number; readonly warmup: number }
  | {
      readonly op: 'concurrent';
      readonly name: string;
      readonly concurrency: number;
      readonly total: number;
    };

export type LoadResult =
  | { readonly op: 'target' }
  | { readonly op: 'sequential'; readonly latency: LatencySummary }
  | { readonly op: 'concurrent'; readonly perSecond: number; readonly latency: LatencySummary };

export interface LoadRequestMessage {
  readonly id: number;
  readonly job: LoadJob;
}

export type LoadReplyMessage =
  | { readonly id: number; readonly ok: true; readonly result: LoadResult }
  | { readonly id: number; readonly ok: false; readonly error: string };
