import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Value, ValueSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { formatNumber } from '../framework/output.js';
import { invalid, parsed, type Parsed } from './result.js';

export type ValueInit = MessageInitShape<typeof ValueSchema>;

/** An explicit null: the row says the value is missing. */
export const NULL_VALUE: ValueInit = {};

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/**
 * A CSV cell as a value of the feature's declared type. An empty cell is an explicit null:
 * CSV has no other way to say "missing".
 */
export function valueFromText(text: string, type: ValueType): Parsed<ValueInit> {
  if (text === '') return parsed(NULL_VALUE);
  switch (type) {
    case ValueType.DOUBLE: {
      const n = Number(text);
      return Number.isNaN(n) && text.trim().toLowerCase() !== 'nan' ? invalid(`expected a number, got ${JSON.stringify(text)}`) : parsed({ kind: { case: 'doubleValue', value: n } });
    }
    case ValueType.INT64:
      return /^-?\d+$/.test(text.trim()) ? parsed({ kind: { case: 'int64Value', value: BigInt(text.trim()) } }) : invalid(`expected a whole number, got ${JSON.stringify(text)}`);
    case ValueType.BOOL: {
      const lower = text.trim().toLowerCase();
      if (TRUE.has(lower)) return parsed({ kind: { case: 'boolValue', value: true } });
      if (FALSE.has(lower)) return parsed({ kind: { case: 'boolValue', value: false } });
      return invalid(`expected true or false, got ${JSON.stringify(text)}`);
    }
    case ValueType.BYTES:
      return parsed({ kind: { case: 'bytesValue', value: Buffer.from(text, 'base64') } });
    case ValueType.STRING:
    case ValueType.UNSPECIFIED:
      return parsed({ kind: { case: 'stringValue', value: text } });
  }
}

/** A JSON-lines field as a value of the feature's declared type (null is an explicit null). */
export function valueFromJson(json: unknown, type: ValueType): Parsed<ValueInit> {
  if (json === null || json === undefined) return parsed(NULL_VALUE);
  if (typeof json === 'string') return valueFromText(json, type);
  if (typeof json === 'number' || typeof json === 'boolean') {
    if (type === ValueType.DOUBLE && typeof json === 'number') return parsed({ kind: { case: 'doubleValue', value: json } });
    if (type === ValueType.BOOL && typeof json === 'boolean') return parsed({ kind: { case: 'boolValue', value: json } });
    return valueFromText(String(json), type);
  }
  return invalid(`expected a scalar, got ${JSON.stringify(json)}`);
}

/**
 * A value typed on the command line (`--feature age=42`), where no declared type is at hand:
 * numbers are doubles, true/false are booleans, anything else is a string. Quote a number
 * ("'42'") to send it as a string.
 */
export function valueFromFlag(text: string): ValueInit {
  const quoted = /^'(.*)'$/.exec(text) ?? /^"(.*)"$/.exec(text);
  if (quoted) return { kind: { case: 'stringValue', value: quoted[1] ?? '' } };
  if (text === 'true' || text === 'false') return { kind: { case: 'boolValue', value: text === 'true' } };
  if (text.trim() !== '' && Number.isFinite(Number(text))) return { kind: { case: 'doubleValue', value: Number(text) } };
  if (text === 'null') return NULL_VALUE;
  return { kind: { case: 'stringValue', value: text } };
}

/** A value for a table cell. */
export function formatValue(value: Value | undefined): string {
  const kind = value?.kind;
  switch (kind?.case) {
    case undefined:
      return 'null';
    case 'doubleValue':
      return formatNumber(kind.value);
    case 'int64Value':
      return String(kind.value);
    case 'boolValue':
      return String(kind.value);
    case 'stringValue':
      return kind.value;
    case 'bytesValue':
      return `<${kind.value.byteLength} bytes>`;
  }
}
