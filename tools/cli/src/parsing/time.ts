import { invalid, parsed, type Parsed } from './result.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "5m", "1h30m", "7d", "250ms"; a bare number is seconds. */
export function parseDurationMs(text: string, what: string): Parsed<number> {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return parsed(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    return invalid(`${what} must be a duration like 90s, 5m, 1h30m or 7d, got ${JSON.stringify(text)}`);
  }
  return parsed(parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS], 0));
}

/**
 * A point in time: an RFC 3339 / ISO 8601 timestamp ("2024-05-01T12:00:00Z", "2024-05-01"), or a
 * duration meaning that long before `now` ("24h" = a day ago), which is what reports usually want.
 */
export function parseTime(text: string, what: string, now: number): Parsed<Date> {
  const relative = parseDurationMs(text, what);
  if (relative.ok && !/^\d+(\.\d+)?$/.test(text.trim())) return parsed(new Date(now - relative.value));
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const date = new Date(text.trim());
    if (!Number.isNaN(date.getTime())) return parsed(date);
  }
  return invalid(`${what} must be a time like 2024-05-01T12:00:00Z, or a duration back from now like 24h, got ${JSON.stringify(text)}`);
}
