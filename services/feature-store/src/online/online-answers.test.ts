import { create, toBinary } from '@bufbuild/protobuf';
import { FeatureStatus, GetOnlineFeaturesResponseSchema, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { describe, expect, it } from 'vitest';
import { microsToTimestamp } from '../domain/time.js';
import { doubleValue, nullValue, stringValue } from '../domain/values.js';
import { encodedOnlineResponse, featureRefRecords, featureValueRecord, NOT_FOUND_RECORD, onlineRowRecord } from './online-answers.js';

const FEATURE_VALUE = 'mlops.featurestore.v1.FeatureValue' as const;
const eventTime = microsToTimestamp(1_700_000_000_123_456);

describe('pre-encoded online answers', () => {
  it('put on the wire exactly the bytes of the equivalent response message', () => {
    const present: FeatureValue = { $typeName: FEATURE_VALUE, status: FeatureStatus.PRESENT, value: doubleValue(-2.5), eventTime };
    const presentNull: FeatureValue = { $typeName: FEATURE_VALUE, status: FeatureStatus.PRESENT, value: nullValue(), eventTime };
    const text: FeatureValue = { $typeName: FEATURE_VALUE, status: FeatureStatus.PRESENT, value: stringValue('x'.repeat(300)), eventTime };
    const expired: FeatureValue = { $typeName: FEATURE_VALUE, status: FeatureStatus.EXPIRED, eventTime };
    const notFound: FeatureValue = { $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND };
    const refs = ['v:a', 'v:b', 'w:ünïcode'];
    const rows = [
      { entityKey: 'c1', values: [present, presentNull, text] },
      { entityKey: 'kund-ø', values: [expired, notFound, notFound] },
    ];
    const encoded = encodedOnlineResponse(
      featureRefRecords(refs),
      rows.map((r) => onlineRowRecord(r.entityKey, r.values.map((v) => (v === notFound ? NOT_FOUND_RECORD : featureValueRecord(v))))),
    );
    const expected = toBinary(GetOnlineFeaturesResponseSchema, create(GetOnlineFeaturesResponseSchema, { featureRefs: refs, rows }));
    expect(Buffer.from(toBinary(GetOnlineFeaturesResponseSchema, encoded)).equals(Buffer.from(expected))).toBe(true);
  });
});
