/**
 * NATS subject arithmetic shared by both buses: wildcard matching (`*` = one token, `>` = one or
 * more trailing tokens) and the dead-letter naming rule, so the in-process bus routes exactly
 * like JetStream does.
 */

const DEAD_LETTER_PREFIX = 'mlops.deadletter.';

/** `mlops.deadletter.<original subject>` (DESIGN.md, "Events"). */
export function deadLetterSubject(originalSubject: string): string {
  return DEAD_LETTER_PREFIX + originalSubject;
}

/** True when the concrete `subject` is matched by `pattern` (which may hold wildcards). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const patternTokens = pattern.split('.');
  const subjectTokens = subject.split('.');
  for (let i = 0; i < patternTokens.length; i++) {
    const token = patternTokens[i];
    if (token === '>') return subjectTokens.length > i;
    const actual = subjectTokens[i];
    if (actual === undefined) return false;
    if (token !== '*' && token !== actual) return false;
  }
  return patternTokens.length === subjectTokens.length;
}

/**
 * True when every subject `filter` can match is also matched by `pattern`: a consumer filter
 * must lie inside its stream, or JetStream rejects the consumer.
 */
export function filterWithin(filter: string, pattern: string): boolean {
  const filterTokens = filter.split('.');
  const patternTokens = pattern.split('.');
  for (let i = 0; i < patternTokens.length; i++) {
    const p = patternTokens[i];
    const f = filterTokens[i];
    if (f === undefined) return false;
    if (p === '>') return true;
    if (f === '>') return false;
    if (p === '*') continue;
    if (f !== p) return false;
  }
  return filterTokens.length === patternTokens.length;
}

/** A subject to publish on: non-empty tokens, no wildcards, no whitespace. */
export function isConcreteSubject(subject: string): boolean {
  return subject.split('.').every((token) => token.length > 0 && !/[\s*>]/.test(token));
}

/** A consumer filter: like a concrete subject, but `*` anywhere and `>` as the last token. */
export function isValidFilter(filter: string): boolean {
  const tokens = filter.split('.');
  return tokens.every((token, i) => {
    if (token === '>') return i === tokens.length - 1;
    if (token === '*') return true;
    return token.length > 0 && !/[\s*>]/.test(token);
  });
}
