import { invalid, parsed, type Parsed } from './result.js';

/** "key=value" (the value may itself contain "="). */
export function parseKeyValue(text: string, flag: string): Parsed<readonly [string, string]> {
  const at = text.indexOf('=');
  if (at <= 0) return invalid(`${flag} expects KEY=VALUE, got ${JSON.stringify(text)}`);
  return parsed([text.slice(0, at).trim(), text.slice(at + 1)] as const);
}

/** Repeated "key=value" flags into a map; a key given twice is a mistake worth pointing out. */
export function parseKeyValues(texts: readonly string[], flag: string): Parsed<Record<string, string>> {
  const map: Record<string, string> = {};
  for (const text of texts) {
    const pair = parseKeyValue(text, flag);
    if (!pair.ok) return pair;
    const [key, value] = pair.value;
    if (key in map) return invalid(`${flag} ${key} is given twice`);
    map[key] = value;
  }
  return parsed(map);
}

/** A finite number, as written on a command line ("0.91", "-3", "1e-4"). */
export function parseNumber(text: string, what: string): Parsed<number> {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(value) ? parsed(value) : invalid(`${what} must be a number, got ${JSON.stringify(text)}`);
}

/** Repeated "name=number" flags (metrics). */
export function parseNumberMap(texts: readonly string[], flag: string): Parsed<Record<string, number>> {
  const pairs = parseKeyValues(texts, flag);
  if (!pairs.ok) return pairs;
  const map: Record<string, number> = {};
  for (const [key, text] of Object.entries(pairs.value)) {
    const value = parseNumber(text, `${flag} ${key}`);
    if (!value.ok) return value;
    map[key] = value.value;
  }
  return parsed(map);
}

/** A whole number of at least `min` (versions, sizes, counts). */
export function parseInteger(text: string, what: string, min = 1): Parsed<bigint> {
  if (!/^-?\d+$/.test(text.trim())) return invalid(`${what} must be a whole number, got ${JSON.stringify(text)}`);
  const value = BigInt(text.trim());
  return value >= BigInt(min) ? parsed(value) : invalid(`${what} must be at least ${min}, got ${text}`);
}
