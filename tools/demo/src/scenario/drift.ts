// Drift injected into the streamed features, and monitoring's alerts as the window fills with it.
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AlertState, Severity, type Alert } from '@mlops/proto/mlops/events/v1/events_pb';
import { FEATURE_VIEW, FEATURES, type Customer, type FeatureName } from './churn-data.js';
import { streamFeatures, waitUntilServed, type FeatureValues } from './features.js';
import type { PlatformClients } from './platform-clients.js';
import { startTraffic } from './traffic.js';
import { sleep, TimedOut, waitFor, type Progress } from './waiting.js';

/** Traffic kept flowing after the critical alert, so the drift report has whole panes of it. */
const REPORT_SETTLE_MS = 2_500;

export interface DriftPlan {
  readonly model: string;
  /** The version serving the traffic (alerts are per version; an old one's may still be firing). */
  readonly version: bigint;
  readonly feature: FeatureName;
  /** Added to the feature in the first wave (meant to cross the warning threshold only)… */
  readonly moderateShift: number;
  /** …and in the second (far past the critical one). */
  readonly strongShift: number;
  /** Per wave. */
  readonly timeoutMs: number;
}

export interface AlertSeen {
  readonly rule: string;
  readonly severity: 'warning' | 'critical';
  readonly version: bigint;
  readonly psi: number;
  readonly summary: string;
  /** From the start of the wave's streaming to the alert firing. */
  readonly afterMs: number;
}

export interface ColumnDrift {
  readonly feature: string;
  readonly test: string;
  readonly psi: number;
  readonly drifted: boolean;
}

export type DriftOutcome = DriftAlerted | DriftNotAlerted;

export interface DriftAlerted {
  readonly alerted: true;
  readonly feature: string;
  readonly warning: AlertSeen;
  readonly critical: AlertSeen;
  /** Monitoring's drift report of the served version once the critical alert fired. */
  readonly report: readonly ColumnDrift[];
  readonly predictions: number;
}

/** Monitoring did not alert within the stage's time (a platform on long production windows). */
export interface DriftNotAlerted {
  readonly alerted: false;
  readonly feature: string;
  /** The warning, when only the critical alert was missing. */
  readonly warning: AlertSeen | undefined;
  readonly reason: string;
  readonly predictions: number;
}

const dateOf = (a: Alert) => (a.at ? new Date(Number(a.at.seconds) * 1000 + Math.floor(a.at.nanos / 1e6)) : new Date(0));

export async function runDrift(platform: PlatformClients, plan: DriftPlan, customers: readonly Customer[], progress: Progress): Promise<DriftOutcome> {
  const column = FEATURES.indexOf(plan.feature);
  const ref = `${FEATURE_VIEW}:${plan.feature}`;
  const shifted =
    (by: number): FeatureValues =>
    (c) =>
      c.features.map((v, j) => (j === column ? v + by : v));
  const traffic = startTraffic(platform, plan.model, customers, { batch: 50, intervalMs: 200 });
  try {
    /** Streams a wave and waits for the alert of `severity` about the column. */
    const wave = async (by: number, severity: Severity.WARNING | Severity.CRITICAL): Promise<AlertSeen & { readonly start: Date }> => {
      const start = new Date();
      await streamFeatures(platform, customers, shifted(by));
      await waitUntilServed(platform, customers.slice(0, 20), shifted(by), plan.timeoutMs);
      progress(`streamed ${plan.feature} + ${by} for ${customers.length} customers over NATS; waiting for monitoring's verdict`);
      const alert = await waitFor(
        async () => {
          const { alerts } = await platform.monitoring.listAlerts({ model: plan.model });
          // Any firing alert of that severity on the column: one that noise raised just before the
          // wave stays firing (the tracker never fires the same severity twice), so it is the verdict.
          return alerts.map((r) => r.alert!).find((a) => a.version === plan.version && a.severity === severity && a.state === AlertState.FIRING && a.rule.startsWith('column_psi') && a.rule.endsWith(ref));
        },
        `a ${Severity[severity].toLowerCase()} drift alert on ${ref}`,
        plan.timeoutMs,
        250,
      );
      const seen: AlertSeen = {
        rule: alert.rule,
        severity: severity === Severity.CRITICAL ? 'critical' : 'warning',
        version: alert.version,
        psi: alert.figures['psi'] ?? Number.NaN,
        summary: alert.summary,
        afterMs: Math.max(0, dateOf(alert).getTime() - start.getTime()),
      };
      progress(`${seen.severity.toUpperCase()} alert: ${seen.summary}`);
      return { ...seen, start };
    };
    const strip = ({ start: _start, ...seen }: AlertSeen & { readonly start: Date }): AlertSeen => seen;
    let warning: (AlertSeen & { readonly start: Date }) | undefined;
    let critical: AlertSeen & { readonly start: Date };
    try {
      warning = await wave(plan.moderateShift, Severity.WARNING);
      critical = await wave(plan.strongShift, Severity.CRITICAL);
    } catch (e) {
      if (!(e instanceof TimedOut)) throw e;
      return { alerted: false, feature: ref, warning: warning && strip(warning), reason: e.message, predictions: traffic.sent };
    }
    // Traffic since the strong wave began, in whole panes: what the critical verdict was made on.
    await sleep(REPORT_SETTLE_MS);
    const drift = await platform.monitoring.getDriftReport({
      model: plan.model,
      version: plan.version,
      range: { start: timestampFromDate(critical.start), end: timestampFromDate(new Date()) },
    });
    return {
      alerted: true,
      feature: ref,
      warning: strip(warning),
      critical: strip(critical),
      report: drift.features.map((f) => ({ feature: f.feature, test: f.test, psi: f.psi, drifted: f.drifted })),
      predictions: traffic.sent,
    };
  } finally {
    await traffic.stop();
  }
}
