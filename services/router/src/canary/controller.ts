import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { isUniqueViolation } from '@mlops/db';
import { alreadyExists, failedPrecondition, notFound, type Client } from '@mlops/grpc';
import { CanaryAction, DeploymentEventSchema, type DeploymentEvent } from '@mlops/proto/mlops/events/v1/events_pb';
import type { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { CANARY_VARIANT, STABLE_VARIANT, type DeploymentCache } from '../deployments/deployment-cache.js';
import type { Deployment, DeploymentSpec } from '../deployments/deployment.js';
import { loadDeployment, saveDeployment } from '../deployments/store.js';
import type { RouterMetrics } from '../metrics.js';
import { canaryFigures } from '../outcomes/queries.js';
import type { ModelCatalog } from '../predict/model-catalog.js';
import { upstreamError } from '../predict/upstream-errors.js';
import type { RouterTables } from '../storage/schema.js';
import { CANARY_ACTIONS } from './actions.js';
import type { CanaryPolicy } from './policy.js';
import { candidateWeight, decide, type CanaryDecision, type CanaryState } from './state-machine.js';
import { activeCanaryModels, insertCanary, insertDecision, lastDecision, lockActiveCanary, updateCanary, type StoredCanary, type StoredDecision } from './store.js';

export const deploymentsSubject = (model: string) => `mlops.deployments.${model}`;


export interface CanaryControllerDeps {
  readonly db: Kysely<RouterTables>;
  readonly cache: DeploymentCache;
  readonly catalog: ModelCatalog;
  readonly registry: Client<typeof RegistryService>;
  /** Publishes on mlops.deployments.<model>; a failure is logged (replicas also reload periodically). */
  readonly publish: (model: string, event: DeploymentEvent, msgId: string) => Promise<void>;
  /** Stores the outcomes this replica still holds, so a judgement sees them. */
  readonly flushOutcomes: () => Promise<void>;
  readonly metrics: RouterMetrics;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export interface CanaryController {
  start(model: string, candidateVersion: bigint, policy: CanaryPolicy, audit: { actor: string; reason: string }): Promise<StoredCanary>;
  /** Judges one model's active canary now (timer, alerts). Returns the decision taken, if any. */
  evaluate(model: string): Promise<CanaryDecision['action'] | undefined>;
  /** Judges every active canary. */
  tick(): Promise<void>;
  rollback(model: string, audit: { actor: string; reason: string }): Promise<StoredCanary>;
}

/** The two-variant deployment of a canary at a candidate weight (percent). */
function canaryDeployment(base: DeploymentSpec, state: CanaryState, weight: number): DeploymentSpec {
  return {
    ...base,
    variants: [
      { name: STABLE_VARIANT, version: state.stableVersion, weight: 100 - weight },
      { name: CANARY_VARIANT, version: state.candidateVersion, weight },
    ].filter((v) => v.weight > 0 || v.name === CANARY_VARIANT),
  };
}

export function createCanaryController(deps: CanaryControllerDeps): CanaryController {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;

  async function announce(model: string, deployment: Deployment | undefined, decision: StoredDecision, state: CanaryState, actor: string): Promise<void> {
    await deps.cache.reload(model).catch((e: unknown) => log?.warn({ err: e, model }, 'could not reload deployment after a canary decision'));
    const events: { event: DeploymentEvent; msgId: string }[] = [];
    if (deployment) {
      events.push({
        event: create(DeploymentEventSchema, { kind: { case: 'changed', value: { model, revision: BigInt(deployment.revision), actor, reason: decision.reason } } }),
        msgId: `deployment.${model}.${deployment.revision}`,
      });
    }
    events.push({
      event: create(DeploymentEventSchema, {
        kind: {
          case: 'decision',
          value: {
            model,
            candidateVersion: state.candidateVersion,
            stableVersion: state.stableVersion,
            action: CANARY_ACTIONS[decision.action] ?? CanaryAction.UNSPECIFIED,
            step: decision.step,
            candidateWeight: decision.candidateWeight,
            reason: decision.reason,
            figures: decision.figures,
            at: timestampFromDate(decision.at),
          },
        },
      }),
      msgId: `canary-decision.${decision.id}`,
    });
    for (const { event, msgId } of events) {
      await deps.publish(model, event, msgId).catch((e: unknown) => log?.warn({ err: e, model, msgId }, 'could not publish a deployment event'));
    }
    deps.metrics.canaryDecision(model, decision.action);
    log?.info({ model, action: decision.action, reason: decision.reason, figures: decision.figures }, 'canary decision');
  }

  /** Applies a decision inside the transaction holding the canary's lock. */
  async function apply(tx: Transaction<RouterTables>, canary: StoredCanary, decision: Exclude<CanaryDecision, { action: 'wait' }>, actor: string) {
    const at = now();
    let next = decision.next;
    let reason = decision.reason;
    let action: string = decision.action;
    let deployment: Deployment | undefined;
    const current = await loadDeployment(tx, canary.model);
    const base: DeploymentSpec = current ?? { model: canary.model, variants: [], shadows: [], missingFeatures: { kind: 'reject' } };

    if (decision.action === 'promote') {
      try {
        await deps.registry.setAlias({ model: canary.model, alias: canary.policy.promoteAlias, version: canary.candidateVersion, reason: `canary promoted: ${decision.reason}` });
      } catch (e) {
        // The alias did not move, so neither does traffic: hold and try again on the next tick.
        action = 'hold';
        next = canary;
        reason = `promotion failed, will retry: ${upstreamError('registry', e, 'moving the alias').message}`;
      }
    }
    if (action === 'promote') {
      const saved = await saveDeployment(tx, { ...base, variants: [{ name: STABLE_VARIANT, version: canary.candidateVersion, weight: 100 }] }, { kind: 'unconditional' }, { actor, reason, now: at });
      deployment = saved.ok ? saved.value : undefined;
    } else if (action === 'advance' || action === 'rollback') {
      const saved = await saveDeployment(tx, canaryDeployment(base, next, candidateWeight(next)), { kind: 'unconditional' }, { actor, reason, now: at });
      deployment = saved.ok ? saved.value : undefined;
    }
    await updateCanary(tx, canary.id, next, at);
    const stored = await insertDecision(tx, {
      canaryId: canary.id,
      model: canary.model,
      action,
      step: next.step,
      candidateWeight: candidateWeight(next),
      reason,
      figures: decision.figures,
      at,
    });
    return { deployment, decision: stored, state: next };
  }

  async function evaluate(model: string): Promise<CanaryDecision['action'] | undefined> {
    await deps.flushOutcomes().catch((e: unknown) => log?.warn({ err: e }, 'could not flush outcomes before judging a canary'));
    const applied = await deps.db.transaction().execute(async (tx) => {
      const canary = await lockActiveCanary(tx, model);
      if (!canary) return undefined;
      const figures = await canaryFigures(tx, {
        model,
        candidateVariant: CANARY_VARIANT,
        candidateVersion: canary.candidateVersion,
        stableVersion: canary.stableVersion,
        since: canary.stepStartedAt,
      });
      const decision = decide(canary, figures, now());
      if (decision.action === 'wait') return undefined;
      if (decision.action === 'hold') {
        // A hold repeats every tick while waiting; record it only when its reason changes.
        const last = await lastDecision(tx, canary.id);
        if (last?.action === 'hold' && last.reason.split(':')[0] === decision.reason.split(':')[0]) return undefined;
      }
      return apply(tx, canary, decision, 'canary-controller');
    });
    if (!applied) return undefined;
    await announce(model, applied.deployment, applied.decision, applied.state, 'canary-controller');
    return applied.decision.action as CanaryDecision['action'];
  }

  return {
    async start(model, candidateVersion, policy, audit) {
      const current = deps.cache.get(model) ?? (await loadDeployment(deps.db, model));
      let stableVersion: bigint;
      if (current) {
        const live = current.variants.filter((v) => v.weight > 0);
        if (live.length !== 1) {
          throw failedPrecondition(`model ${JSON.stringify(model)}: a canary starts from a deployment with one live variant, this one has ${live.length} (${live.map((v) => v.name).join(', ')})`);
        }
        stableVersion = live[0]!.version;
      } else {
        stableVersion = await deps.catalog.resolveAlias(model, policy.promoteAlias);
      }
      if (stableVersion === candidateVersion) throw failedPrecondition(`model ${JSON.stringify(model)}: version ${candidateVersion} is already the stable version`);
      // Both must be servable before any traffic moves.
      await deps.catalog.version(model, candidateVersion);
      await deps.catalog.version(model, stableVersion);

      const at = now();
      const state: CanaryState = { model, stableVersion, candidateVersion, phase: 'progressing', step: 0, startedAt: at, stepStartedAt: at, policy };
      const base: DeploymentSpec = current ?? { model, variants: [], shadows: [], missingFeatures: { kind: 'reject' } };
      let result;
      try {
        result = await deps.db.transaction().execute(async (tx) => {
          const canary = await insertCanary(tx, state);
          const reason = `canary of version ${candidateVersion} against ${stableVersion} started${audit.reason ? `: ${audit.reason}` : ''}`;
          const saved = await saveDeployment(tx, canaryDeployment(base, state, candidateWeight(state)), { kind: 'unconditional' }, { actor: audit.actor, reason, now: at });
          const decision = await insertDecision(tx, { canaryId: canary.id, model, action: 'start', step: 0, candidateWeight: candidateWeight(state), reason, figures: {}, at });
          return { canary, deployment: saved.ok ? saved.value : undefined, decision };
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw alreadyExists(`model ${JSON.stringify(model)} already has a canary running; roll it back or let it finish first`);
        throw e;
      }
      await announce(model, result.deployment, result.decision, state, audit.actor);
      return result.canary;
    },

    evaluate,

    async tick() {
      const models = await activeCanaryModels(deps.db);
      for (const model of models) {
        await evaluate(model).catch((e: unknown) => log?.error({ err: e, model }, 'canary evaluation failed'));
      }
    },

    async rollback(model, audit) {
      const applied = await deps.db.transaction().execute(async (tx) => {
        const canary = await lockActiveCanary(tx, model);
        if (!canary) return undefined;
        const decision: CanaryDecision = {
          action: 'rollback',
          reason: `rolled back by ${audit.actor}${audit.reason ? `: ${audit.reason}` : ''}`,
          figures: {},
          next: { ...canary, phase: 'rolled_back' },
        };
        const result = await apply(tx, canary, decision, audit.actor);
        return { ...result, canary: { ...canary, ...result.state } };
      });
      if (!applied) throw notFound(`model ${JSON.stringify(model)} has no canary running (or another replica is deciding it right now)`);
      await announce(model, applied.deployment, applied.decision, applied.state, audit.actor);
      return applied.canary;
    },
  };
}
