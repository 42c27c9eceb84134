import type { Result } from '../util/result.js';

/** Why a source could not answer: the model or version does not exist, or the source is down. */
export type SourceError =
  | { readonly kind: 'not_found'; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

/** Where model versions come from (the registry in production; memory in tests). Versions are decimal strings. */
export interface ModelSource {
  /** The version an alias ("production") of a model points to. */
  resolveAlias(model: string, alias: string): Promise<Result<string, SourceError>>;
  /** The ONNX bytes of one version (checked against the source's digest where it has one). */
  fetchArtifact(model: string, version: string): Promise<Result<Uint8Array, SourceError>>;
}
