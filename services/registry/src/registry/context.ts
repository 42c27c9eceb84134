import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ArtifactStore } from '../artifacts/index.js';
import type { ArtifactInspector } from '../signature/index.js';
import type { RegistryTables } from '../storage/schema.js';

export type RegistryDb = Kysely<RegistryTables>;

/** Who asks: recorded as the actor of every audit record and event. */
export interface Caller {
  readonly actor: string;
}

export interface RegistryLimits {
  /** Largest artifact accepted, in bytes (2 GiB: the protobuf limit of a single-file ONNX model). */
  readonly maxArtifactBytes: number;
}

export const DEFAULT_LIMITS: RegistryLimits = { maxArtifactBytes: 2 * 1024 ** 3 };

/** What the registry's operations work with. */
export interface RegistryContext {
  readonly db: RegistryDb;
  readonly artifacts: ArtifactStore;
  readonly inspect: ArtifactInspector;
  readonly limits: RegistryLimits;
  /** Called after a transaction that queued events committed, so they are published right away. */
  readonly eventsCommitted: () => void;
  readonly logger?: Logger;
}
