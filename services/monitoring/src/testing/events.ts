/** Builders of the events the router and label producers publish. */
import { create, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { LabelSchema, PredictionEventSchema, ValueSchema } from '@mlops/proto/mlops/events/v1/events_pb';

export type PredictionEvent = MessageShape<typeof PredictionEventSchema>;

export function prediction(p: {
  id: string;
  model: string;
  version?: bigint;
  servedAt: Date;
  inputs?: Record<string, number | string>;
  score?: number;
  entityKey?: string;
  latencyMs?: number;
  errorCode?: string;
}): PredictionEvent {
  const inputs = Object.fromEntries(
    Object.entries(p.inputs ?? {}).map(([k, v]) => [
      k,
      create(ValueSchema, { kind: typeof v === 'number' ? { case: 'doubleValue', value: v } : { case: 'stringValue', value: v } }),
    ]),
  );
  return create(PredictionEventSchema, {
    kind: {
      case: 'prediction',
      value: {
        predictionId: p.id,
        model: p.model,
        version: p.version ?? 1n,
        entityKey: p.entityKey ?? '',
        inputs,
        outputs: p.errorCode ? [] : [{ name: 'score', shape: [1n], values: [p.score ?? 0.5] }],
        latencyMs: p.latencyMs ?? 5,
        servedAt: timestampFromDate(p.servedAt),
        errorCode: p.errorCode ?? '',
      },
    },
  });
}

export function label(l: { model: string; predictionId?: string; entityKey?: string; eventTime?: Date; category?: string; numeric?: number }) {
  return create(LabelSchema, {
    model: l.model,
    predictionId: l.predictionId ?? '',
    entityKey: l.entityKey ?? '',
    ...(l.eventTime ? { eventTime: timestampFromDate(l.eventTime) } : {}),
    value: l.category !== undefined ? { case: 'category', value: l.category } : { case: 'numeric', value: l.numeric ?? 0 },
    producer: 'test',
  });
}
