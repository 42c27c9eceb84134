import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AuditRecordSchema, type AuditRecord } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { STATUS_NAMES, describeFailure, type RegistryFailure, type Result } from '../domain/result.js';
import type { AuditRow } from '../storage/schema.js';
import type { Caller, RegistryContext, RegistryDb } from './context.js';

export type AuditAction =
  | 'create_model'
  | 'update_model'
  | 'archive_model'
  | 'create_version'
  | 'archive_version'
  | 'set_alias'
  | 'delete_alias';

/** What an audited operation is about, before we know how it went. */
export interface AuditSubject {
  readonly action: AuditAction;
  readonly model: string;
  readonly version?: number;
  readonly reason?: string;
}

export interface WrittenAudit {
  readonly id: number;
  readonly at: Date;
  readonly actor: string;
  readonly model: string;
  readonly version: number;
  readonly reason: string;
}

/** Writes one audit record in `db` (the transaction of the change it records, for a success). */
export async function writeAudit(
  db: RegistryDb,
  caller: Caller,
  subject: AuditSubject,
  outcome: { succeeded: boolean; details: Record<string, unknown> },
): Promise<WrittenAudit> {
  const row = await db
    .insertInto('audit_records')
    .values({
      actor: caller.actor,
      action: subject.action,
      model: subject.model,
      version: subject.version ?? 0,
      reason: subject.reason ?? '',
      details: JSON.stringify(outcome.details),
      succeeded: outcome.succeeded,
    })
    .returning(['id', 'at'])
    .executeTakeFirstOrThrow();
  return {
    id: Number(row.id),
    at: row.at,
    actor: caller.actor,
    model: subject.model,
    version: subject.version ?? 0,
    reason: subject.reason ?? '',
  };
}

/**
 * Runs a mutation and, when it fails, records the refused attempt (`succeeded = false`) after its
 * transaction rolled back, so the audit log shows lost races and failed gates, not only changes.
 * A success writes its own record inside its transaction.
 */
export async function audited<T>(
  ctx: RegistryContext,
  caller: Caller,
  subject: AuditSubject,
  attempt: () => Promise<Result<T> & { details?: Record<string, unknown> }>,
): Promise<Result<T>> {
  let result: Result<T> & { details?: Record<string, unknown> };
  try {
    result = await attempt();
  } catch (err) {
    // E.g. the client cancelled mid-upload (an RpcError carrying its status name) or the database failed.
    const code = (err as { codeName?: unknown }).codeName;
    await recordRefusal(ctx, caller, subject, {
      error: err instanceof Error ? err.message : String(err),
      code: typeof code === 'string' ? code : 'INTERNAL',
    });
    throw err;
  }
  if (!result.ok) await recordRefusal(ctx, caller, subject, { ...result.details, ...failureDetails(result.error) });
  return result;
}

function failureDetails(failure: RegistryFailure): Record<string, unknown> {
  return { error: describeFailure(failure), code: STATUS_NAMES[failure.kind] };
}

async function recordRefusal(ctx: RegistryContext, caller: Caller, subject: AuditSubject, details: Record<string, unknown>): Promise<void> {
  try {
    await writeAudit(ctx.db, caller, subject, { succeeded: false, details });
  } catch (err) {
    // The refusal still reaches the caller; only its trace in the audit log is lost (the database is down).
    ctx.logger?.error({ err, ...subject }, 'could not record a refused attempt in the audit log');
  }
}

export function auditRecordToProto(row: AuditRow): AuditRecord {
  return create(AuditRecordSchema, {
    id: BigInt(row.id),
    actor: row.actor,
    at: timestampFromDate(row.at),
    action: row.action,
    model: row.model,
    version: BigInt(row.version),
    reason: row.reason,
    detailsJson: JSON.stringify(row.details),
    succeeded: row.succeeded,
  });
}
