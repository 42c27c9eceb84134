import type { AuditRecord, ListAuditRecordsRequest } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { validateModelName } from '../domain/names.js';
import { ok, type Result } from '../domain/result.js';
import { auditRecordToProto } from './audit.js';
import type { RegistryContext } from './context.js';
import { isPositiveInt, readPage, splitPage } from './pagination.js';

/** Audit records, newest first; of one model, or of all when `model` is empty. */
export async function listAuditRecords(
  ctx: RegistryContext,
  req: ListAuditRecordsRequest,
): Promise<Result<{ records: AuditRecord[]; nextPageToken: string }>> {
  if (req.model !== '') {
    const name = validateModelName(req.model, 'model');
    if (!name.ok) return name;
  }
  const page = readPage(req.pageSize, req.pageToken, isPositiveInt);
  if (!page.ok) return page;
  let query = ctx.db.selectFrom('audit_records').selectAll().orderBy('id', 'desc').limit(page.value.limit + 1);
  if (req.model !== '') query = query.where('model', '=', req.model);
  if (page.value.after !== undefined) query = query.where('id', '<', String(page.value.after));
  const { rows, nextPageToken } = splitPage(await query.execute(), page.value.limit, (last) => Number(last.id));
  return ok({ records: rows.map(auditRecordToProto), nextPageToken });
}
