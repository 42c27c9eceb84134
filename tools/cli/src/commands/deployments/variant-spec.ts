import { invalid, parsed, type Parsed } from '../../parsing/result.js';

export interface VariantSpec {
  readonly name: string;
  readonly version: bigint;
  readonly weight: number;
}

/** "stable=3:90": variant `stable` serves version 3 with relative weight 90. */
export function parseVariantSpec(text: string): Parsed<VariantSpec> {
  const match = /^([A-Za-z0-9_-]+)=(\d+):(\d+)$/.exec(text.trim());
  if (!match) return invalid(`--variant expects NAME=VERSION:WEIGHT (e.g. stable=3:90), got ${JSON.stringify(text)}`);
  const [, name = '', version = '0', weight = '0'] = match;
  if (BigInt(version) < 1n) return invalid(`--variant ${name}: version must be at least 1`);
  return parsed({ name, version: BigInt(version), weight: Number(weight) });
}
