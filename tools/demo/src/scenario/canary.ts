// A canary driven by live traffic until the router's controller promotes or rolls it back.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { CanaryAction, type CanaryDecision } from '@mlops/proto/mlops/events/v1/events_pb';
import { CanaryState, type CanaryPolicySchema, type CanaryStatus } from '@mlops/proto/mlops/router/v1/router_pb';
import type { Customer } from './churn-data.js';
import type { PlatformClients } from './platform-clients.js';
import { aliasVersion } from './registration.js';
import { startTraffic } from './traffic.js';
import { sleep, TimedOut, type Progress } from './waiting.js';

export type CanaryPolicyInit = MessageInitShape<typeof CanaryPolicySchema>;

export interface DecisionSummary {
  readonly action: string;
  readonly step: number;
  readonly candidateWeight: number;
  readonly reason: string;
  readonly figures: Readonly<Record<string, number>>;
}

export interface CanaryOutcome {
  readonly result: 'promoted' | 'rolled_back';
  readonly stableVersion: bigint;
  readonly candidateVersion: bigint;
  readonly decisions: readonly DecisionSummary[];
  readonly aliasBefore: bigint | undefined;
  readonly aliasAfter: bigint | undefined;
  /** Every value the production alias had while the canary ran (polled with the status). */
  readonly aliasesSeen: readonly bigint[];
  /** The deployment once the canary ended: [variant, version, weight]. */
  readonly finalVariants: readonly (readonly [string, bigint, number])[];
  readonly predictions: number;
  readonly failedBatches: number;
  readonly durationMs: number;
}

const actionName = (action: CanaryAction) => (CanaryAction[action] ?? 'UNSPECIFIED').toLowerCase();

const summarize = (d: CanaryDecision): DecisionSummary => ({
  action: actionName(d.action),
  step: d.step,
  candidateWeight: d.candidateWeight,
  reason: d.reason,
  figures: { ...d.figures },
});

/** Before a canary: one live variant (the router requires it), no shadows. */
export async function serveOnly(platform: PlatformClients, model: string, version: bigint, reason: string): Promise<bigint> {
  const current = (await platform.router.getDeployment({ model }).catch(() => ({ deployment: undefined }))).deployment;
  const { deployment } = await platform.router.setDeployment({
    deployment: { model, variants: [{ name: 'stable', version, weight: 100 }], shadows: [], missingFeaturePolicy: current?.missingFeaturePolicy ?? 0 },
    expectedRevision: current?.revision ?? 0n,
    reason,
  });
  return deployment!.revision;
}

export interface CanaryPlan {
  readonly model: string;
  readonly candidateVersion: bigint;
  readonly policy: CanaryPolicyInit;
  readonly reason: string;
  readonly alias: string;
  readonly timeoutMs: number;
}

export async function runCanary(platform: PlatformClients, plan: CanaryPlan, customers: readonly Customer[], progress: Progress): Promise<CanaryOutcome> {
  const { model } = plan;
  const started = performance.now();
  const aliasBefore = await aliasVersion(platform, model, plan.alias);
  const { status: first } = await platform.router.startCanary({ model, candidateVersion: plan.candidateVersion, policy: plan.policy, reason: plan.reason });
  progress(`canary of v${plan.candidateVersion} against stable v${first!.stableVersion}: steps ${first!.policy?.steps.join('% → ')}%, judged every step`);

  // About 250 predictions a second: enough for every step's samples, and few enough that a
  // monitoring window sees distinct customers rather than the same ones again (which would make
  // its statistical drift tests see "significant" differences that are only repetition).
  const traffic = startTraffic(platform, model, customers, { batch: 40, intervalMs: 150 });
  const aliasesSeen = new Set<bigint>();
  let reported = 0;
  let final: CanaryStatus | undefined;
  try {
    const deadline = Date.now() + plan.timeoutMs;
    while (!final) {
      const { status } = await platform.router.getCanaryStatus({ model });
      const alias = await aliasVersion(platform, model, plan.alias);
      if (alias !== undefined) aliasesSeen.add(alias);
      for (const d of status?.decisions.slice(reported) ?? []) {
        const s = summarize(d);
        if (s.action !== 'hold') progress(`${s.action.padEnd(8)} candidate at ${s.candidateWeight}%: ${s.reason}`);
      }
      reported = status?.decisions.length ?? reported;
      if (status && (status.state === CanaryState.PROMOTED || status.state === CanaryState.ROLLED_BACK)) final = status;
      else if (Date.now() > deadline) throw new TimedOut(`timed out after ${plan.timeoutMs / 1000} s waiting for the canary of v${plan.candidateVersion} to end (state ${CanaryState[status?.state ?? 0]})`);
      else await sleep(200);
    }
  } finally {
    await traffic.stop();
  }
  const { deployment } = await platform.router.getDeployment({ model });
  return {
    result: final.state === CanaryState.PROMOTED ? 'promoted' : 'rolled_back',
    stableVersion: final.stableVersion,
    candidateVersion: final.candidateVersion,
    decisions: final.decisions.map(summarize),
    aliasBefore,
    aliasAfter: await aliasVersion(platform, model, plan.alias),
    aliasesSeen: [...aliasesSeen],
    finalVariants: (deployment?.variants ?? []).map((v) => [v.name, v.version, v.weight] as const),
    predictions: traffic.sent,
    failedBatches: traffic.failures,
    durationMs: performance.now() - started,
  };
}
