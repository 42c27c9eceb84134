import type { ModelVersionMetrics } from '../metrics/inference-metrics.js';
import type { InputLimits } from '../tensors/decode-inputs.js';
import type { ModelSignature } from '../tensors/signature.js';
import type { Executor } from './executor.js';
import type { InferenceSession } from './onnx-session.js';

/**
 * serving: takes new requests. draining: swapped out or unloaded; requests already holding a
 * lease finish on it, new ones are refused. released: the onnxruntime session is gone.
 */
export type LoadedModelState = 'serving' | 'draining' | 'released';

/**
 * One loaded version of a model: its session, signature and executor, with a count of the
 * requests using it, so a swap can retire it without failing any of them: it is released when
 * the last lease ends.
 */
export interface LoadedModelParts {
  readonly model: string;
  readonly version: string;
  readonly signature: ModelSignature;
  readonly limits: InputLimits;
  readonly executor: Executor;
  readonly metrics: ModelVersionMetrics;
  readonly session: InferenceSession;
  readonly onReleaseError?: (error: unknown) => void;
}

export class LoadedModel {
  readonly model: string;
  readonly version: string;
  readonly signature: ModelSignature;
  readonly limits: InputLimits;
  readonly executor: Executor;
  readonly metrics: ModelVersionMetrics;
  private readonly session: InferenceSession;
  private readonly onReleaseError: (error: unknown) => void;
  private leases = 0;
  private currentState: LoadedModelState = 'serving';
  private readonly releasedSignal: Promise<void>;
  private markReleased!: () => void;

  constructor(parts: LoadedModelParts) {
    this.model = parts.model;
    this.version = parts.version;
    this.signature = parts.signature;
    this.limits = parts.limits;
    this.executor = parts.executor;
    this.metrics = parts.metrics;
    this.session = parts.session;
    this.onReleaseError = parts.onReleaseError ?? (() => undefined);
    this.releasedSignal = new Promise((resolve) => {
      this.markReleased = resolve;
    });
  }

  get state(): LoadedModelState {
    return this.currentState;
  }

  /** Requests holding a lease right now. */
  get inFlight(): number {
    return this.leases;
  }

  /** Takes a lease if the model still serves; each successful call needs one `release()`. */
  tryAcquire(): boolean {
    if (this.currentState !== 'serving') return false;
    this.leases++;
    return true;
  }

  release(): void {
    this.leases--;
    if (this.leases === 0 && this.currentState === 'draining') void this.dispose();
  }

  /** Stops new leases; resolves once the last one has ended and the session is released. */
  retire(): Promise<void> {
    if (this.currentState === 'serving') {
      this.currentState = 'draining';
      if (this.leases === 0) void this.dispose();
    }
    return this.releasedSignal;
  }

  /** Resolves when the session has been released. */
  whenReleased(): Promise<void> {
    return this.releasedSignal;
  }

  private async dispose(): Promise<void> {
    try {
      await this.executor.drain();
      await this.session.release();
    } catch (error) {
      this.onReleaseError(error);
    } finally {
      this.currentState = 'released';
      this.markReleased();
    }
  }
}
