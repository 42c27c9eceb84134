import type { Logger } from '@mlops/telemetry';
import type { InferenceMetrics } from '../metrics/inference-metrics.js';
import { err, ok, type Result } from '../util/result.js';
import { batchedExecutor, directExecutor, type Executor } from './executor.js';
import { LoadedModel } from './loaded-model.js';
import type { ModelSource } from './model-source.js';
import { openSession } from './onnx-session.js';
import type { ModelSettingsLookup } from './settings.js';

/** The states Triton's repository index reports. */
export type ModelState = 'UNAVAILABLE' | 'LOADING' | 'READY' | 'UNLOADING';

export interface IndexEntry {
  readonly name: string;
  readonly version: string;
  readonly state: ModelState;
  readonly reason: string;
}

export type RepositoryError =
  | { readonly kind: 'not_found'; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string }
  | { readonly kind: 'load_failed'; readonly message: string };

/** Reported whenever a version fails to load (the one serving before keeps serving). */
export interface LoadFailure {
  readonly model: string;
  readonly version: string;
  readonly reason: string;
}

export interface ModelRepositoryOptions {
  readonly source: ModelSource;
  readonly settings: ModelSettingsLookup;
  readonly metrics: InferenceMetrics;
  readonly logger: Logger;
  /** The alias whose version serves requests that name no version. Default "production". */
  readonly servingAlias?: string;
  /** Most versions of one model loaded at once, the serving one included. Default 3. */
  readonly maxVersionsPerModel?: number;
  readonly onLoadFailure?: (failure: LoadFailure) => void;
}

/** Everything the repository knows about one model name. */
class ModelEntry {
  /** The version answering requests that name none. */
  serving: LoadedModel | undefined;
  /** Versions loaded because requests named them, least recently used first. */
  readonly pinned = new Map<string, LoadedModel>();
  /** The last failure per version, until that version loads. */
  readonly failures = new Map<string, RepositoryError>();
  /** The version being loaded now, if any. */
  loading: string | undefined;
  /** Explicitly unloaded: requests fail until an explicit load (as in Triton's explicit mode). */
  unloaded = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly name: string) {}

  /** Runs control operations on this model one at a time, in order. */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.chain.then(operation, operation);
    this.chain = next.catch(() => undefined);
    return next;
  }

  find(version: string | undefined): LoadedModel | undefined {
    if (version === undefined || this.serving?.version === version) return this.serving;
    return this.pinned.get(version);
  }

  loaded(): LoadedModel[] {
    return [...(this.serving ? [this.serving] : []), ...this.pinned.values()];
  }
}

/**
 * The loaded models: loads versions on demand from the source, keeps one serving version per
 * model (the serving alias's) plus versions requests asked for by number, and swaps the serving
 * version atomically: the new one is loaded and warmed first, requests already running finish on
 * the old one, which is released when its last request ends. A version that fails to load
 * changes nothing but the failure report.
 */
export class ModelRepository {
  private readonly entries = new Map<string, ModelEntry>();
  private readonly servingAlias: string;
  private readonly maxVersions: number;
  private closed = false;

  constructor(private readonly options: ModelRepositoryOptions) {
    this.servingAlias = options.servingAlias ?? 'production';
    this.maxVersions = Math.max(1, options.maxVersionsPerModel ?? 3);
  }

  /**
   * The hot path: leases the loaded version (the serving one when `version` is undefined), or
   * returns undefined when it is not loaded. The caller must `release()` the lease.
   */
  tryAcquire(model: string, version: string | undefined): LoadedModel | undefined {
    const candidate = this.entries.get(model)?.find(version);
    return candidate !== undefined && candidate.tryAcquire() ? candidate : undefined;
  }

  /** Leases the version, loading it first if needed. */
  async acquire(model: string, version: string | undefined): Promise<Result<LoadedModel, RepositoryError>> {
    for (;;) {
      const leased = this.tryAcquire(model, version);
      if (leased) {
        if (version !== undefined) this.touch(model, leased);
        return ok(leased);
      }
      const loaded =
        version === undefined ? await this.ensureServing(model) : await this.ensurePinned(model, version);
      if (!loaded.ok) return loaded;
      // Loaded now; loop to lease it (it may have been swapped out meanwhile, then we retry).
      if (loaded.value.tryAcquire()) return ok(loaded.value);
    }
  }

  /**
   * Makes `version` (default: what the serving alias points to now) the serving version: loads
   * and warms it, then swaps it in. The explicit form of "the alias moved".
   */
  load(model: string, version?: string): Promise<Result<LoadedModel, RepositoryError>> {
    const entry = this.entry(model);
    return entry.exclusive(async () => {
      entry.unloaded = false;
      let target = version;
      if (target === undefined) {
        const resolved = await this.options.source.resolveAlias(model, this.servingAlias);
        if (!resolved.ok) return resolved;
        target = resolved.value;
      }
      return this.promote(entry, target);
    });
  }

  /**
   * Follows an alias move published by the registry: reloads only models this instance serves
   * (others resolve the alias afresh when first asked for).
   */
  async aliasMoved(
    model: string,
    alias: string,
    version: string,
  ): Promise<Result<LoadedModel | undefined, RepositoryError>> {
    const entry = this.entries.get(model);
    if (alias !== this.servingAlias || entry === undefined || entry.unloaded || this.closed)
      return ok(undefined);
    return entry.exclusive<Result<LoadedModel | undefined, RepositoryError>>(() =>
      entry.unloaded ? Promise.resolve(ok(undefined)) : this.promote(entry, version),
    );
  }

  /** Retires every version of the model; requests fail (UNAVAILABLE) until it is loaded again. */
  unload(model: string): Promise<void> {
    const entry = this.entry(model);
    return entry.exclusive(async () => {
      entry.unloaded = true;
      const retiring = entry.loaded();
      entry.serving = undefined;
      entry.pinned.clear();
      await Promise.all(retiring.map((m) => m.retire()));
      this.options.logger.info({ model, versions: retiring.map((m) => m.version) }, 'model unloaded');
    });
  }

  isReady(model: string, version: string | undefined): boolean {
    return this.entries.get(model)?.find(version)?.state === 'serving';
  }

  /** Loaded versions of a model, serving first. */
  versions(model: string): string[] {
    return (
      this.entries
        .get(model)
        ?.loaded()
        .map((m) => m.version) ?? []
    );
  }

  /** One line per known model version: loaded ones, the one loading, and the last failures. */
  index(): IndexEntry[] {
    const rows: IndexEntry[] = [];
    for (const entry of this.entries.values()) {
      const listed = new Set<string>();
      for (const loaded of entry.loaded()) {
        listed.add(loaded.version);
        rows.push({ name: entry.name, version: loaded.version, state: 'READY', reason: '' });
      }
      if (entry.loading !== undefined && !listed.has(entry.loading)) {
        listed.add(entry.loading);
        rows.push({ name: entry.name, version: entry.loading, state: 'LOADING', reason: '' });
      }
      for (const [version, failure] of entry.failures) {
        if (!listed.has(version))
          rows.push({ name: entry.name, version, state: 'UNAVAILABLE', reason: failure.message });
      }
      if (entry.unloaded && rows.every((r) => r.name !== entry.name)) {
        rows.push({ name: entry.name, version: '', state: 'UNAVAILABLE', reason: 'unloaded' });
      }
    }
    return rows;
  }

  /** Retires every loaded version (after in-flight requests) and refuses further loads. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()].flatMap((e) => {
      const loaded = e.loaded();
      e.serving = undefined;
      e.pinned.clear();
      return loaded;
    });
    await Promise.all(all.map((m) => m.retire()));
  }

  private entry(model: string): ModelEntry {
    let entry = this.entries.get(model);
    if (!entry) this.entries.set(model, (entry = new ModelEntry(model)));
    return entry;
  }

  private unloadedError(model: string): RepositoryError {
    return { kind: 'unavailable', message: `model ${model} is unloaded; load it with RepositoryModelLoad` };
  }

  private ensureServing(model: string): Promise<Result<LoadedModel, RepositoryError>> {
    const entry = this.entry(model);
    if (entry.unloaded) return Promise.resolve(err(this.unloadedError(model)));
    return entry.exclusive(async () => {
      if (entry.serving) return ok(entry.serving);
      if (entry.unloaded) return err(this.unloadedError(model));
      const resolved = await this.options.source.resolveAlias(model, this.servingAlias);
      if (!resolved.ok) {
        this.forgetIfEmpty(entry);
        return resolved;
      }
      const promoted = await this.promote(entry, resolved.value);
      if (!promoted.ok) this.forgetIfEmpty(entry);
      return promoted;
    });
  }

  private ensurePinned(model: string, version: string): Promise<Result<LoadedModel, RepositoryError>> {
    const entry = this.entry(model);
    if (entry.unloaded) return Promise.resolve(err(this.unloadedError(model)));
    return entry.exclusive(async () => {
      const present = entry.find(version);
      if (present) return ok(present);
      if (entry.unloaded) return err(this.unloadedError(model));
      const opened = await this.open(entry, version);
      if (!opened.ok) {
        this.forgetIfEmpty(entry);
        return opened;
      }
      entry.pinned.set(version, opened.value);
      this.evictBeyondLimit(entry);
      return opened;
    });
  }

  /** Within `exclusive`: loads `version` unless loaded, then makes it the serving version. */
  private async promote(entry: ModelEntry, version: string): Promise<Result<LoadedModel, RepositoryError>> {
    if (this.closed) return err({ kind: 'unavailable', message: 'the inference service is shutting down' });
    const previous = entry.serving;
    if (previous?.version === version) return ok(previous);
    let next = entry.pinned.get(version);
    if (next) entry.pinned.delete(version);
    else {
      const opened = await this.open(entry, version);
      if (!opened.ok) return opened;
      next = opened.value;
    }
    // The swap: one assignment, so every request from here on leases the new version while
    // those holding a lease on the previous one finish there.
    entry.serving = next;
    this.evictBeyondLimit(entry);
    if (previous) {
      this.options.metrics.swapped(entry.name);
      this.options.logger.info(
        { model: entry.name, from: previous.version, to: version },
        'serving version swapped',
      );
      void previous
        .retire()
        .then(() =>
          this.options.logger.debug(
            { model: entry.name, version: previous.version },
            'previous version released',
          ),
        );
    } else {
      this.options.logger.info({ model: entry.name, version }, 'model serving');
    }
    return ok(next);
  }

  /** Fetches, loads and warms one version; on failure records why and changes nothing else. */
  private async open(entry: ModelEntry, version: string): Promise<Result<LoadedModel, RepositoryError>> {
    const { source, settings, metrics, logger } = this.options;
    const model = entry.name;
    entry.loading = version;
    try {
      const artifact = await source.fetchArtifact(model, version);
      if (!artifact.ok) {
        if (artifact.error.kind === 'unavailable') return this.failed(entry, version, artifact.error);
        return artifact;
      }
      const modelSettings = settings(model);
      const opened = await openSession(artifact.value, modelSettings.session);
      if (!opened.ok)
        return this.failed(entry, version, {
          kind: 'load_failed',
          message: `${model} version ${version}: ${opened.error}`,
        });
      const { session, signature } = opened.value;
      const versionMetrics = metrics.forVersion(model, version);
      let executor: Executor;
      if (modelSettings.batching.kind === 'dynamic' && signature.batchable) {
        executor = batchedExecutor(session, signature, versionMetrics, modelSettings.batching);
      } else {
        if (modelSettings.batching.kind === 'dynamic') {
          logger.warn(
            { model, version },
            'dynamic batching is configured but the model has no batch dimension first: serving unbatched',
          );
        }
        executor = directExecutor(session, versionMetrics, modelSettings.maxPendingRequests);
      }
      entry.failures.delete(version);
      logger.info(
        { model, version, batching: executor.kind, batchable: signature.batchable },
        'model version loaded and warmed',
      );
      return ok(
        new LoadedModel({
          model,
          version,
          signature,
          limits: { maxElementsPerTensor: modelSettings.maxElementsPerTensor },
          executor,
          metrics: versionMetrics,
          session,
          onReleaseError: (error) =>
            logger.error({ err: error, model, version }, 'releasing an onnxruntime session failed'),
        }),
      );
    } finally {
      entry.loading = undefined;
    }
  }

  private failed(entry: ModelEntry, version: string, error: RepositoryError): Result<never, RepositoryError> {
    entry.failures.set(version, error);
    this.options.metrics.loadFailed(entry.name, version);
    this.options.logger.error(
      { model: entry.name, version, reason: error.message, serving: entry.serving?.version },
      'model version failed to load',
    );
    this.options.onLoadFailure?.({ model: entry.name, version, reason: error.message });
    return err(error);
  }

  /** Keeps the most recently used pinned versions within the per-model limit. */
  private evictBeyondLimit(entry: ModelEntry): void {
    while (entry.pinned.size > 0 && entry.loaded().length > this.maxVersions) {
      const [version, oldest] = entry.pinned.entries().next().value as [string, LoadedModel];
      entry.pinned.delete(version);
      void oldest.retire();
    }
  }

  private touch(model: string, loaded: LoadedModel): void {
    const entry = this.entries.get(model);
    if (entry?.pinned.get(loaded.version) === loaded) {
      entry.pinned.delete(loaded.version);
      entry.pinned.set(loaded.version, loaded);
    }
  }

  /**
   * Names that never loaded leave no entry behind, so unknown names cannot grow the map; a
   * version that exists but would not load stays listed (with why) in the index.
   */
  private forgetIfEmpty(entry: ModelEntry): void {
    const keep =
      entry.serving ||
      entry.pinned.size > 0 ||
      entry.unloaded ||
      [...entry.failures.values()].some((f) => f.kind === 'load_failed');
    if (!keep) this.entries.delete(entry.name);
  }
}
