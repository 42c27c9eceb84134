import type { JsonValue, MessageInitShape } from '@bufbuild/protobuf';
import { ReferenceProfileSchema, type LineageSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import type { OptionSpecs } from '../../framework/args.js';
import { inputError } from '../../framework/errors.js';
import { readInputText } from '../../framework/files.js';
import { messageFromJson } from '../../parsing/json-message.js';
import { parseKeyValues, parseNumberMap } from '../../parsing/key-value.js';
import { invalid, parsed, type Parsed } from '../../parsing/result.js';

/** The flags that record where a model version came from (its lineage). */
export const LINEAGE_OPTIONS = {
  'dataset-uri': { type: 'string', valueName: 'URI', description: 'where the training data lives, e.g. s3://bucket/churn/2024-05' },
  'dataset-digest': { type: 'string', valueName: 'DIGEST', description: 'digest of the training data, e.g. sha256:<hex> from `mlops features export`' },
  'feature-ref': { type: 'string', multiple: true, valueName: 'VIEW:FEATURE', description: 'a model input, in input order' },
  'code-commit': { type: 'string', valueName: 'SHA', description: 'commit of the training code' },
  param: { type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'a hyperparameter' },
  metric: { type: 'string', multiple: true, valueName: 'NAME=NUMBER', description: 'an evaluation metric, e.g. auc=0.91 (gates compare these)' },
  description: { type: 'string', valueName: 'TEXT', description: 'what is new in this version' },
  'reference-profile': {
    type: 'string',
    valueName: 'FILE.json',
    description: 'training-data profile for drift detection (ReferenceProfile in protobuf JSON)',
  },
} as const satisfies OptionSpecs;

export interface LineageFlagValues {
  readonly 'dataset-uri': string | undefined;
  readonly 'dataset-digest': string | undefined;
  readonly 'feature-ref': readonly string[];
  readonly 'code-commit': string | undefined;
  readonly param: readonly string[];
  readonly metric: readonly string[];
  readonly description: string | undefined;
}

type LineageInit = MessageInitShape<typeof LineageSchema>;

/** The lineage the flags describe, except the reference profile (a file, read separately). */
export function lineageFromFlags(flags: LineageFlagValues): Parsed<LineageInit> {
  const hyperparameters = parseKeyValues(flags.param, '--param');
  if (!hyperparameters.ok) return hyperparameters;
  const metrics = parseNumberMap(flags.metric, '--metric');
  if (!metrics.ok) return metrics;
  const badRef = flags['feature-ref'].find((ref) => !/^[^:\s]+:[^:\s]+$/.test(ref));
  if (badRef !== undefined) return invalid(`--feature-ref expects VIEW:FEATURE, got ${JSON.stringify(badRef)}`);
  return parsed({
    datasetUri: flags['dataset-uri'] ?? '',
    datasetDigest: flags['dataset-digest'] ?? '',
    featureRefs: [...flags['feature-ref']],
    codeCommit: flags['code-commit'] ?? '',
    hyperparameters: hyperparameters.value,
    metrics: metrics.value,
    description: flags.description ?? '',
  });
}

/** Reads a ReferenceProfile written in the protobuf JSON mapping; a bad file is an input error naming it. */
export async function readReferenceProfile(path: string, display: string) {
  const text = await readInputText(path, display);
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (err) {
    throw inputError(`${display}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const profile = messageFromJson(ReferenceProfileSchema, json);
  if (!profile.ok) throw inputError(`${display}: not a ReferenceProfile (${profile.error})`);
  return profile.value;
}
