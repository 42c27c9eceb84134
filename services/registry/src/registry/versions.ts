import { create } from '@bufbuild/protobuf';
import { RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import {
  CreateVersionResponseSchema,
  LineageSchema,
  type ArchiveVersionRequest,
  type CreateVersionRequest,
  type ListVersionsRequest,
  type ModelVersion,
  type VersionHeader,
} from '@mlops/proto/mlops/registry/v1/registry_pb';
import { SHA256_HEX, type ArtifactUpload, type StagedArtifact, type StoredArtifact } from '../artifacts/index.js';
import { validateLineage } from '../domain/lineage.js';
import { validateIdempotencyKey, validateModelName, validateText, validateVersionNumber } from '../domain/names.js';
import { fail, invalidArgument, ok, type RegistryFailure, type Result } from '../domain/result.js';
import { compareSignatures } from '../signature/index.js';
import { audited, writeAudit } from './audit.js';
import type { Caller, RegistryContext } from './context.js';
import { lineageJson, signatureJson, versionToProto } from './convert.js';
import { inTransaction, withIdempotency } from './idempotency.js';
import { enqueueEvent } from './outbox.js';
import { isPositiveInt, readPage, splitPage } from './pagination.js';
import { aliasesByVersion, findActiveModel, findModel, findVersion } from './queries.js';

/**
 * Registers a version from a client stream: a header, then the ONNX file in chunks.
 *
 * The bytes go straight to the artifact store's staging file (one chunk in memory at a time;
 * the stream is read only as fast as the disk takes it). Only a complete artifact that
 * onnxruntime loads, whose signature agrees with the declared one, is committed under its hash
 * and recorded; on any failure the staging file is deleted and nothing is recorded but the
 * refused attempt in the audit log.
 */
export async function createVersion(
  ctx: RegistryContext,
  caller: Caller,
  parts: AsyncIterable<CreateVersionRequest>,
): Promise<Result<ModelVersion>> {
  const iterator = parts[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    if (first.done || first.value.part.case !== 'header') {
      return fail(invalidArgument('header', 'the first message of the stream to carry the version header'));
    }
    const header = first.value.part.value;
    const valid = validateHeader(header, ctx.limits.maxArtifactBytes);
    if (!valid.ok) return valid;

    const result = await audited(ctx, caller, { action: 'create_version', model: header.model }, async () => {
      // Refuse before reading a byte of a (possibly huge) upload to a model that cannot take it.
      const model = await findActiveModel(ctx.db, header.model);
      if (!model.ok) return model;
      return receiveAndRecord(ctx, caller, header, iterator);
    });
    if (result.ok) ctx.eventsCommitted();
    return result;
  } finally {
    await iterator.return?.();
  }
}

function validateHeader(header: VersionHeader, maxBytes: number): Result<VersionHeader> {
  const checks = [
    validateModelName(header.model, 'header.model'),
    validateLineage(header.lineage),
    validateIdempotencyKey(header.idempotencyKey, 'header.idempotency_key'),
  ];
  for (const check of checks) if (!check.ok) return check;
  if (header.expectedSize < 0n || header.expectedSize > BigInt(maxBytes)) {
    return fail(invalidArgument('header.expected_size', `0 (unknown) to ${maxBytes} bytes`, header.expectedSize.toString()));
  }
  if (header.expectedSha256 !== '' && !SHA256_HEX.test(header.expectedSha256)) {
    return fail(invalidArgument('header.expected_sha256', '64 lower-case hex characters', header.expectedSha256));
  }
  return ok(header);
}

async function receiveAndRecord(
  ctx: RegistryContext,
  caller: Caller,
  header: VersionHeader,
  parts: AsyncIterator<CreateVersionRequest>,
): Promise<Result<ModelVersion> & { details?: Record<string, unknown> }> {
  const upload = await ctx.artifacts.begin();
  try {
    const received = await receive(upload, parts, header, ctx.limits.maxArtifactBytes);
    if (!received.ok) return { ...received, details: { received_bytes: upload.bytesWritten } };
    const staged = received.value;
    const details = { artifact_sha256: staged.sha256, artifact_size: staged.size };

    const inspected = await ctx.inspect(staged.localPath);
    if (!inspected.ok) {
      return { ...fail({ kind: 'refused_input', field: 'chunk', reason: `the artifact is not an ONNX model onnxruntime can load: ${inspected.error}` }), details };
    }
    const signature = inspected.value;
    if (header.declaredSignature !== undefined) {
      const differences = compareSignatures(header.declaredSignature, signature);
      if (differences.length > 0) {
        return {
          ...fail({ kind: 'refused_input', field: 'header.declared_signature', reason: `disagrees with the artifact: ${differences.join('; ')}` }),
          details: { ...details, differences },
        };
      }
    }

    // Committed before the database row, so a recorded version always has its bytes. If the
    // transaction then fails, an unreferenced (but whole) file remains under its hash: harmless,
    // and reused by the next upload of the same bytes.
    await upload.commit();
    const lineage = header.lineage ?? create(LineageSchema);
    const idempotent =
      header.idempotencyKey === ''
        ? undefined
        : ({
            operation: 'create_version',
            key: header.idempotencyKey,
            field: 'header.idempotency_key',
            content: { model: header.model, lineage, declared: header.declaredSignature, sha256: staged.sha256 },
          } as const);

    const created = await withIdempotency(ctx.db, idempotent, CreateVersionResponseSchema, async (trx) => {
      const model = await findActiveModel(trx, header.model, { forUpdate: true });
      if (!model.ok) return model;
      const version = model.value.latest_version + 1;
      const row = await trx
        .insertInto('model_versions')
        .values({
          model: header.model,
          version,
          status: 'ready',
          signature: signatureJson(signature),
          lineage: lineageJson(lineage),
          metrics: JSON.stringify(lineage.metrics),
          artifact_sha256: staged.sha256,
          artifact_size: staged.size,
          created_by: caller.actor,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.updateTable('models').set({ latest_version: version, updated_at: new Date() }).where('name', '=', header.model).execute();
      const audit = await writeAudit(trx, caller, { action: 'create_version', model: header.model, version }, {
        succeeded: true,
        details: { ...details, signature: JSON.parse(signatureJson(signature)) as unknown },
      });
      await enqueueEvent(trx, audit, { type: RegistryEventType.VERSION_CREATED });
      return ok(create(CreateVersionResponseSchema, { version: versionToProto(row, []) }));
    });
    if (!created.ok) return { ...created, details };
    return ok(created.value.version!);
  } finally {
    await upload.abort();
  }
}

async function receive(
  upload: ArtifactUpload,
  parts: AsyncIterator<CreateVersionRequest>,
  header: VersionHeader,
  maxBytes: number,
): Promise<Result<StagedArtifact>> {
  const expectedSize = Number(header.expectedSize);
  for (let next = await parts.next(); !next.done; next = await parts.next()) {
    const { part } = next.value;
    if (part.case !== 'chunk') return fail(invalidArgument('chunk', 'only artifact chunks after the header', part.case ?? 'an empty message'));
    const size = upload.bytesWritten + part.value.byteLength;
    if (size > maxBytes) return fail({ kind: 'resource_exhausted', message: `artifact exceeds the limit of ${maxBytes} bytes` });
    if (expectedSize > 0 && size > expectedSize) {
      return fail(invalidArgument('chunk', `${expectedSize} bytes in all, as header.expected_size says`, `more (${size} so far)`));
    }
    await upload.write(part.value);
  }
  const staged = await upload.finish();
  if (staged.size === 0) return fail(invalidArgument('chunk', 'the artifact bytes after the header', 'none'));
  if (expectedSize > 0 && staged.size !== expectedSize) {
    return fail(invalidArgument('chunk', `${expectedSize} bytes, as header.expected_size says (truncated upload?)`, `${staged.size} bytes`));
  }
  if (header.expectedSha256 !== '' && staged.sha256 !== header.expectedSha256) {
    return fail(invalidArgument('header.expected_sha256', `the sha256 of the received bytes (${staged.sha256})`, header.expectedSha256));
  }
  return ok(staged);
}

export async function getVersion(ctx: RegistryContext, model: string, version: bigint): Promise<Result<ModelVersion>> {
  const name = validateModelName(model, 'model');
  if (!name.ok) return name;
  const number = validateVersionNumber(version);
  if (!number.ok) return number;
  const row = await findVersion(ctx.db, model, number.value);
  if (!row.ok) return row;
  const aliases = await aliasesByVersion(ctx.db, model);
  return ok(versionToProto(row.value, aliases.get(number.value) ?? []));
}

export async function listVersions(
  ctx: RegistryContext,
  req: ListVersionsRequest,
): Promise<Result<{ versions: ModelVersion[]; nextPageToken: string }>> {
  const name = validateModelName(req.model, 'model');
  if (!name.ok) return name;
  const page = readPage(req.pageSize, req.pageToken, isPositiveInt);
  if (!page.ok) return page;
  const model = await findModel(ctx.db, req.model);
  if (!model.ok) return model;

  // Newest first: the version a person looks for is usually the latest.
  let query = ctx.db.selectFrom('model_versions').selectAll().where('model', '=', req.model).orderBy('version', 'desc').limit(page.value.limit + 1);
  if (page.value.after !== undefined) query = query.where('version', '<', page.value.after);
  if (!req.includeArchived) query = query.where('status', '=', 'ready');
  const { rows, nextPageToken } = splitPage(await query.execute(), page.value.limit, (last) => last.version);
  const aliases = await aliasesByVersion(ctx.db, req.model);
  return ok({ versions: rows.map((row) => versionToProto(row, aliases.get(row.version) ?? [])), nextPageToken });
}

export async function archiveVersion(ctx: RegistryContext, caller: Caller, req: ArchiveVersionRequest): Promise<Result<ModelVersion>> {
  const name = validateModelName(req.model, 'model');
  if (!name.ok) return name;
  const number = validateVersionNumber(req.version);
  if (!number.ok) return number;
  const reason = validateText(req.reason, 'reason');
  if (!reason.ok) return reason;
  const version = number.value;

  const subject = { action: 'archive_version', model: req.model, version, reason: req.reason } as const;
  const result = await audited(ctx, caller, subject, () =>
    inTransaction(ctx.db, async (trx) => {
      const model = await findModel(trx, req.model, { forUpdate: true });
      if (!model.ok) return model;
      const current = await findVersion(trx, req.model, version);
      if (!current.ok) return current;
      const aliases = (await aliasesByVersion(trx, req.model)).get(version) ?? [];
      if (current.value.status === 'archived') return ok({ version: versionToProto(current.value, aliases), changed: false });
      if (aliases.length > 0) {
        return fail<RegistryFailure>({
          kind: 'failed_precondition',
          message: `version ${version} of model "${req.model}" holds alias ${aliases.join(', ')}; move or delete it before archiving the version`,
        });
      }
      const row = await trx
        .updateTable('model_versions')
        .set({ status: 'archived', archived_at: new Date() })
        .where('model', '=', req.model)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirstOrThrow();
      const audit = await writeAudit(trx, caller, subject, {
        succeeded: true,
        details: { before: { status: 'ready' }, after: { status: 'archived' } },
      });
      await enqueueEvent(trx, audit, { type: RegistryEventType.VERSION_ARCHIVED });
      return ok({ version: versionToProto(row, []), changed: true });
    }),
  );
  if (!result.ok) return result;
  if (result.value.changed) ctx.eventsCommitted();
  return ok(result.value.version);
}

/** The artifact of a version, for download. Archived versions stay downloadable (for audits and rollbacks). */
export async function openArtifact(
  ctx: RegistryContext,
  model: string,
  version: bigint,
): Promise<Result<{ version: number; artifact: StoredArtifact }>> {
  const name = validateModelName(model, 'model');
  if (!name.ok) return name;
  const number = validateVersionNumber(version);
  if (!number.ok) return number;
  const row = await findVersion(ctx.db, model, number.value);
  if (!row.ok) return row;
  const artifact = await ctx.artifacts.open(row.value.artifact_sha256);
  if (artifact === undefined) {
    // The row says the bytes exist: their loss is our fault, not the caller's.
    throw new Error(`artifact ${row.value.artifact_sha256} of ${model}/${number.value} is missing from the artifact store`);
  }
  return ok({ version: number.value, artifact });
}
