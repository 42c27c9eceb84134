import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  PredictionEventSchema,
  PredictionSchema,
  ValueSchema,
  type Prediction,
  type Value,
} from '@mlops/proto/mlops/events/v1/events_pb';
import { WireError } from '@mlops/wire';
import { describe, expect, it } from 'vitest';
import { columnValueOf, MAX_TRACKED_OUTPUT_VALUES, type ColumnVisitor } from './columns.js';
import { decodePredictionEvent, visitPredictionColumns, type PredictionRecord } from './prediction-event-decoder.js';

type Column = readonly [string, 'numeric' | 'categorical' | 'missing', number | string | null];

/** The columns as this decoder visits them. */
function visited(p: PredictionRecord): Column[] {
  const out: Column[] = [];
  const visitor: ColumnVisitor = {
    numeric: (c, v) => void out.push([c, 'numeric', v]),
    categorical: (c, v) => void out.push([c, 'categorical', v]),
    missing: (c) => void out.push([c, 'missing', null]),
  };
  visitPredictionColumns(p, visitor);
  return out.sort(byColumn);
}

/** The columns of the same prediction decoded by protobuf-es, by the mapping of `columnValueOf`. */
function expectedColumns(p: Prediction): Column[] {
  const out: Column[] = Object.entries(p.inputs).map(([name, value]) => {
    const v = columnValueOf(value);
    return [name, v.kind, v.kind === 'missing' ? null : v.value];
  });
  for (const t of p.outputs) {
    if (t.values.length === 1) out.push([`output:${t.name}`, 'numeric', t.values[0]!]);
    else if (t.values.length <= MAX_TRACKED_OUTPUT_VALUES) t.values.forEach((x, i) => out.push([`output:${t.name}[${i}]`, 'numeric', x]));
  }
  return out.sort(byColumn);
}

const byColumn = (a: Column, b: Column) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function decodedPrediction(bytes: Uint8Array): PredictionRecord {
  const event = decodePredictionEvent(bytes);
  if (event.kind !== 'prediction') throw new Error(`expected a prediction, got ${event.kind}`);
  return event.prediction;
}

/** A pseudo-random generator with a fixed seed, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomValue(rand: () => number): Value {
  const pick = Math.floor(rand() * 8);
  const kind: Value['kind'] =
    pick === 0
      ? { case: 'doubleValue', value: (rand() - 0.5) * 1e6 }
      : pick === 1
        ? { case: 'doubleValue', value: [Number.NaN, Number.POSITIVE_INFINITY, -0][Math.floor(rand() * 3)]! }
        : pick === 2
          ? { case: 'int64Value', value: BigInt(Math.floor((rand() - 0.5) * 2 ** 40)) }
          : pick === 3
            ? { case: 'stringValue', value: ['gold', 'café', '', '日本', 'x'.repeat(100)][Math.floor(rand() * 5)]! }
            : pick === 4
              ? { case: 'boolValue', value: rand() < 0.5 }
              : pick === 5
                ? { case: 'bytesValue', value: new Uint8Array([1, 2, 3]) }
                : pick === 6
                  ? { case: undefined }
                  : { case: 'doubleValue', value: rand() };
  return create(ValueSchema, { kind });
}

describe('decodePredictionEvent', () => {
  it('reads what protobuf-es reads, for 500 random predictions', () => {
    const rand = lcg(7);
    for (let n = 0; n < 500; n++) {
      const inputs: Record<string, Value> = {};
      const features = Math.floor(rand() * 25);
      for (let i = 0; i < features; i++) inputs[`f${Math.floor(rand() * 40)}`] = randomValue(rand);
      const outputs = Array.from({ length: Math.floor(rand() * 3) }, (_, i) => ({
        name: `out${i}`,
        shape: [1n],
        values: Array.from({ length: [0, 1, 3, 17][Math.floor(rand() * 4)]! }, () => rand()),
      }));
      const message = create(PredictionEventSchema, {
        kind: {
          case: 'prediction',
          value: {
            predictionId: `p-${n}`,
            model: 'churn',
            version: BigInt(1 + Math.floor(rand() * 1e6)),
            variant: 'a',
            entityKey: rand() < 0.5 ? '' : `customer-${n}`,
            requestKey: 'r',
            inputs,
            outputs,
            latencyMs: rand() * 10,
            traceId: 'abc',
            ...(rand() < 0.9 ? { servedAt: timestampFromDate(new Date(1_700_000_000_000 + n * 1_234)) } : {}),
            errorCode: rand() < 0.1 ? 'UNAVAILABLE' : '',
            errorMessage: 'm',
          },
        },
      });
      const expected = message.kind.value as Prediction;
      const got = decodedPrediction(toBinary(PredictionEventSchema, message));
      expect({
        predictionId: got.predictionId,
        model: got.model,
        version: got.version,
        entityKey: got.entityKey,
        latencyMs: got.latencyMs,
        errorCode: got.errorCode,
        servedAt: got.servedAt,
        outputs: got.outputs.map((t) => ({ name: t.name, values: [...t.values] })),
      }).toEqual({
        predictionId: expected.predictionId,
        model: expected.model,
        version: expected.version,
        entityKey: expected.entityKey,
        latencyMs: expected.latencyMs,
        errorCode: expected.errorCode,
        servedAt: expected.servedAt ? { seconds: Number(expected.servedAt.seconds), nanos: expected.servedAt.nanos } : undefined,
        outputs: expected.outputs.map((t) => ({ name: t.name, values: t.values })),
      });
      expect(visited(got)).toEqual(expectedColumns(expected));
    }
  });

  it('merges a prediction sent in two parts, keeps the last of a repeated scalar and reads unpacked doubles', () => {
    const first = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string('first-id')
      .tag(11, WireType.LengthDelimited)
      .bytes(new BinaryWriter().tag(1, WireType.Varint).int64(1_700_000_000n).finish())
      .finish();
    const tensor = new BinaryWriter().tag(1, WireType.LengthDelimited).string('score').tag(3, WireType.Bit64).double(0.25).finish();
    const second = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string('second-id')
      .tag(2, WireType.LengthDelimited)
      .string('churn')
      .tag(99, WireType.Varint)
      .uint32(5)
      .tag(8, WireType.LengthDelimited)
      .bytes(tensor)
      .tag(11, WireType.LengthDelimited)
      .bytes(new BinaryWriter().tag(2, WireType.Varint).int32(7).finish())
      .finish();
    const event = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(first).tag(1, WireType.LengthDelimited).bytes(second).finish();
    const expected = fromBinary(PredictionEventSchema, event).kind.value as Prediction;
    const got = decodedPrediction(event);
    expect(got.predictionId).toBe(expected.predictionId);
    expect(got.model).toBe('churn');
    expect(got.servedAt).toEqual({ seconds: Number(expected.servedAt!.seconds), nanos: expected.servedAt!.nanos });
    expect(got.outputs).toEqual([{ name: 'score', values: [0.25] }]);
  });

  it('keeps the last value of an input key sent twice, as protobuf-es does', () => {
    const entry = (key: string, value: number) =>
      new BinaryWriter()
        .tag(1, WireType.LengthDelimited)
        .string(key)
        .tag(2, WireType.LengthDelimited)
        .bytes(toBinary(ValueSchema, create(ValueSchema, { kind: { case: 'doubleValue', value } })))
        .finish();
    const prediction = new BinaryWriter()
      .tag(7, WireType.LengthDelimited)
      .bytes(entry('age', 1))
      .tag(7, WireType.LengthDelimited)
      .bytes(entry('tenure', 2))
      .tag(7, WireType.LengthDelimited)
      .bytes(entry('age', 3))
      .finish();
    const event = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(prediction).finish();
    expect(visited(decodedPrediction(event))).toEqual([
      ['age', 'numeric', 3],
      ['tenure', 'numeric', 2],
    ]);
    expect(visited(decodedPrediction(event))).toEqual(expectedColumns(fromBinary(PredictionSchema, prediction)));
  });

  it('keeps the last value of a key sent twice when the kinds differ, categories included', () => {
    const value = (v: Value['kind']) => toBinary(ValueSchema, create(ValueSchema, { kind: v }));
    const entry = (key: string, v: Value['kind']) =>
      new BinaryWriter().tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).bytes(value(v)).finish();
    const entries = [
      entry('plan', { case: 'stringValue', value: 'gold' }),
      entry('age', { case: 'doubleValue', value: 41 }),
      entry('plan', { case: 'doubleValue', value: 2 }),
      entry('age', { case: 'boolValue', value: true }),
      entry('city', { case: 'stringValue', value: 'Bern' }),
    ];
    const prediction = entries.reduce((w, e) => w.tag(7, WireType.LengthDelimited).bytes(e), new BinaryWriter()).finish();
    const event = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(prediction).finish();
    expect(visited(decodedPrediction(event))).toEqual([
      ['age', 'categorical', 'true'],
      ['city', 'categorical', 'Bern'],
      ['plan', 'numeric', 2],
    ]);
    expect(visited(decodedPrediction(event))).toEqual(expectedColumns(fromBinary(PredictionSchema, prediction)));
  });

  it('decodes shadow comparisons and events of neither kind', () => {
    const shadow = create(PredictionEventSchema, { kind: { case: 'shadow', value: { predictionId: 's1', model: 'churn', shadowErrorCode: 'DEADLINE_EXCEEDED' } } });
    const decoded = decodePredictionEvent(toBinary(PredictionEventSchema, shadow));
    expect(decoded.kind === 'shadow' && decoded.shadow.shadowErrorCode).toBe('DEADLINE_EXCEEDED');
    expect(decodePredictionEvent(new Uint8Array()).kind).toBeUndefined();
  });

  it('throws WireError on malformed payloads', () => {
    const good = toBinary(
      PredictionEventSchema,
      create(PredictionEventSchema, { kind: { case: 'prediction', value: { predictionId: 'p', model: 'churn', inputs: { city: create(ValueSchema, { kind: { case: 'stringValue', value: 'Zürich' } }) } } } }),
    );
    expect(() => decodePredictionEvent(good.subarray(0, good.length - 2))).toThrow(WireError);
    expect(() => decodePredictionEvent(new Uint8Array([0xff, 0xff, 0xff, 0x01]))).toThrow(WireError);
    // The input's string value made invalid UTF-8: "Zü" becomes "Z\xc3\x28".
    const at = good.indexOf(0xc3);
    const bad = good.slice();
    bad[at + 1] = 0x28;
    expect(() => decodePredictionEvent(bad)).toThrow(new WireError('invalid UTF-8 in a string'));
  });
});
