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

/** Where a streamed transfer goes and what it moves: `messages` raw messages of `messageBytes`. */
interface TransferShape {
  /** host:port */
  readonly address: string;
  readonly path: string;
  readonly messageBytes: number;
  readonly messages: number;
}

/**
 * A streamed transfer of raw messages: an upload (client streaming; the same buffer is sent
 * `messages` times, so no reads or copies of ours count) or a download (server streaming; its
 * request asks the server for the messages, which are received and dropped).
 */
export type RawTransfer = (TransferShape & { readonly direction: 'upload' }) | (TransferShape & { readonly direction: 'download'; readonly request: Uint8Array });

/** What the parent asks the load process to do; each job names a target registered before (a transfer carries its own). */
export type LoadJob =
  | { readonly op: 'transfer'; readonly transfer: RawTransfer }
  | { readonly op: 'target'; readonly name: string; readonly target: RawTarget }
  | { readonly op: 'sequential'; readonly name: string; readonly iterations: number; readonly warmup: number }
  | {
      readonly op: 'concurrent';
      readonly name: string;
      readonly concurrency: number;
      readonly total: number;
    };

export type LoadResult =
  | { readonly op: 'transfer'; readonly ms: number; readonly bytes: number }
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
