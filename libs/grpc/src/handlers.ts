import { create, type DescMethod, type Message, type MessageInitShape } from '@bufbuild/protobuf';
import type {
  Deadline,
  Metadata,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  StatusObject,
  UntypedHandleCall,
  sendUnaryData,
} from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { authenticate, authorize, type AuthConfig, type Permission, type Principal } from './auth.js';
import { cancelled, deadlineExceeded, invalidArgument, toServiceError, unimplemented, type UnavailableReason } from './errors.js';
import { CallAbort } from './call-abort.js';
import type { InFlightCalls } from './in-flight.js';
import type { MethodMetrics, RpcMetrics } from './metrics.js';
import { methodPath, UndecodableRequest } from './service-definition.js';
import { readMessages, waitForDrain } from './streams.js';
import { endRpcSpan, methodSpans, type MethodSpans } from './tracing.js';
import type { Cancellation, HandlerContext } from './types.js';

/** Health and reflection are public (Kubernetes probes and grpcurl carry no token). */
export type MethodAccess = { kind: 'public' } | { kind: 'protected'; permission: Permission };

export interface HandlerDeps {
  readonly logger: Logger | undefined;
  readonly metrics: RpcMetrics;
  readonly auth: AuthConfig;
  readonly calls: InFlightCalls;
  readonly unavailableReason: UnavailableReason | undefined;
}

// grpc-js does not export its ServerSurfaceCall type; what every server call kind shares.
interface ServerSurfaceCall {
  readonly metadata: Metadata;
  getPeer(): string;
  getDeadline(): Deadline;
  on(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
}

type FailureStatus = Partial<StatusObject> & { code: StatusObject['code']; details: string };
type Outcome<T> = { ok: true; value: T } | { ok: false; status: FailureStatus };

// Handlers are stored untyped at runtime; each wrapper below casts to the one signature its method kind has.
type AnyHandler = (input: unknown, ctx: HandlerContext) => unknown;

const toDate = (deadline: Deadline): Date | undefined => {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
};

const authorizeCall = (deps: HandlerDeps, access: MethodAccess, call: ServerSurfaceCall, path: string): Principal => {
  if (access.kind === 'public') return { kind: 'anonymous' };
  const result = authenticate(deps.auth, call.metadata);
  if (!result.ok) throw result.error;
  const denied = authorize(result.principal, access.permission, path);
  if (denied) throw denied;
  return result.principal;
};

/** What a call of one method needs that does not change from call to call, computed once. */
interface MethodScope {
  readonly method: DescMethod;
  readonly path: string;
  readonly access: MethodAccess;
  readonly metrics: MethodMetrics;
  readonly spans: MethodSpans;
}

/** The context a handler sees; `signal` and `peer` are made only when read (most handlers never do). */
class ServerCallContext implements HandlerContext {
  constructor(
    readonly method: string,
    readonly metadata: Metadata,
    readonly principal: Principal,
    readonly deadline: Date | undefined,
    private readonly abort: CallAbort,
    private readonly call: ServerSurfaceCall,
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get cancellation(): Cancellation {
    return this.abort;
  }

  get peer(): string {
    return this.call.getPeer();
  }
}

// grpc-js ends the call itself when the deadline passes, which also looks like a cancellation.
// Its timer may fire a millisecond before Date.now() reaches the deadline, hence the slack.
const DEADLINE_SLACK_MS = 10;

const deadlineError = (path: string) => deadlineExceeded(`deadline exceeded while running ${path}`);

const abortAtDeadline = (abort: CallAbort, path: string) => abort.abort(deadlineError(path));

// Module-level makers rather than closures declared per call: under tsx (npm start, the
// benchmarks) esbuild's keepNames defines a name on every declared closure, per call.
/** What grpc-js's 'cancelled' means for a call: its deadline passed, or the client gave up. */
const cancellationOf = (abort: CallAbort, path: string, deadline: Date | undefined) => (): void =>
  abort.abort(
    deadline !== undefined && Date.now() >= deadline.getTime() - DEADLINE_SLACK_MS
      ? deadlineError(path)
      : cancelled('the client cancelled the call'),
  );

/**
 * Runs one call's body with everything every call gets: a server span (the body runs in its
 * context), metrics, the deadline and cancellation as an AbortSignal, authentication and
 * authorization, and the mapping of any failure to a status (never UNKNOWN).
 */
async function observeCall<T>(
  call: ServerSurfaceCall,
  scope: MethodScope,
  deps: HandlerDeps,
  body: (ctx: HandlerContext) => Promise<T>,
): Promise<Outcome<T>> {
  const { path } = scope;
  const recorder = scope.metrics.started();
  const { span, ctx: spanContext } = scope.spans.startServer(call.metadata);
  const abort = new CallAbort();
  const release = deps.calls.track(abort);
  const deadline = toDate(call.getDeadline());
  const onCancelled = cancellationOf(abort, path, deadline);
  call.on('cancelled', onCancelled);
  let deadlineTimer: NodeJS.Timeout | undefined;
  let outcome: Outcome<T>;
  try {
    if (deadline !== undefined) {
      const remainingMs = deadline.getTime() - Date.now();
      if (remainingMs <= 0) throw deadlineExceeded(`deadline exceeded before ${path} started`);
      deadlineTimer = setTimeout(abortAtDeadline, remainingMs, abort, path);
    }
    const principal = authorizeCall(deps, scope.access, call, path);
    if (principal.kind === 'token') span.setAttribute('enduser.id', principal.name);
    const handlerContext = new ServerCallContext(path, call.metadata, principal, deadline, abort, call);
    const value = await context.with(spanContext, body, undefined, handlerContext);
    // A handler that ignored its signal may finish after the client gave up; the call still failed.
    if (abort.aborted) throw abort.reason;
    outcome = { ok: true, value };
  } catch (err) {
    const failure = abort.aborted ? abort.reason : err;
    const { status, kind } = toServiceError(failure, deps.unavailableReason);
    if (kind === 'unexpected') deps.logger?.error({ err: failure, method: path }, 'gRPC handler failed with an unexpected error');
    else if (kind === 'dependency_unavailable') deps.logger?.warn({ err: failure, method: path }, 'gRPC call failed: a dependency is unavailable');
    outcome = { ok: false, status };
  } finally {
    clearTimeout(deadlineTimer);
    call.off('cancelled', onCancelled);
    release();
  }
  const code = outcome.ok ? 0 : outcome.status.code;
  recorder.handled(code);
  endRpcSpan(span, 'server', code, outcome.ok ? undefined : outcome.status.details);
  return outcome;
}

type ResponseWriter = ServerWritableStream<Message, Message> | ServerDuplexStream<Message, Message>;

/** Writes every response, waiting for 'drain' whenever grpc-js says its buffer is full. */
async function writeResponses(
  call: ResponseWriter,
  method: DescMethod,
  responses: AsyncIterable<MessageInitShape<DescMethod['output']>>,
  signal: AbortSignal,
): Promise<void> {
  for await (const response of responses) {
    if (signal.aborted) throw signal.reason;
    if (call.destroyed || call.writableEnded) throw cancelled('the call ended before all responses were written');
    if (!call.write(create(method.output, response))) await waitForDrain(call, signal);
  }
}

/** Ends a streaming call with OK or the failure status, unless the peer is already gone. */
const finishStream = (call: ResponseWriter, outcome: Outcome<void>): void => {
  if (call.cancelled || call.destroyed) return;
  if (outcome.ok) call.end();
  else call.emit('error', outcome.status);
};

/** Throws INVALID_ARGUMENT for a request that did not decode (see `UndecodableRequest`). */
const decoded = (request: Message | UndecodableRequest): Message => {
  if (request instanceof UndecodableRequest) {
    throw invalidArgument('request', `a valid ${request.typeName} message`, request.reason);
  }
  return request;
};

async function* decodedMessages(messages: AsyncIterable<Message | UndecodableRequest>): AsyncGenerator<Message> {
  for await (const message of messages) yield decoded(message);
}

const missingHandler = (method: DescMethod): AnyHandler => () => {
  throw unimplemented(`${methodPath(method)} is not implemented by this server`);
};

/** Wraps one implementation function as the grpc-js handler of its method kind. */
export function wrapHandler(method: DescMethod, impl: unknown, access: MethodAccess, deps: HandlerDeps): UntypedHandleCall {
  const handler: AnyHandler = typeof impl === 'function' ? (impl as AnyHandler) : missingHandler(method);
  const scope: MethodScope = { method, path: methodPath(method), access, metrics: deps.metrics.forMethod(method), spans: methodSpans(method) };
  const output = (value: unknown) => create(method.output, value as MessageInitShape<DescMethod['output']>);
  switch (method.methodKind) {
    case 'unary':
      return (call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>) => {
        void observeCall(call, scope, deps, async (ctx) => output(await handler(decoded(call.request), ctx))).then((outcome) =>
          outcome.ok ? callback(null, outcome.value) : callback(outcome.status),
        );
      };
    case 'server_streaming':
      return (call: ServerWritableStream<Message, Message>) => {
        void observeCall(call, scope, deps, (ctx) =>
          writeResponses(call, method, handler(decoded(call.request), ctx) as AsyncIterable<MessageInitShape<DescMethod['output']>>, ctx.signal),
        ).then((outcome) => finishStream(call, outcome));
      };
    case 'client_streaming':
      return (call: ServerReadableStream<Message, Message>, callback: sendUnaryData<Message>) => {
        void observeCall(call, scope, deps, async (ctx) => output(await handler(decodedMessages(readMessages<Message>(call, ctx.signal)), ctx))).then(
          (outcome) => (outcome.ok ? callback(null, outcome.value) : callback(outcome.status)),
        );
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<Message, Message>) => {
        void observeCall(call, scope, deps, (ctx) =>
          writeResponses(
            call,
            method,
            handler(decodedMessages(readMessages<Message>(call, ctx.signal)), ctx) as AsyncIterable<MessageInitShape<DescMethod['output']>>,
            ctx.signal,
          ),
        ).then((outcome) => finishStream(call, outcome));
      };
  }
}
