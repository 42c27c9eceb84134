import { create, type DescMessage, type DescMethod, type DescService, type Message, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import {
  Client as GrpcClient,
  Metadata,
  credentials as grpcCredentials,
  status,
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  type MethodDefinition,
  type StatusObject,
} from '@grpc/grpc-js';
import { context, type Context } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { RpcError, cancelled, fromServiceError } from './errors.js';
import { DEFAULT_FLOW_CONTROL_WINDOW_BYTES } from './flow-control-window.js';
import { createRpcMetrics, type MethodMetrics, type RpcMetrics } from './metrics.js';
import { toServiceDefinition } from './service-definition.js';
import { waitForDrain } from './streams.js';
import { endRpcSpan, methodSpans, type MethodSpans } from './tracing.js';

export interface CallOptions {
  /** Time the call may take, from now; overrides the client's `defaultDeadlineMs`. */
  readonly deadlineMs?: number;
  /** Aborting cancels the call; it then fails with CANCELLED. */
  readonly signal?: AbortSignal;
  /** Extra request metadata (headers). */
  readonly metadata?: Record<string, string>;
}

export interface ClientOptions {
  /** Sent as `authorization: Bearer <token>` on every call. */
  readonly token?: string;
  readonly defaultDeadlineMs?: number;
  readonly channelOptions?: ChannelOptions;
  /** Default: insecure (plaintext), as inside the cluster. */
  readonly credentials?: ChannelCredentials;
  /** Registry for `grpc_client_*` metrics; none recorded without it. */
  readonly metrics?: Registry;
}

type Requests<I extends DescMessage> = AsyncIterable<MessageInitShape<I>> | Iterable<MessageInitShape<I>>;

export type UnaryFn<I extends DescMessage, O extends DescMessage> = (request: MessageInitShape<I>, options?: CallOptions) => Promise<MessageShape<O>>;
export type ServerStreamingFn<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;
export type ClientStreamingFn<I extends DescMessage, O extends DescMessage> = (requests: Requests<I>, options?: CallOptions) => Promise<MessageShape<O>>;
export type BidiStreamingFn<I extends DescMessage, O extends DescMessage> = (requests: Requests<I>, options?: CallOptions) => AsyncIterable<MessageShape<O>>;

export type ClientMethod<M extends DescMethod> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? UnaryFn<I, O>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? ServerStreamingFn<I, O>
    : M extends { methodKind: 'client_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? ClientStreamingFn<I, O>
      : M extends { methodKind: 'bidi_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
        ? BidiStreamingFn<I, O>
        : never;

/** One function per method (by `localName`), plus `close()` for the channel. */
export type Client<S extends DescService> = { [K in keyof S['method']]: ClientMethod<S['method'][K]> } & { close(): void };

/** Everything one call carries: metadata, deadline, span, metrics, and the caller's AbortSignal. */
interface CallScope {
  readonly metadata: Metadata;
  readonly options: GrpcCallOptions;
  succeed(): void;
  /** Records the failure once and returns it as an RpcError. */
  fail(err: unknown): RpcError;
  /** Cancels the call when the caller's signal aborts; returns the unsubscribe function. */
  bindCancel(cancel: () => void): () => void;
}

const noop = () => undefined;

const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  // Large streamed responses (an artifact download, a training-set export) flow without waiting for a WINDOW_UPDATE every 64 KiB.
  'grpc-node.flow_control_window': DEFAULT_FLOW_CONTROL_WINDOW_BYTES,
  // Nothing reads channelz here (no channelz service is served); its per-call bookkeeping costs CPU.
  'grpc.enable_channelz': 0,
};

/** The final status of a streaming call (grpc-js always emits 'status', after any 'error'). */
const statusOf = (call: ClientReadableStream<Message> | ClientWritableStream<Message>): Promise<StatusObject> =>
  new Promise((resolve) => call.once('status', resolve));

/**
 * Writes every request with backpressure, then half-closes. Stops (rejecting) as soon as
 * `callDone` aborts, so a finished call never leaves the pump waiting for a 'drain' forever.
 */
async function pumpRequests(
  call: ClientWritableStream<Message>,
  method: DescMethod,
  requests: Requests<DescMessage>,
  callDone: AbortSignal,
): Promise<void> {
  for await (const request of requests) {
    if (callDone.aborted) return;
    if (!call.write(create(method.input, request))) await waitForDrain(call, callDone);
  }
  if (!callDone.aborted) call.end();
}

/** Creates a client for `desc` on `address`; calls fail with RpcError and carry the active trace context. */
export function createClient<S extends DescService>(desc: S, address: string, options: ClientOptions = {}): Client<S> {
  const channel = new GrpcClient(address, options.credentials ?? grpcCredentials.createInsecure(), {
    ...DEFAULT_CHANNEL_OPTIONS,
    ...options.channelOptions,
  });
  const metrics: RpcMetrics = createRpcMetrics(options.metrics, 'client');
  const definition = toServiceDefinition(desc) as Record<string, MethodDefinition<Message, Message>>;

  const scopes = new Map<DescMethod, { spans: MethodSpans; metrics: MethodMetrics }>();
  const openCall = (method: DescMethod, callOptions: CallOptions | undefined, parent: Context): CallScope => {
    let perMethod = scopes.get(method);
    if (perMethod === undefined) scopes.set(method, (perMethod = { spans: methodSpans(method), metrics: metrics.forMethod(method) }));
    const metadata = new Metadata();
    if (callOptions?.metadata !== undefined) {
      for (const [key, value] of Object.entries(callOptions.metadata)) metadata.set(key, value);
    }
    if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
    const span = perMethod.spans.startClient(metadata, parent);
    const recorder = perMethod.metrics.started();
    const deadlineMs = callOptions?.deadlineMs ?? options.defaultDeadlineMs;
    let finished = false;
    const finish = (code: status, message?: string) => {
      if (finished) return;
      finished = true;
      recorder.handled(code);
      endRpcSpan(span, 'client', code, message);
    };
    return {
      metadata,
      options: deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
      succeed: () => finish(status.OK),
      fail(err) {
        const error = fromServiceError(err);
        finish(error.code, error.message);
        return error;
      },
      bindCancel(cancel) {
        const signal = callOptions?.signal;
        if (signal === undefined) return noop;
        if (signal.aborted) {
          cancel();
          return noop;
        }
        signal.addEventListener('abort', cancel, { once: true });
        return () => signal.removeEventListener('abort', cancel);
      },
    };
  };

  const unary = (method: DescMethod, def: MethodDefinition<Message, Message>) =>
    (request: MessageInitShape<DescMessage>, callOptions?: CallOptions): Promise<Message> => {
      const message = create(method.input, request);
      const scope = openCall(method, callOptions, context.active());
      return new Promise((resolve, reject) => {
        const call = channel.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, message, scope.metadata, scope.options, (err, value) => {
          unbind();
          if (err || value === undefined) {
            reject(scope.fail(err ?? new RpcError(status.INTERNAL, 'no response message')));
            return;
          }
          scope.succeed();
          resolve(value);
        });
        const unbind = scope.bindCancel(() => call.cancel());
      });
    };

  const clientStreaming = (method: DescMethod, def: MethodDefinition<Message, Message>) =>
    (requests: Requests<DescMessage>, callOptions?: CallOptions): Promise<Message> => {
      const scope = openCall(method, callOptions, context.active());
      return new Promise((resolve, reject) => {
        const callDone = new AbortController();
        // The caller's own iterable failing is reported as that error, not as the CANCELLED it causes.
        let requestsFailed: { error: unknown } | undefined;
        const call = channel.makeClientStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, scope.metadata, scope.options, (err, value) => {
          callDone.abort();
          unbind();
          if (requestsFailed) {
            scope.fail(cancelled('the request stream failed'));
            reject(requestsFailed.error);
          } else if (err || value === undefined) {
            reject(scope.fail(err ?? new RpcError(status.INTERNAL, 'no response message')));
          } else {
            scope.succeed();
            resolve(value);
          }
        });
        const unbind = scope.bindCancel(() => call.cancel());
        pumpRequests(call, method, requests, callDone.signal).catch((error: unknown) => {
          if (callDone.signal.aborted) return;
          requestsFailed = { error };
          call.cancel();
        });
      });
    };

  const serverStreaming = (method: DescMethod, def: MethodDefinition<Message, Message>) =>
    (request: MessageInitShape<DescMessage>, callOptions?: CallOptions): AsyncIterable<Message> => {
      const message = create(method.input, request);
      const parent = context.active();
      return readResponses(method, callOptions, parent, (scope) =>
        channel.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, message, scope.metadata, scope.options),
      );
    };

  const bidiStreaming = (method: DescMethod, def: MethodDefinition<Message, Message>) =>
    (requests: Requests<DescMessage>, callOptions?: CallOptions): AsyncIterable<Message> => {
      const parent = context.active();
      return readResponses(method, callOptions, parent, (scope, callDone, onRequestsFailed) => {
        const call = channel.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, scope.metadata, scope.options);
        pumpRequests(call, method, requests, callDone).catch((error: unknown) => {
          if (callDone.aborted) return;
          onRequestsFailed(error);
          call.cancel();
        });
        return call;
      });
    };

  /**
   * The responses of a server-streaming or bidi call. Lazy: the call starts when iteration
   * starts, and stopping early cancels it, so an abandoned iterable never leaks a call.
   */
  async function* readResponses(
    method: DescMethod,
    callOptions: CallOptions | undefined,
    parent: Context,
    start: (scope: CallScope, callDone: AbortSignal, onRequestsFailed: (error: unknown) => void) => ClientReadableStream<Message> | ClientDuplexStream<Message, Message>,
  ): AsyncGenerator<Message, void, undefined> {
    const scope = openCall(method, callOptions, parent);
    const callDone = new AbortController();
    let requestsFailed: { error: unknown } | undefined;
    const call = start(scope, callDone.signal, (error) => (requestsFailed = { error }));
    const finalStatus = statusOf(call);
    void finalStatus.then(() => callDone.abort());
    const unbind = scope.bindCancel(() => call.cancel());
    let settled = false;
    try {
      for await (const message of call as AsyncIterable<Message>) yield message;
      const { code, details, metadata } = await finalStatus;
      if (code !== status.OK) throw new RpcError(code, details, { metadata });
      settled = true;
      scope.succeed();
    } catch (err) {
      settled = true;
      const error = scope.fail(err);
      if (requestsFailed) throw requestsFailed.error;
      throw error;
    } finally {
      unbind();
      callDone.abort();
      if (!settled) {
        call.cancel();
        scope.fail(cancelled('the caller stopped reading responses'));
      }
    }
  }

  const methods: Record<string, unknown> = {};
  for (const method of desc.methods) {
    const def = definition[method.localName];
    if (def === undefined) continue;
    switch (method.methodKind) {
      case 'unary':
        methods[method.localName] = unary(method, def);
        break;
      case 'server_streaming':
        methods[method.localName] = serverStreaming(method, def);
        break;
      case 'client_streaming':
        methods[method.localName] = clientStreaming(method, def);
        break;
      case 'bidi_streaming':
        methods[method.localName] = bidiStreaming(method, def);
        break;
    }
  }
  methods['close'] = () => channel.close();
  // The method table is built from the descriptor at runtime; its shape is exactly Client<S>.
  return methods as Client<S>;
}
