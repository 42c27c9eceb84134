/** Alert rows: fired, resolved and acknowledged alerts, and their protobuf form. */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AlertSchema, AlertState, Severity as SeverityEnum } from '@mlops/proto/mlops/events/v1/events_pb';
import { AlertRecordSchema, type AlertRecord } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import type { Kysely, Selectable } from 'kysely';
import type { AlertsTable, MonitoringTables } from '../storage/schema.js';
import type { Severity } from './rules.js';
import type { AlertTransition, FiringAlert } from './state.js';

export const SEVERITY_ENUM: Record<Severity, SeverityEnum> = {
  info: SeverityEnum.INFO,
  warning: SeverityEnum.WARNING,
  critical: SeverityEnum.CRITICAL,
};

/** The Alert's `rule` on the wire: "<rule>" or "<rule>:<subject>" (events.proto has no subject field). */
export const wireRule = (rule: string, subject: string): string => (subject === '' ? rule : `${rule}:${subject}`);

export async function recordTransition(db: Kysely<MonitoringTables>, t: AlertTransition): Promise<void> {
  const a = t.alert;
  if (t.kind === 'fired') {
    await db
      .insertInto('alerts')
      .values({
        alert_id: a.alertId,
        model: a.key.model,
        version: a.key.version.toString(),
        rule: a.key.rule,
        subject: a.key.subject,
        severity: a.severity,
        state: 'firing',
        summary: a.summary,
        figures: JSON.stringify(a.figures),
        fired_at: a.firedAt,
        resolved_at: null,
        resolved_figures: null,
        acknowledged_by: null,
        ack_comment: null,
        acknowledged_at: null,
      })
      .execute();
    return;
  }
  await db
    .updateTable('alerts')
    .set({ state: 'resolved', resolved_at: t.at, resolved_figures: JSON.stringify(t.figures) })
    .where('alert_id', '=', a.alertId)
    .execute();
}

export async function firingAlerts(db: Kysely<MonitoringTables>): Promise<FiringAlert[]> {
  const rows = await db.selectFrom('alerts').selectAll().where('state', '=', 'firing').execute();
  return rows.map((r) => ({
    alertId: r.alert_id,
    key: { model: r.model, version: BigInt(r.version), rule: r.rule, subject: r.subject },
    severity: r.severity as Severity,
    firedAt: r.fired_at,
    figures: r.figures,
    summary: r.summary,
  }));
}

export function toAlertRecord(r: Selectable<AlertsTable>): AlertRecord {
  const resolved = r.state === 'resolved';
  return create(AlertRecordSchema, {
    alert: create(AlertSchema, {
      alertId: r.alert_id,
      model: r.model,
      version: BigInt(r.version),
      rule: wireRule(r.rule, r.subject),
      severity: SEVERITY_ENUM[r.severity as Severity],
      state: resolved ? AlertState.RESOLVED : AlertState.FIRING,
      summary: r.summary,
      figures: resolved && r.resolved_figures ? r.resolved_figures : r.figures,
      at: timestampFromDate(resolved && r.resolved_at ? r.resolved_at : r.fired_at),
    }),
    acknowledged: r.acknowledged_by !== null,
    acknowledgedBy: r.acknowledged_by ?? '',
    comment: r.ack_comment ?? '',
    ...(r.acknowledged_at ? { acknowledgedAt: timestampFromDate(r.acknowledged_at) } : {}),
  });
}

export async function alertRecord(db: Kysely<MonitoringTables>, alertId: string): Promise<AlertRecord | undefined> {
  const row = await db.selectFrom('alerts').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
  return row ? toAlertRecord(row) : undefined;
}

export async function listAlerts(db: Kysely<MonitoringTables>, model: string, firingOnly: boolean): Promise<AlertRecord[]> {
  let q = db.selectFrom('alerts').selectAll();
  if (model !== '') q = q.where('model', '=', model);
  if (firingOnly) q = q.where('state', '=', 'firing');
  const rows = await q.orderBy('fired_at', 'desc').orderBy('alert_id').limit(1000).execute();
  return rows.map(toAlertRecord);
}

export async function acknowledge(db: Kysely<MonitoringTables>, alertId: string, by: string, comment: string, at: Date): Promise<AlertRecord | undefined> {
  await db.updateTable('alerts').set({ acknowledged_by: by, ack_comment: comment, acknowledged_at: at }).where('alert_id', '=', alertId).execute();
  return alertRecord(db, alertId);
}
