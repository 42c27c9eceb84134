import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { aborted, authorize, failedPrecondition, invalidArgument, notFound, type HandlerContext, type Permission, type ServiceImpl } from '@mlops/grpc';
import { CanaryAction, CanaryDecisionSchema, DeploymentEventSchema, type DeploymentEvent } from '@mlops/proto/mlops/events/v1/events_pb';
import {
  CanaryState as CanaryStateEnum,
  CanaryStatusSchema,
  type CanaryStatus,
  type PredictRequest,
  type RouterService,
} from '@mlops/proto/mlops/router/v1/router_pb';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { PredictResponseSchema } from '@mlops/proto/mlops/router/v1/router_pb';
import type { Kysely } from 'kysely';
import { CANARY_ACTIONS } from '../canary/actions.js';
import type { CanaryController } from '../canary/controller.js';
import { validateCanaryPolicy, type CanaryPolicy } from '../canary/policy.js';
import { candidateWeight } from '../canary/state-machine.js';
import { latestCanary, listDecisions, type StoredCanary, type StoredDecision } from '../canary/store.js';
import { deploymentToMessage } from '../deployments/codec.js';
import type { DeploymentCache } from '../deployments/deployment-cache.js';
import { loadDeployment, saveDeployment } from '../deployments/store.js';
import { validateDeployment } from '../deployments/validate.js';
import { toInvalidArgument } from '../domain/field-error.js';
import { MODEL_NAME, MODEL_NAME_EXPECTED } from '../domain/names.js';
import type { ModelCatalog } from '../predict/model-catalog.js';
import type { PredictItem, PredictionResult, Predictor } from '../predict/predictor.js';
import type { RouterTables } from '../storage/schema.js';
import { buildExperimentReport } from './experiment-report.js';

export const ROUTER_PERMISSIONS: Partial<Record<keyof typeof RouterService.method, Permission>> = {
  predict: 'read',
  predictBatch: 'read',
  getDeployment: 'read',
  getCanaryStatus: 'read',
  getExperimentReport: 'read',
  setDeployment: 'deploy',
  startCanary: 'deploy',
  rollbackCanary: 'deploy',
};

export const MAX_BATCH = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RouterApiDeps {
  readonly db: Kysely<RouterTables>;
  readonly predictor: Predictor;
  readonly cache: DeploymentCache;
  readonly catalog: ModelCatalog;
  readonly canaries: CanaryController;
  readonly publishDeployment: (model: string, event: DeploymentEvent, msgId: string) => Promise<void>;
}

const actorOf = (ctx: HandlerContext) => (ctx.principal.kind === 'token' ? ctx.principal.name : 'anonymous');

const checkModel = (model: string, field = 'model') => {
  if (!MODEL_NAME.test(model)) throw invalidArgument(field, MODEL_NAME_EXPECTED, model);
};

function toItem(req: PredictRequest, field: string): PredictItem {
  if (req.entityKey === '' && Object.keys(req.features).length === 0) {
    throw invalidArgument(`${field}entity_key`, 'an entity key (or every feature inline)');
  }
  return { entityKey: req.entityKey, requestKey: req.requestKey !== '' ? req.requestKey : req.entityKey, overrides: req.features };
}

const toResponse = (r: PredictionResult): MessageInitShape<typeof PredictResponseSchema> => ({
  predictionId: r.predictionId,
  model: r.model,
  version: r.version,
  variant: r.variant,
  outputs: r.outputs,
  traceId: r.traceId,
});

const PHASES: Record<StoredCanary['phase'], CanaryStateEnum> = {
  progressing: CanaryStateEnum.PROGRESSING,
  paused: CanaryStateEnum.PAUSED,
  promoted: CanaryStateEnum.PROMOTED,
  rolled_back: CanaryStateEnum.ROLLED_BACK,
};


const durationOf = (ms: number) => ({ seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });

const policyMessage = (p: CanaryPolicy) => ({
  steps: [...p.steps],
  stepDuration: durationOf(p.stepDurationMs),
  minSamples: BigInt(p.minSamples),
  maxErrorRate: p.maxErrorRate,
  maxP99LatencyMs: p.maxP99LatencyMs,
  maxDivergence: p.maxDivergence,
  minAccuracy: p.minAccuracy,
  promoteAlias: p.promoteAlias,
  minLabels: BigInt(p.minLabels),
});

export function canaryStatusMessage(canary: StoredCanary, decisions: readonly StoredDecision[]): CanaryStatus {
  return create(CanaryStatusSchema, {
    model: canary.model,
    stableVersion: canary.stableVersion,
    candidateVersion: canary.candidateVersion,
    state: PHASES[canary.phase],
    step: canary.step,
    candidateWeight: candidateWeight(canary),
    policy: policyMessage(canary.policy),
    decisions: decisions.map((d) =>
      create(CanaryDecisionSchema, {
        model: d.model,
        candidateVersion: canary.candidateVersion,
        stableVersion: canary.stableVersion,
        action: CANARY_ACTIONS[d.action] ?? CanaryAction.UNSPECIFIED,
        step: d.step,
        candidateWeight: d.candidateWeight,
        reason: d.reason,
        figures: d.figures,
        at: timestampFromDate(d.at),
      }),
    ),
    startedAt: timestampFromDate(canary.startedAt),
    stepStartedAt: timestampFromDate(canary.stepStartedAt),
  });
}

export function routerHandlers(deps: RouterApiDeps): ServiceImpl<typeof RouterService> {
  const forceAllowed = (ctx: HandlerContext, variant: string) => {
    if (variant === '') return;
    // Forcing a variant bypasses the experiment: only deployers may (anonymous when auth is off).
    const denied = authorize(ctx.principal, 'deploy', 'force_variant');
    if (denied) throw denied;
  };

  const statusOf = async (model: string) => {
    const canary = await latestCanary(deps.db, model);
    if (!canary) throw notFound(`model ${JSON.stringify(model)} has never had a canary`);
    return canaryStatusMessage(canary, await listDecisions(deps.db, canary.id));
  };

  return {
    async predict(req, ctx) {
      checkModel(req.model);
      forceAllowed(ctx, req.forceVariant);
      const [result] = await deps.predictor.predict(req.model, [toItem(req, '')], { forceVariant: req.forceVariant, signal: ctx.signal });
      return toResponse(result!);
    },

    async predictBatch(req, ctx) {
      checkModel(req.model);
      if (req.requests.length === 0) throw invalidArgument('requests', 'at least one request');
      if (req.requests.length > MAX_BATCH) throw invalidArgument('requests', `at most ${MAX_BATCH} requests`, req.requests.length);
      const force = req.requests[0]!.forceVariant;
      const items = req.requests.map((r, i) => {
        if (r.model !== '' && r.model !== req.model) throw invalidArgument(`requests[${i}].model`, `empty or ${JSON.stringify(req.model)}`, r.model);
        if (r.forceVariant !== force) throw invalidArgument(`requests[${i}].force_variant`, 'the same force_variant on every request of a batch', r.forceVariant);
        return toItem(r, `requests[${i}].`);
      });
      forceAllowed(ctx, force);
      const results = await deps.predictor.predict(req.model, items, { forceVariant: force, signal: ctx.signal });
      return { responses: results.map(toResponse) };
    },

    async getDeployment(req) {
      checkModel(req.model);
      const deployment = await loadDeployment(deps.db, req.model);
      if (!deployment) throw notFound(`model ${JSON.stringify(req.model)} has no deployment (it is served from its production alias)`);
      return { deployment: deploymentToMessage(deployment) };
    },

    async setDeployment(req, ctx) {
      const spec = validateDeployment(req.deployment);
      if (!spec.ok) throw toInvalidArgument(spec.error);
      if (req.expectedRevision < 0n) throw invalidArgument('expected_revision', 'a revision of at least 0', req.expectedRevision);
      const active = deps.cache.activeCanary(spec.value.model);
      if (active) {
        throw failedPrecondition(`model ${JSON.stringify(spec.value.model)} has a canary of version ${active.candidateVersion} running; it owns the weights until it ends (RollbackCanary to stop it)`);
      }
      // Every version must be servable (exists, signature fits its features) before traffic moves to it.
      await Promise.all([...spec.value.variants, ...spec.value.shadows].map((v) => deps.catalog.version(spec.value.model, v.version)));
      const saved = await saveDeployment(deps.db, spec.value, { kind: 'expect_revision', revision: Number(req.expectedRevision) }, { actor: actorOf(ctx), reason: req.reason, now: new Date() });
      if (!saved.ok) {
        throw aborted(`deployment of ${JSON.stringify(spec.value.model)} is at revision ${saved.error.current}, the change was based on ${saved.error.expected}; reload it and retry`);
      }
      await deps.cache.reload(spec.value.model);
      await deps.publishDeployment(
        spec.value.model,
        create(DeploymentEventSchema, { kind: { case: 'changed', value: { model: spec.value.model, revision: BigInt(saved.value.revision), actor: actorOf(ctx), reason: req.reason } } }),
        `deployment.${spec.value.model}.${saved.value.revision}`,
      );
      return { deployment: deploymentToMessage(saved.value) };
    },

    async startCanary(req, ctx) {
      checkModel(req.model);
      if (req.candidateVersion <= 0n) throw invalidArgument('candidate_version', 'a registry version number above 0', req.candidateVersion);
      const policy = validateCanaryPolicy(req.policy);
      if (!policy.ok) throw toInvalidArgument(policy.error);
      const canary = await deps.canaries.start(req.model, req.candidateVersion, policy.value, { actor: actorOf(ctx), reason: req.reason });
      return { status: await statusOf(canary.model) };
    },

    async getCanaryStatus(req) {
      checkModel(req.model);
      return { status: await statusOf(req.model) };
    },

    async rollbackCanary(req, ctx) {
      checkModel(req.model);
      await deps.canaries.rollback(req.model, { actor: actorOf(ctx), reason: req.reason });
      return { status: await statusOf(req.model) };
    },

    async getExperimentReport(req) {
      checkModel(req.model);
      const end = req.end ? timestampDate(req.end) : new Date();
      const start = req.start ? timestampDate(req.start) : new Date(end.getTime() - DAY_MS);
      if (start >= end) throw invalidArgument('start', 'a time before end');
      return buildExperimentReport(deps.db, req.model, start, end, deps.cache.get(req.model));
    },
  };
}
