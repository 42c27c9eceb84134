import type { Context, Span, SpanOptions, Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api';
import { ProxyTracerProvider } from '@opentelemetry/api';

// A proxy with no delegate hands out no-op tracers: what the API does with nothing registered.
const NO_PROVIDER: TracerProvider = new ProxyTracerProvider();

/**
 * The tracer provider registered globally, once per process. It forwards to the most recently
 * installed SDK provider that has not shut down.
 *
 * Why not register each SDK provider directly: the global API can hold one provider, and tracers
 * obtained from it stay bound to that provider forever. Libraries fetch tracers at module load,
 * and tests (or the all-in-one launcher) install tracing more than once per process; forwarding
 * on every span keeps every tracer pointed at whichever provider is current.
 */
export class TracerProviderStack implements TracerProvider {
  private readonly providers: TracerProvider[] = [];

  push(provider: TracerProvider): void {
    this.providers.push(provider);
  }

  /** Removes `provider`; if it was on top, the one installed before it becomes current again. */
  remove(provider: TracerProvider): void {
    const index = this.providers.lastIndexOf(provider);
    if (index >= 0) this.providers.splice(index, 1);
  }

  current(): TracerProvider | undefined {
    return this.providers.at(-1);
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new ForwardingTracer(this, name, version, options);
  }
}

class ForwardingTracer implements Tracer {
  constructor(
    private readonly stack: TracerProviderStack,
    private readonly name: string,
    private readonly version: string | undefined,
    private readonly options: TracerOptions | undefined,
  ) {}

  private resolved: { provider: TracerProvider; tracer: Tracer } | undefined;

  // Resolved again only when the current provider changes: the SDK's getTracer builds a cache
  // key string on every call, which shows in the profile of a small RPC.
  private resolve(): Tracer {
    const provider = this.stack.current() ?? NO_PROVIDER;
    if (this.resolved?.provider !== provider) {
      this.resolved = { provider, tracer: provider.getTracer(this.name, this.version, this.options) };
    }
    return this.resolved.tracer;
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    return this.resolve().startSpan(name, options, context);
  }

  startActiveSpan<F extends (span: Span) => unknown>(
    _name: string,
    _options: F | SpanOptions,
    _context?: F | Context,
    _fn?: F,
  ): ReturnType<F> {
    const tracer = this.resolve();
    // startActiveSpan has three overloads; passing the arguments through unchanged lets the
    // target tracer pick the same overload the caller used (as the API's ProxyTracer does).
    // eslint-disable-next-line prefer-rest-params
    return Reflect.apply(tracer.startActiveSpan, tracer, arguments) as ReturnType<F>;
  }
}
