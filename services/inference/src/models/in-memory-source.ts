import { err, ok, type Result } from '../util/result.js';
import type { ModelSource, SourceError } from './model-source.js';

/** A ModelSource held in memory: for tests, benchmarks and demos without a registry. */
export class InMemoryModelSource implements ModelSource {
  private readonly artifacts = new Map<string, Map<string, Uint8Array>>();
  private readonly aliases = new Map<string, Map<string, string>>();
  private outage: string | undefined;

  /** Adds (or replaces) version `version` of `model`. */
  put(model: string, version: string | number, bytes: Uint8Array): this {
    let versions = this.artifacts.get(model);
    if (!versions) this.artifacts.set(model, (versions = new Map()));
    versions.set(String(version), bytes);
    return this;
  }

  setAlias(model: string, alias: string, version: string | number): this {
    let aliases = this.aliases.get(model);
    if (!aliases) this.aliases.set(model, (aliases = new Map()));
    aliases.set(alias, String(version));
    return this;
  }

  /** Every call fails as UNAVAILABLE with `reason` until `restore()`. */
  breakDown(reason = 'the model source is down'): void {
    this.outage = reason;
  }

  restore(): void {
    this.outage = undefined;
  }

  async resolveAlias(model: string, alias: string): Promise<Result<string, SourceError>> {
    if (this.outage) return err({ kind: 'unavailable', message: this.outage });
    const version = this.aliases.get(model)?.get(alias);
    if (version === undefined) {
      return err({
        kind: 'not_found',
        message: this.artifacts.has(model)
          ? `model ${model} has no ${alias} alias`
          : `model ${model} does not exist`,
      });
    }
    return ok(version);
  }

  async fetchArtifact(model: string, version: string): Promise<Result<Uint8Array, SourceError>> {
    if (this.outage) return err({ kind: 'unavailable', message: this.outage });
    const bytes = this.artifacts.get(model)?.get(version);
    return bytes === undefined
      ? err({ kind: 'not_found', message: `model ${model} has no version ${version}` })
      : ok(bytes);
  }
}
