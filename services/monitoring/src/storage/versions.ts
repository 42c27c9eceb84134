/**
 * Per model version: the binning each numeric column's panes use, fixed the first time any
 * replica sees the version (so every pane of the version merges), and the training metrics.
 * The binning comes from the reference when there is one (stored, or the registry's profile,
 * which is then stored as the reference), otherwise the universal logarithmic grid.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Reference } from '../drift/reference.js';
import { binningsOf, referenceFromProfile } from '../reference/build.js';
import type { RegistryLookup } from '../registry/lookup.js';
import { UNIVERSAL_BINNING, type Binning } from '../windows/binning.js';
import type { BinningCache } from './binnings.js';
import { loadReference, saveReference } from './references.js';
import type { MonitoringTables } from './schema.js';

export interface VersionInfo {
  readonly binnings: ReadonlyMap<string, Binning>;
  readonly trainingMetrics: Readonly<Record<string, number>>;
  binningOf(column: string): Binning;
}

const key = (model: string, version: bigint): string => `${model}\u0000${version}`;

export class VersionCatalog {
  private readonly cache = new Map<string, Promise<VersionInfo>>();

  constructor(
    private readonly db: Kysely<MonitoringTables>,
    private readonly binnings: BinningCache,
    private readonly registry: RegistryLookup,
    private readonly logger?: Logger,
  ) {}

  get(model: string, version: bigint): Promise<VersionInfo> {
    const k = key(model, version);
    let p = this.cache.get(k);
    if (!p) {
      p = this.load(model, version);
      this.cache.set(k, p);
      // A failure (database down) must not be cached forever.
      p.catch(() => this.cache.delete(k));
    }
    return p;
  }

  /** The stored reference, else the registry's profile (stored as the reference on the way). */
  async reference(model: string, version: bigint): Promise<Reference | undefined> {
    const stored = await loadReference(this.db, this.binnings, model, version);
    if (stored) return stored;
    const found = await this.registry(model, version);
    if (!found.ok || !found.value.profile || found.value.profile.features.length === 0) return undefined;
    const ref = referenceFromProfile(found.value.profile);
    await saveReference(this.db, this.binnings, model, version, ref);
    return ref;
  }

  private async load(model: string, version: bigint): Promise<VersionInfo> {
    const existing = await this.read(model, version);
    if (existing) return existing;
    let trainingMetrics: Record<string, number> = {};
    const lineage = await this.registry(model, version);
    if (lineage.ok) trainingMetrics = { ...lineage.value.trainingMetrics };
    else if (lineage.error === 'unavailable') this.logger?.warn({ model, version: version.toString(), detail: lineage.detail }, 'registry unavailable; version gets the universal binning');
    const reference = await this.reference(model, version).catch(() => undefined);
    const chosen = reference ? binningsOf(reference) : new Map<string, Binning>();
    for (const b of chosen.values()) await this.binnings.save(b);
    await this.db
      .insertInto('versions')
      .values({
        model,
        version: version.toString(),
        binnings: JSON.stringify(Object.fromEntries([...chosen].map(([c, b]) => [c, b.id]))),
        training_metrics: JSON.stringify(trainingMetrics),
      })
      .onConflict((oc) => oc.columns(['model', 'version']).doNothing())
      .execute();
    // Another replica may have won the insert: its choice is the one every pane uses.
    return (await this.read(model, version))!;
  }

  private async read(model: string, version: bigint): Promise<VersionInfo | undefined> {
    const row = await this.db.selectFrom('versions').selectAll().where('model', '=', model).where('version', '=', version.toString()).executeTakeFirst();
    if (!row) return undefined;
    await this.binnings.ensure(Object.values(row.binnings));
    const binnings = new Map(Object.entries(row.binnings).map(([c, id]) => [c, this.binnings.resolve(id)]));
    return { binnings, trainingMetrics: row.training_metrics, binningOf: (c) => binnings.get(c) ?? UNIVERSAL_BINNING };
  }
}
