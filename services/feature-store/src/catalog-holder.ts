import type { Catalog, FeatureViewDef } from './domain/definitions.js';
import { emptyCatalog } from './domain/definitions.js';
import { selectFeatures, type FeatureSelection, type SelectionError, type SelectionRequest } from './domain/feature-selection.js';
import type { Result } from './domain/result.js';

export interface CatalogHolderOptions {
  readonly load: () => Promise<Catalog>;
  /** A lookup miss reloads from the database at most this often (another replica may have applied). */
  readonly minReloadIntervalMs?: number;
}

const MAX_MEMOIZED_SELECTIONS = 10_000;

/**
 * The definitions in memory. PostgreSQL is the source of truth: replicas reload on a lookup
 * miss (rate-limited), periodically, and at once after their own applies. Resolved feature
 * selections are memoised per catalog, since online reads repeat the same refs constantly.
 */
export class CatalogHolder {
  private catalog: Catalog = emptyCatalog();
  private loadedAt = 0;
  private reloading: Promise<Catalog> | undefined;
  private readonly selections = new Map<string, Result<FeatureSelection, SelectionError>>();
  /**
   * The last successful request and its selection: callers repeat the same refs call after
   * call, and comparing them one by one is cheaper than joining them into the memo key.
   */
  private last: { readonly refs: readonly string[]; readonly service: string; readonly selection: Result<FeatureSelection, SelectionError> } | undefined;

  constructor(private readonly opts: CatalogHolderOptions) {}

  get current(): Catalog {
    return this.catalog;
  }

  /** Loads from the database; concurrent callers share one load. */
  reload(): Promise<Catalog> {
    this.reloading ??= this.opts
      .load()
      .then((catalog) => {
        this.replace(catalog);
        return catalog;
      })
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }

  replace(catalog: Catalog): void {
    this.catalog = catalog;
    this.loadedAt = Date.now();
    this.selections.clear();
    this.last = undefined;
  }

  /** True when a miss may be answered by reloading (the last load is old enough). */
  private mayReload(): boolean {
    return Date.now() - this.loadedAt >= (this.opts.minReloadIntervalMs ?? 1_000);
  }

  /** Reloads if allowed; returns whether the catalog may have changed. */
  async reloadIfStale(): Promise<boolean> {
    if (!this.mayReload()) return false;
    await this.reload();
    return true;
  }

  async view(name: string): Promise<FeatureViewDef | undefined> {
    const found = this.catalog.views.get(name);
    if (found || !(await this.reloadIfStale())) return found;
    return this.catalog.views.get(name);
  }

  /** Resolves (memoised) the features a read asks for; an unknown name triggers one reload. */
  async select(req: SelectionRequest): Promise<Result<FeatureSelection, SelectionError>> {
    const last = this.last;
    if (last && last.service === req.featureService && sameRefs(last.refs, req.featureRefs)) return last.selection;
    const key = req.featureService !== '' && req.featureRefs.length === 0 ? `s\u0000${req.featureService}` : `r\u0000${req.featureRefs.join('\u0000')}\u0000${req.featureService}`;
    const memo = this.selections.get(key);
    if (memo?.ok) {
      this.last = { refs: [...req.featureRefs], service: req.featureService, selection: memo };
      return memo;
    }
    let result = selectFeatures(this.catalog, req);
    if (!result.ok && (await this.reloadIfStale())) result = selectFeatures(this.catalog, req);
    if (this.selections.size >= MAX_MEMOIZED_SELECTIONS) this.selections.clear();
    if (result.ok) {
      this.selections.set(key, result);
      this.last = { refs: [...req.featureRefs], service: req.featureService, selection: result };
    }
    return result;
  }
}

function sameRefs(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
