import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { Metadata } from '@grpc/grpc-js';
import type { Permission, Principal } from './auth.js';

/** Whether a call has ended early, and why: what an AbortSignal holds, for code that only asks. */
export interface Cancellation {
  readonly aborted: boolean;
  /** An RpcError once aborted; undefined before. */
  readonly reason: unknown;
}

/** What a handler knows about its call. */
export interface HandlerContext {
  /** The gRPC method path, `/<package>.<Service>/<Method>`. */
  readonly method: string;
  /** Request metadata (headers) as received. */
  readonly metadata: Metadata;
  readonly principal: Principal;
  readonly deadline: Date | undefined;
  /** Aborts when the client cancels, the deadline passes or the server is forced down; `reason` is an RpcError. */
  readonly signal: AbortSignal;
  /**
   * The same state as `signal`, read without making one (an AbortController per call is a visible
   * share of a small call's cost): for code that checks at a point in time instead of listening.
   */
  readonly cancellation: Cancellation;
  readonly peer: string;
}

export type UnaryImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  ctx: HandlerContext,
) => Promise<MessageInitShape<O>>;
export type ServerStreamingImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  ctx: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;
export type ClientStreamingImpl<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  ctx: HandlerContext,
) => Promise<MessageInitShape<O>>;
export type BidiStreamingImpl<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  ctx: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;

/** The handler type of one method, chosen by its kind (like connect-es). */
export type MethodImpl<M extends DescMethod> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? UnaryImpl<I, O>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? ServerStreamingImpl<I, O>
    : M extends { methodKind: 'client_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? ClientStreamingImpl<I, O>
      : M extends { methodKind: 'bidi_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
        ? BidiStreamingImpl<I, O>
        : never;

/** An implementation of every method of a service, keyed by the method's `localName`. */
export type ServiceImpl<S extends DescService> = {
  [K in keyof S['method']]: MethodImpl<S['method'][K]>;
};

/** The local (camelCase) method names of a service. */
export type MethodName<S extends DescService> = keyof S['method'] & string;

export interface AddServiceOptions<S extends DescService> {
  /** Permission each method needs when authentication is on; a method not listed needs 'read'. */
  readonly permissions?: Partial<Record<MethodName<S>, Permission>>;
}
