import type { Kysely } from 'kysely';
import type { RouterTables } from '../storage/schema.js';
import type { Deployment } from './deployment.js';
import { loadAllDeployments, loadDeployment } from './store.js';

/** The variant names a canary uses in its model's deployment. */
export const STABLE_VARIANT = 'stable';
export const CANARY_VARIANT = 'canary';

/** What Predict needs to know about a running canary: whom to mirror for divergence. */
export interface ActiveCanary {
  readonly model: string;
  readonly stableVersion: bigint;
  readonly candidateVersion: bigint;
}

/**
 * Every replica's in-memory copy of the deployments (Predict never queries the database). Kept
 * current by DeploymentChanged events on mlops.deployments.<model> and, as a safety net for a
 * missed event, a periodic full reload.
 */
export interface DeploymentCache {
  get(model: string): Deployment | undefined;
  activeCanary(model: string): ActiveCanary | undefined;
  /** Reloads one model; an older revision than the one held is ignored. */
  reload(model: string): Promise<void>;
  reloadAll(): Promise<void>;
}

export function createDeploymentCache(db: Kysely<RouterTables>): DeploymentCache {
  let deployments = new Map<string, Deployment>();
  let canaries = new Map<string, ActiveCanary>();

  const activeCanaries = async (model?: string) => {
    let query = db.selectFrom('canaries').select(['model', 'stable_version', 'candidate_version']).where('phase', 'in', ['progressing', 'paused']);
    if (model !== undefined) query = query.where('model', '=', model);
    const rows = await query.execute();
    return rows.map((r) => ({ model: r.model, stableVersion: BigInt(r.stable_version), candidateVersion: BigInt(r.candidate_version) }));
  };

  return {
    get: (model) => deployments.get(model),
    activeCanary: (model) => canaries.get(model),
    async reload(model) {
      const [deployment, active] = await Promise.all([loadDeployment(db, model), activeCanaries(model)]);
      const held = deployments.get(model);
      if (deployment && (!held || deployment.revision >= held.revision)) deployments.set(model, deployment);
      if (!deployment) deployments.delete(model);
      const canary = active[0];
      if (canary) canaries.set(model, canary);
      else canaries.delete(model);
    },
    async reloadAll() {
      const [all, active] = await Promise.all([loadAllDeployments(db), activeCanaries()]);
      deployments = new Map(all.map((d) => [d.model, d]));
      canaries = new Map(active.map((c) => [c.model, c]));
    },
  };
}
