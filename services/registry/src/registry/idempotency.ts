import { createHash } from 'node:crypto';
import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { isUniqueViolation } from '@mlops/db';
import { invalidArgument, ok, fail, type Result } from '../domain/result.js';
import type { RegistryDb } from './context.js';

/** An idempotent operation: its name, the client's key and what identifies its request. */
export interface IdempotentRequest {
  readonly operation: 'create_model' | 'create_version';
  readonly key: string;
  /** The request field holding the key, for the error when it is reused with a different request. */
  readonly field: string;
  /** Canonical request content (without the key itself). */
  readonly content: unknown;
}

/** Thrown inside a transaction when another request claimed the key first; caught by `withIdempotency`. */
class KeyClaimed extends Error {}

/**
 * Runs `create` at most once per (operation, key): a retry, or a concurrent duplicate, gets the
 * first request's stored response. The key is claimed by the first statement of the
 * transaction, so a concurrent duplicate blocks on it and then finds the committed response,
 * instead of racing the create itself and getting ALREADY_EXISTS for its own model.
 * Without a key, `create` just runs.
 */
export async function withIdempotency<D extends DescMessage>(
  db: RegistryDb,
  request: IdempotentRequest | undefined,
  responseSchema: D,
  create: (trx: RegistryDb) => Promise<Result<MessageShape<D>>>,
): Promise<Result<MessageShape<D>>> {
  if (request === undefined) return inTransaction(db, create);
  const fingerprint = fingerprintOf(request.content);

  const earlier = await storedResponse(db, request, fingerprint, responseSchema);
  if (earlier !== undefined) return earlier;

  try {
    return await db
      .transaction()
      .execute(async (trx) => {
        try {
          await trx
            .insertInto('idempotency_keys')
            .values({ operation: request.operation, key: request.key, request_fingerprint: fingerprint, response: new Uint8Array() })
            .execute();
        } catch (err) {
          if (isUniqueViolation(err)) throw new KeyClaimed();
          throw err;
        }
        const result = await create(trx);
        if (!result.ok) throw new FailureInTransaction(result);
        await trx
          .updateTable('idempotency_keys')
          .set({ response: toBinary(responseSchema, result.value) })
          .where('operation', '=', request.operation)
          .where('key', '=', request.key)
          .execute();
        return result;
      })
      .catch(rethrowFailure<MessageShape<D>>);
  } catch (err) {
    if (!(err instanceof KeyClaimed)) throw err;
    const first = await storedResponse(db, request, fingerprint, responseSchema);
    if (first === undefined) throw new Error(`idempotency key ${request.key} was claimed but holds no response`);
    return first;
  }
}

/**
 * A failure result must roll the transaction back, so it travels as an exception through
 * kysely's `transaction().execute` and is turned back into a value here.
 */
class FailureInTransaction<T> extends Error {
  constructor(readonly result: Result<T>) {
    super('failure in transaction');
  }
}

function rethrowFailure<T>(err: unknown): Result<T> {
  if (err instanceof FailureInTransaction) return err.result as Result<T>;
  throw err;
}

/** Runs `work` in a transaction that commits only when it returns ok. */
export function inTransaction<T>(db: RegistryDb, work: (trx: RegistryDb) => Promise<Result<T>>): Promise<Result<T>> {
  return db
    .transaction()
    .execute(async (trx) => {
      const result = await work(trx);
      if (!result.ok) throw new FailureInTransaction(result);
      return result;
    })
    .catch(rethrowFailure<T>);
}

async function storedResponse<D extends DescMessage>(
  db: RegistryDb,
  request: IdempotentRequest,
  fingerprint: string,
  schema: D,
): Promise<Result<MessageShape<D>> | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_fingerprint', 'response'])
    .where('operation', '=', request.operation)
    .where('key', '=', request.key)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  if (row.request_fingerprint !== fingerprint) {
    return fail(invalidArgument(request.field, 'a key not used before with a different request', request.key));
  }
  return ok(fromBinary(schema, row.response));
}

function fingerprintOf(content: unknown): string {
  return createHash('sha256').update(stableJson(content)).digest('hex');
}

/** JSON with object keys sorted, so equal requests (maps in any order) fingerprint the same. */
export function stableJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => v !== undefined && k !== '$typeName')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
