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

/** A client-streaming method that takes raw messages (an upload), and what to send it. */
export interface RawUpload {
  /** host:port */
  readonly address: string;
  readonly path: string;
  /** Size of each message; the same buffer is sent `messages` times (the transport's ceiling: no reads, no copies of ours). */
  readonly messageBytes: number;
  readonly messages: number;
}

/** What the parent asks the load process to do; each job names a target registered before (an upload carries its own). */
export type LoadJob =
  | { readonly op: 'upload'; readonly upload: RawUpload }
  | { readonly op: 'target'; readonly name: string; readonly target: RawTarget }
  | { readonly op: 'sequential'; readonly name: string; readonly iterations: number; readonly warmup: number }
  | {
      readonly op: 'concurrent';
      readonly name: string;
      readonly concurrency: number;
      readonly total: number;
    };

export type LoadResult =
  | { readonly op: 'upload'; readonly ms: number; readonly acknowledgedBytes: number }
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
