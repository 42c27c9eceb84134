import { context, propagation, trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { buildResource } from './resource.js';
import { chooseSpanDestinations, createSpanProcessor } from './span-processors.js';
import { TracerProviderStack } from './tracer-provider-stack.js';

export interface TracingOptions {
  /** `service.name` of every span, e.g. "mlops-router". */
  readonly service: string;
  readonly version: string;
  /** OTLP/gRPC collector, e.g. "http://127.0.0.1:4317" (Jaeger). Spans are batched. */
  readonly otlpEndpoint?: string | undefined;
  /** An exporter of your own (tests): spans are handed to it one by one as they end. */
  readonly exporter?: SpanExporter | undefined;
}

export interface Tracing {
  readonly provider: BasicTracerProvider;
  /** Flushes pending spans and shuts the provider down. Idempotent. */
  shutdown(): Promise<void>;
}

// Shared through globalThis, like the OpenTelemetry API's own globals, so that two copies of this
// module in one process (sources under vitest, dist under tsx) still share one registration.
const STACK_KEY = Symbol.for('@mlops/telemetry/tracer-provider-stack');
type GlobalWithStack = typeof globalThis & { [STACK_KEY]?: TracerProviderStack };

function sharedStack(): TracerProviderStack {
  const holder = globalThis as GlobalWithStack;
  return (holder[STACK_KEY] ??= new TracerProviderStack());
}

/**
 * Installs the OpenTelemetry globals once: the forwarding tracer provider, AsyncLocalStorage
 * context propagation through async calls, and W3C traceparent/tracestate + baggage on the wire.
 * Reinstalls them if someone disabled or replaced the tracer provider.
 */
function installGlobals(stack: TracerProviderStack): void {
  // The registered global is the API's proxy; its delegate is what was registered.
  const registered = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.();
  if (registered === stack) return;
  trace.disable();
  trace.setGlobalTracerProvider(stack);
  context.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.disable();
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}

/**
 * Starts tracing for this process.
 *
 * Sampling is parent-based always-on unless `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`
 * say otherwise. Export: `exporter` (span by span), `otlpEndpoint` (batched OTLP/gRPC), else OTLP
 * if `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, else nowhere;
 * spans are created in every case, so trace ids reach logs and responses.
 *
 * Calling it again in one process is safe: the newest call takes over (every tracer, including
 * those obtained earlier, starts spans on the new provider); the earlier provider stays alive,
 * idle, and becomes current again when the newer one shuts down. Each `shutdown()` flushes only
 * its own provider. With every provider shut down, spans are no-ops.
 */
export function initTracing(options: TracingOptions): Tracing {
  const provider = new BasicTracerProvider({
    resource: buildResource(options),
    // No `sampler`: BasicTracerProvider then reads OTEL_TRACES_SAMPLER, defaulting to
    // parentbased_always_on, which is what we want.
    spanProcessors: chooseSpanDestinations(options).map(createSpanProcessor),
  });
  const stack = sharedStack();
  installGlobals(stack);
  stack.push(provider);

  let stopping: Promise<void> | undefined;
  return {
    provider,
    shutdown() {
      stopping ??= (async () => {
        // Out of the stack first, so no new span lands in a provider that is shutting down.
        stack.remove(provider);
        await provider.shutdown();
      })();
      return stopping;
    },
  };
}
