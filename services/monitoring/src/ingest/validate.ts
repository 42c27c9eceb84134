/**
 * Validation of incoming events and labels. A bad event is never retried: the consumer throws
 * InvalidEventError with the reason returned here and the bus dead-letters it.
 */
import type { MessageShape } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { LabelSchema, ShadowComparisonSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import type { DecodedPredictionEvent, PredictionRecord } from './prediction-event-decoder.js';

type Shadow = MessageShape<typeof ShadowComparisonSchema>;
export type Label = MessageShape<typeof LabelSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export type ValidEvent =
  | { readonly kind: 'prediction'; readonly prediction: PredictionRecord; readonly servedAt: Date }
  | { readonly kind: 'shadow'; readonly shadow: Shadow; readonly servedAt: Date };

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The <model> token of mlops.predictions.<model> / mlops.labels.<model>. */
export function modelOfSubject(subject: string): string | undefined {
  // Read for every event: found without splitting the subject into an array.
  const first = subject.indexOf('.');
  const second = first < 0 ? -1 : subject.indexOf('.', first + 1);
  if (second < 0 || subject.indexOf('.', second + 1) >= 0) return undefined;
  return subject.slice(second + 1);
}

export function validatePredictionEvent(event: DecodedPredictionEvent, subject: string): Result<ValidEvent> {
  const subjectModel = modelOfSubject(subject);
  switch (event.kind) {
    case 'prediction': {
      const p = event.prediction;
      if (p.predictionId === '') return { ok: false, error: 'prediction.prediction_id: expected a non-empty id' };
      if (!MODEL_NAME.test(p.model)) return { ok: false, error: `prediction.model: expected a model name, got ${JSON.stringify(p.model)}` };
      if (subjectModel !== p.model) return { ok: false, error: `prediction.model: expected ${JSON.stringify(subjectModel)} (the subject's model), got ${JSON.stringify(p.model)}` };
      if (p.version <= 0n) return { ok: false, error: `prediction.version: expected a version >= 1, got ${p.version}` };
      if (!p.servedAt) return { ok: false, error: 'prediction.served_at: expected a timestamp' };
      if (!(Number.isFinite(p.latencyMs) && p.latencyMs >= 0)) return { ok: false, error: `prediction.latency_ms: expected a finite number >= 0, got ${p.latencyMs}` };
      for (const t of p.outputs) {
        if (t.values.some((v) => !Number.isFinite(v)) && p.errorCode === '') return { ok: false, error: `prediction.outputs[${t.name}]: expected finite values` };
      }
      // Rounded to the millisecond as protobuf-es's timestampDate does (shadows below).
      return { ok: true, value: { kind: 'prediction', prediction: p, servedAt: new Date(p.servedAt.seconds * 1000 + Math.round(p.servedAt.nanos / 1e6)) } };
    }
    case 'shadow': {
      const s = event.shadow;
      if (s.predictionId === '') return { ok: false, error: 'shadow.prediction_id: expected a non-empty id' };
      if (subjectModel !== s.model) return { ok: false, error: `shadow.model: expected ${JSON.stringify(subjectModel)} (the subject's model), got ${JSON.stringify(s.model)}` };
      if (!s.servedAt) return { ok: false, error: 'shadow.served_at: expected a timestamp' };
      return { ok: true, value: { kind: 'shadow', shadow: s, servedAt: timestampDate(s.servedAt) } };
    }
    default:
      return { ok: false, error: 'kind: expected prediction or shadow, got neither' };
  }
}

/** Checks one label; `field` prefixes the field names in the error (e.g. "labels[3]"). */
export function validateLabel(label: Label, field: string, subjectModel?: string): Result<Label> {
  if (!MODEL_NAME.test(label.model)) return { ok: false, error: `${field}.model: expected a model name, got ${JSON.stringify(label.model)}` };
  if (subjectModel !== undefined && subjectModel !== label.model) {
    return { ok: false, error: `${field}.model: expected ${JSON.stringify(subjectModel)} (the subject's model), got ${JSON.stringify(label.model)}` };
  }
  if (label.predictionId === '' && (label.entityKey === '' || !label.eventTime)) {
    return { ok: false, error: `${field}.prediction_id: expected a prediction id, or entity_key and event_time` };
  }
  if (label.value.case === undefined) return { ok: false, error: `${field}.value: expected numeric or category` };
  if (label.value.case === 'numeric' && !Number.isFinite(label.value.value)) return { ok: false, error: `${field}.numeric: expected a finite number` };
  return { ok: true, value: label };
}
