import type { FeatureViewDef } from './definitions.js';
import { microsToIso, type Micros } from './time.js';
import type { FeatureType, ValueKind } from './values.js';

/** The feature names and value kinds of a row's values, in wire order; rows alike share one. */
export interface ValuesLayout {
  readonly names: readonly string[];
  readonly kinds: readonly ValueKind[];
}

/**
 * A decoded FeatureRow whose values stay in their wire encoding: the FeatureRow field-3 records
 * (`map<string, Value>` entries), which is also how they are stored and cached (see
 * ingest/feature-row-decoder.ts). Decoding 20 Value objects per row was most of ingestion's cost.
 */
export interface EncodedRow {
  readonly entityKey: string;
  /** Undefined when the row has no event time. */
  readonly eventTimeMicros: Micros | undefined;
  readonly values: Uint8Array;
  readonly layout: ValuesLayout;
}

/** A row that passed validation against its view. */
export interface ValidRow {
  readonly entityKey: string;
  readonly eventTimeMicros: Micros;
  /**
   * The encoded values. The row is a snapshot of the view for that entity at that time: a
   * feature it does not carry has no value then (NOT_FOUND), an explicit null is a present null.
   */
  readonly values: Uint8Array;
}

/** A row whose bytes could not be decoded (the rest of its batch still can be). */
export interface UndecodableRow {
  readonly undecodable: string;
}

export type IncomingRow = EncodedRow | UndecodableRow;

/** A batch as ingestion sees it, from NATS (rows decoded one by one) or from Push. */
export interface RowBatch {
  readonly view: string;
  readonly producer: string;
  readonly rows: readonly IncomingRow[];
}

export type RowRejectionReason =
  | { readonly kind: 'undecodable'; readonly error: string }
  | { readonly kind: 'missing_entity_key' }
  | { readonly kind: 'entity_key_too_long'; readonly length: number }
  | { readonly kind: 'missing_event_time' }
  | { readonly kind: 'event_time_in_future'; readonly eventTimeMicros: Micros; readonly latestAllowedMicros: Micros }
  | { readonly kind: 'unknown_feature'; readonly feature: string }
  | { readonly kind: 'wrong_type'; readonly feature: string; readonly expected: FeatureType; readonly received: string };

/** Reasons for a whole message (every row is rejected with it). */
export type BatchRejectionReason =
  | { readonly kind: 'unknown_view'; readonly view: string }
  | { readonly kind: 'view_subject_mismatch'; readonly view: string; readonly subjectView: string };

export type RejectionReason = RowRejectionReason | BatchRejectionReason;

export function describeRejection(r: RejectionReason): string {
  switch (r.kind) {
    case 'undecodable':
      return `row: undecodable (${r.error})`;
    case 'missing_entity_key':
      return 'entity_key: missing';
    case 'entity_key_too_long':
      return `entity_key: expected at most ${MAX_ENTITY_KEY_LENGTH} characters, got ${r.length}`;
    case 'missing_event_time':
      return 'event_time: missing';
    case 'event_time_in_future':
      return `event_time: ${microsToIso(r.eventTimeMicros)} is after the latest accepted ${microsToIso(r.latestAllowedMicros)} (too far in the future)`;
    case 'unknown_feature':
      return `values: unknown feature ${r.feature}`;
    case 'wrong_type':
      return `values.${r.feature}: expected ${r.expected}, got ${r.received}`;
    case 'unknown_view':
      return `view: unknown feature view ${r.view}`;
    case 'view_subject_mismatch':
      return `view: ${r.view} does not match the subject's view ${r.subjectView}`;
  }
}

export const MAX_ENTITY_KEY_LENGTH = 512;

export type RowCheck = { readonly ok: true; readonly row: ValidRow } | { readonly ok: false; readonly reason: RowRejectionReason };

export interface RowValidator {
  (row: EncodedRow): RowCheck;
}

/** The verdict on a layout: undefined when every name and kind fits the view. */
type LayoutCheck = RowRejectionReason | undefined;

function checkLayout(layout: ValuesLayout, types: ReadonlyMap<string, FeatureType>): LayoutCheck {
  for (let i = 0; i < layout.names.length; i++) {
    const name = layout.names[i] as string;
    const type = types.get(name);
    if (type === undefined) return { kind: 'unknown_feature', feature: name };
    const kind = layout.kinds[i] as ValueKind;
    if (kind !== 'null' && kind !== type) return { kind: 'wrong_type', feature: name, expected: type, received: kind };
  }
  return undefined;
}

/**
 * A validator for one view. This runs for every ingested row (≥ 50k rows/s): the names and
 * kinds of a layout are checked once, and rows of the same layout (nearly all of a batch)
 * only look the verdict up.
 */
export function rowValidator(view: FeatureViewDef, latestAllowedMicros: Micros): RowValidator {
  const types = new Map<string, FeatureType>(view.features.map((f) => [f.name, f.type]));
  const verdicts = new Map<ValuesLayout, LayoutCheck>();
  return (row) => {
    if (row.entityKey.length === 0) return { ok: false, reason: { kind: 'missing_entity_key' } };
    if (row.entityKey.length > MAX_ENTITY_KEY_LENGTH) return { ok: false, reason: { kind: 'entity_key_too_long', length: row.entityKey.length } };
    const eventTimeMicros = row.eventTimeMicros;
    if (eventTimeMicros === undefined) return { ok: false, reason: { kind: 'missing_event_time' } };
    if (eventTimeMicros > latestAllowedMicros) {
      return { ok: false, reason: { kind: 'event_time_in_future', eventTimeMicros, latestAllowedMicros } };
    }
    let verdict = verdicts.get(row.layout);
    if (verdict === undefined && !verdicts.has(row.layout)) verdicts.set(row.layout, (verdict = checkLayout(row.layout, types)));
    if (verdict !== undefined) return { ok: false, reason: verdict };
    return { ok: true, row: { entityKey: row.entityKey, eventTimeMicros, values: row.values } };
  };
}

export interface BatchValidation {
  readonly good: readonly ValidRow[];
  readonly bad: readonly { readonly index: number; readonly reason: RowRejectionReason }[];
}

/** Splits a batch: good rows are kept, each bad one is reported with its index. */
export function validateRows(rows: readonly IncomingRow[], validate: RowValidator): BatchValidation {
  const good: ValidRow[] = [];
  const bad: { index: number; reason: RowRejectionReason }[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as IncomingRow;
    if ('undecodable' in row) {
      bad.push({ index: i, reason: { kind: 'undecodable', error: row.undecodable } });
      continue;
    }
    const check = validate(row);
    if (check.ok) good.push(check.row);
    else bad.push({ index: i, reason: check.reason });
  }
  return { good, bad };
}

/**
 * Keeps, per key, the row that would win in the store: the newest event time, and on a tie
 * the later one in the batch (the same rule as the upsert's `>=`). A multi-row
 * INSERT … ON CONFLICT may not touch one row twice, so batches are reduced before writing.
 */
export function newestPerKey<R extends { readonly eventTimeMicros: Micros }>(rows: readonly R[], keyOf: (row: R) => string): R[] {
  const winners = new Map<string, R>();
  for (const row of rows) {
    const key = keyOf(row);
    const held = winners.get(key);
    if (!held || row.eventTimeMicros >= held.eventTimeMicros) winners.set(key, row);
  }
  return [...winners.values()];
}
