// The demo's story, stage by stage. Each stage returns a typed outcome that is reported as soon
// as it is known (narration, tests); a stage that fails ends the run with what was done so far.
import { AlertState, Severity } from '@mlops/proto/mlops/events/v1/events_pb';
import { churnRate, FEATURE_VIEW, type ChurnDataset, type FeatureName } from './churn-data.js';
import { generateChurnDataset } from './churn-data.js';
import { runCanary, serveOnly, type CanaryOutcome, type CanaryPolicyInit } from './canary.js';
import { runDrift, type DriftOutcome } from './drift.js';
import { runExperiment, type ExperimentOutcome } from './experiment.js';
import { applyFeatureDefinitions, featureSubject, streamFeatures, waitUntilServed } from './features.js';
import type { PlatformClients } from './platform-clients.js';
import { aliasVersion, moveAlias, registerVersion, trainingProfile, type AliasMove, type RegisteredVersion } from './registration.js';
import { tracedPrediction, type TracedPrediction } from './traced-prediction.js';
import { invertedCandidate, RETRAINED_BOOSTING_OPTIONS, trainBoosted, trainLogistic, type TrainedModel } from './training.js';
import type { Progress } from './waiting.js';

export const PRODUCTION = 'production';

export interface ScenarioOptions {
  /** The registry model (a fresh name when the platform is shared and already has a "churn"). */
  readonly model: string;
  readonly seed?: number;
  /** Canary step length: short for a demo; the router's default is a minute. */
  readonly canaryStepSeconds?: number;
  /** How long a canary or a drift wave may take before the stage gives up. */
  readonly stageTimeoutMs?: number;
  readonly driftFeature?: FeatureName;
}

export interface DataOutcome {
  readonly rows: number;
  readonly trainRows: number;
  readonly liveCustomers: number;
  readonly churnRate: number;
  readonly digest: string;
  readonly uri: string;
}

export interface ModelSummary {
  readonly description: string;
  readonly auc: number;
  readonly accuracy: number;
  readonly trainingMs: number;
  readonly onnxBytes: number;
}

export interface TrainingOutcome {
  readonly logistic: ModelSummary;
  readonly boosted: ModelSummary;
}

export interface RegistrationOutcome {
  readonly model: string;
  readonly versions: readonly RegisteredVersion[];
  readonly featureRefs: number;
}

export interface ProductionOutcome {
  readonly refused: AliasMove;
  readonly moved: AliasMove;
}

export interface FeaturesOutcome {
  readonly changes: readonly string[];
  readonly subject: string;
  readonly customers: number;
  readonly messages: number;
  readonly servedAfterMs: number;
}

export interface ExperimentStageOutcome {
  readonly shadowVersion: RegisteredVersion;
  readonly experiment: ExperimentOutcome;
  /** The experiment's leader moved to production, gated on not being worse than production. */
  readonly promotion: AliasMove;
}

export interface BadCandidateOutcome {
  readonly candidate: RegisteredVersion;
  readonly canary: CanaryOutcome;
}

export interface AlertSummary {
  readonly rule: string;
  readonly version: bigint;
  readonly severity: string;
  readonly state: string;
  readonly summary: string;
}

export interface SummaryOutcome {
  readonly traced: TracedPrediction;
  readonly production: bigint | undefined;
  readonly alerts: readonly AlertSummary[];
  readonly auditRecords: number;
}

/** Every stage's outcome, in order; the union names which one a report carries. */
export type StageReport =
  | { readonly stage: 'data'; readonly outcome: DataOutcome }
  | { readonly stage: 'training'; readonly outcome: TrainingOutcome }
  | { readonly stage: 'registration'; readonly outcome: RegistrationOutcome }
  | { readonly stage: 'production'; readonly outcome: ProductionOutcome }
  | { readonly stage: 'features'; readonly outcome: FeaturesOutcome }
  | { readonly stage: 'experiment'; readonly outcome: ExperimentStageOutcome }
  | { readonly stage: 'canary'; readonly outcome: CanaryOutcome }
  | { readonly stage: 'bad-candidate'; readonly outcome: BadCandidateOutcome }
  | { readonly stage: 'drift'; readonly outcome: DriftOutcome }
  | { readonly stage: 'summary'; readonly outcome: SummaryOutcome };

export type StageName = StageReport['stage'];
export type ScenarioOutcome = { readonly [R in StageReport as R['stage']]: R['outcome'] };

export type ScenarioResult =
  | { readonly ok: true; readonly value: ScenarioOutcome }
  | { readonly ok: false; readonly stage: StageName; readonly error: Error; readonly completed: Partial<ScenarioOutcome> };

export interface ScenarioHooks {
  /** Called when a stage begins, with its title. */
  readonly onStageStart?: (stage: StageName, title: string) => void;
  readonly onStage?: (report: StageReport) => void;
  /** Live progress inside a stage. */
  readonly progress?: Progress;
}

export const STAGE_TITLES: Readonly<Record<StageName, string>> = {
  data: 'Generate a churn data set',
  training: 'Train two models in TypeScript and export them to ONNX',
  registration: 'Register both versions with lineage and reference profiles',
  production: 'Point the production alias at v1 through a gate',
  features: 'Apply feature definitions and stream features over NATS',
  experiment: 'A/B split v1 against v2, retrained trees in shadow',
  canary: 'Canary the retrained model through its steps',
  'bad-candidate': 'Canary a bad candidate: automatic rollback',
  drift: 'Inject drift into the streamed features',
  summary: 'One traced prediction, and what happened',
};

const summaryOf = (m: TrainedModel): ModelSummary => ({ description: m.description, auc: m.metrics.auc, accuracy: m.metrics.accuracy, trainingMs: m.trainingMs, onnxBytes: m.onnx.byteLength });

const canaryPolicy = (stepSeconds: number): CanaryPolicyInit => ({
  steps: [25, 50, 100],
  stepDuration: { seconds: BigInt(Math.floor(stepSeconds)), nanos: Math.round((stepSeconds % 1) * 1e9) },
  minSamples: 30n,
  maxErrorRate: 0.02,
  // Mean |candidate − stable| churn probability on the same requests; a retrained model moves
  // individual scores a little, a broken one moves them a lot.
  maxDivergence: 0.1,
  promoteAlias: PRODUCTION,
});

export async function runScenario(platform: PlatformClients, options: ScenarioOptions, hooks: ScenarioHooks = {}): Promise<ScenarioResult> {
  const progress: Progress = hooks.progress ?? (() => undefined);
  const completed: Partial<Record<StageName, unknown>> = {};
  const { model } = options;
  const timeoutMs = options.stageTimeoutMs ?? 90_000;
  const stepSeconds = options.canaryStepSeconds ?? 1.5;

  let current: StageName = 'data';
  async function stage<S extends StageName>(name: S, work: () => Promise<Extract<StageReport, { stage: S }>['outcome']>) {
    current = name;
    hooks.onStageStart?.(name, STAGE_TITLES[name]);
    const outcome = await work();
    completed[name] = outcome;
    hooks.onStage?.({ stage: name, outcome } as StageReport);
    return outcome;
  }

  try {
    let dataset!: ChurnDataset;
    await stage('data', async () => {
      dataset = generateChurnDataset({ seed: options.seed ?? 42 });
      return {
        rows: dataset.train.length + dataset.test.length,
        trainRows: dataset.train.length,
        liveCustomers: dataset.test.length,
        churnRate: churnRate([...dataset.train, ...dataset.test]),
        digest: dataset.digest,
        uri: dataset.uri,
      };
    });
    const live = dataset.test;

    const logistic = trainLogistic(dataset);
    const boosted = trainBoosted(dataset);
    await stage('training', async () => ({ logistic: summaryOf(logistic), boosted: summaryOf(boosted) }));

    const profile = trainingProfile(dataset);
    const registration = await stage('registration', async () => {
      await platform.registry.createModel({ name: model, description: 'Probability that a subscriber leaves within 90 days', tags: { team: 'growth', demo: 'true' } });
      const v1 = await registerVersion(platform, model, logistic, dataset, profile);
      const v2 = await registerVersion(platform, model, boosted, dataset, profile);
      return { model, versions: [v1, v2], featureRefs: profile.features?.length ?? 0 };
    });
    const [v1, v2] = registration.versions as [RegisteredVersion, RegisteredVersion];

    await stage('production', async () => {
      const refused = await moveAlias(platform, model, PRODUCTION, v1.version, ['auc >= 0.9'], 'demo: first production model (too strict a gate)');
      const moved = await moveAlias(platform, model, PRODUCTION, v1.version, ['auc >= 0.75'], 'demo: first production model');
      if (!moved.moved) throw new Error(`the production alias did not move to v${v1.version}: ${moved.message}`);
      return { refused, moved };
    });

    await stage('features', async () => {
      const changes = await applyFeatureDefinitions(platform);
      const started = performance.now();
      const messages = await streamFeatures(platform, live);
      await waitUntilServed(platform, live, (c) => c.features, timeoutMs);
      return { changes, subject: featureSubject(FEATURE_VIEW), customers: live.length, messages, servedAfterMs: performance.now() - started };
    });

    const retrained = trainBoosted(dataset, RETRAINED_BOOSTING_OPTIONS);
    const experiment = await stage('experiment', async () => {
      const shadowVersion = await registerVersion(platform, model, retrained, dataset, profile);
      progress(`registered v${shadowVersion.version} (${retrained.description}, AUC ${retrained.metrics.auc.toFixed(3)}) for the shadow`);
      const outcome = await runExperiment(
        platform,
        {
          model,
          a: { name: 'logistic', version: v1.version, weight: 50 },
          b: { name: 'trees', version: v2.version, weight: 50 },
          shadow: { name: 'retrained', version: shadowVersion.version, sampleRate: 1 },
        },
        live,
        progress,
      );
      const promotion = await moveAlias(platform, model, PRODUCTION, outcome.leader.version, ['auc >= production.auc'], `demo: A/B leader (accuracy ${outcome.leader.accuracy.toFixed(3)})`);
      return { shadowVersion, experiment: outcome, promotion };
    });

    await stage('canary', async () => {
      const stable = (await aliasVersion(platform, model, PRODUCTION))!;
      await serveOnly(platform, model, stable, `demo: v${stable} serves alone before the canary`);
      return runCanary(
        platform,
        { model, candidateVersion: experiment.shadowVersion.version, policy: canaryPolicy(stepSeconds), reason: 'demo: retrained trees, shadowed without surprises', alias: PRODUCTION, timeoutMs },
        live,
        progress,
      );
    });

    await stage('bad-candidate', async () => {
      const bad = invertedCandidate(dataset, logistic.spec);
      const candidate = await registerVersion(platform, model, bad, dataset, profile);
      progress(`registered v${candidate.version}: ${bad.description} (nobody looked at its AUC of ${bad.metrics.auc.toFixed(3)})`);
      const canary = await runCanary(
        platform,
        { model, candidateVersion: candidate.version, policy: canaryPolicy(stepSeconds), reason: 'demo: a candidate with an export bug', alias: PRODUCTION, timeoutMs },
        live,
        progress,
      );
      return { candidate, canary };
    });

    await stage('drift', async () => {
      const serving = (await aliasVersion(platform, model, PRODUCTION))!;
      return runDrift(platform, { model, version: serving, feature: options.driftFeature ?? 'monthly_charges', moderateShift: 9, strongShift: 35, timeoutMs }, live, progress);
    });

    await stage('summary', async () => {
      const customer = live[0]!;
      // A customer who just called support three times: fresh values, one trace from NATS to the answer.
      const update = customer.features.map((v, j) => (j === 2 ? v + 45 : v)).map(Math.fround);
      const traced = await tracedPrediction(platform, model, customer, update);
      const { alerts } = await platform.monitoring.listAlerts({ model });
      const audit = await platform.registry.listAuditRecords({ model, pageSize: 1000 });
      return {
        traced,
        production: await aliasVersion(platform, model, PRODUCTION),
        alerts: alerts.map((r) => ({
          rule: r.alert!.rule,
          version: r.alert!.version,
          severity: (Severity[r.alert!.severity] ?? 'UNSPECIFIED').toLowerCase(),
          state: (AlertState[r.alert!.state] ?? 'UNSPECIFIED').toLowerCase(),
          summary: r.alert!.summary,
        })),
        auditRecords: audit.records.length,
      };
    });

    return { ok: true, value: completed as ScenarioOutcome };
  } catch (e) {
    return { ok: false, stage: current, error: e instanceof Error ? e : new Error(String(e)), completed: completed as Partial<ScenarioOutcome> };
  }
}
