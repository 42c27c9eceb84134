/**
 * Metric names a PromQL expression reads. Not a full parser: label matchers, grouping clauses,
 * ranges and strings are removed, and what remains that is an identifier not followed by "(" and
 * not a keyword is a metric name. Enough for dashboard expressions.
 */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$__\w+|\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = stripped.slice(match.index + name.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(name.toLowerCase())) continue;
    // The exponent of a number ("1e3") is not an identifier.
    if (/[\d.]/.test(stripped[match.index - 1] ?? '')) continue;
    names.add(name);
  }
  return [...names];
}

/** Names a Prometheus scrape exposes for one metric family of the text format's # TYPE line. */
export function seriesNames(family: string, type: string): string[] {
  switch (type) {
    case 'histogram':
      return [`${family}_bucket`, `${family}_sum`, `${family}_count`];
    case 'summary':
      return [family, `${family}_sum`, `${family}_count`];
    default:
      return [family];
  }
}

/** Every series name announced by `# TYPE` lines of a /metrics body. */
export function namesInExposition(body: string): Set<string> {
  const names = new Set<string>();
  for (const match of body.matchAll(/^# TYPE (\S+) (\S+)$/gm))
    for (const n of seriesNames(match[1]!, match[2]!)) names.add(n);
  return names;
}
