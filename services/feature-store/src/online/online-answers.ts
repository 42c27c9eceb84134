import { toBinary } from '@bufbuild/protobuf';
import { WireType } from '@bufbuild/protobuf/wire';
import { preEncodedMessage } from '@mlops/grpc';
import {
  FeatureStatus,
  FeatureValueSchema,
  GetOnlineFeaturesResponseSchema,
  type FeatureValue,
  type GetOnlineFeaturesResponse,
} from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { varintSize, writeVarint } from '@mlops/wire';

/*
 * GetOnlineFeatures answers as protobuf bytes, assembled from pieces encoded once: an online
 * read then copies bytes instead of building (and protobuf-es walking) a FeatureValue, a Value
 * and a Timestamp per feature. The wire layout (featurestore.proto):
 *   GetOnlineFeaturesResponse: 1 feature_refs (repeated string), 2 rows (repeated OnlineRow)
 *   OnlineRow:                 1 entity_key (string), 2 values (repeated FeatureValue)
 */

const RESPONSE_REFS_TAG = (1 << 3) | WireType.LengthDelimited;
const RESPONSE_ROWS_TAG = (2 << 3) | WireType.LengthDelimited;
const ONLINE_ROW_ENTITY_KEY_TAG = (1 << 3) | WireType.LengthDelimited;
const ONLINE_ROW_VALUES_TAG = (2 << 3) | WireType.LengthDelimited;

/** One element of OnlineRow.values, as the field record (tag, length, FeatureValue). */
export function featureValueRecord(value: FeatureValue): Uint8Array {
  const bytes = toBinary(FeatureValueSchema, value);
  const record = new Uint8Array(1 + varintSize(bytes.byteLength) + bytes.byteLength);
  record.set(bytes, writeVarint(record, writeVarint(record, 0, ONLINE_ROW_VALUES_TAG), bytes.byteLength));
  return record;
}

/** NOT_FOUND with no event time: the entity has no row in the view. */
export const NOT_FOUND_RECORD = featureValueRecord({
  $typeName: 'mlops.featurestore.v1.FeatureValue',
  status: FeatureStatus.NOT_FOUND,
});

/** GetOnlineFeaturesResponse.rows[i] (tag, length, OnlineRow): the entity key and its value records, copied once. */
export function onlineRowRecord(entityKey: string, records: readonly Uint8Array[]): Uint8Array {
  const keyBytes = Buffer.byteLength(entityKey);
  let size = 1 + varintSize(keyBytes) + keyBytes;
  for (const r of records) size += r.byteLength;
  const out = Buffer.allocUnsafe(1 + varintSize(size) + size);
  let at = writeVarint(out, writeVarint(out, 0, RESPONSE_ROWS_TAG), size);
  out[at++] = ONLINE_ROW_ENTITY_KEY_TAG;
  at = writeVarint(out, at, keyBytes);
  at += out.write(entityKey, at, 'utf8');
  for (const r of records) {
    out.set(r, at);
    at += r.byteLength;
  }
  return out;
}

/** GetOnlineFeaturesResponse.feature_refs records (tag, length, text), one after the other. */
export function featureRefRecords(refs: readonly string[]): Uint8Array {
  const parts = refs.map((ref) => Buffer.from(ref, 'utf8'));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 1 + varintSize(p.byteLength) + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    at = writeVarint(out, writeVarint(out, at, RESPONSE_REFS_TAG), p.byteLength);
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The response from its pre-encoded fields (the feature_refs records, then one record per row),
 * in one copy; the gRPC layer sends these bytes as they are (see `preEncodedMessage`).
 */
export function encodedOnlineResponse(
  refRecords: Uint8Array,
  rowRecords: readonly Uint8Array[],
): GetOnlineFeaturesResponse {
  let size = refRecords.byteLength;
  for (const r of rowRecords) size += r.byteLength;
  const body = Buffer.allocUnsafe(size);
  body.set(refRecords, 0);
  let at = refRecords.byteLength;
  for (const r of rowRecords) {
    body.set(r, at);
    at += r.byteLength;
  }
  return preEncodedMessage(GetOnlineFeaturesResponseSchema, body);
}
