import type { ConsumerConfig } from 'nats';
import { subjectMatches } from '../subjects.js';

/** How a consumer's subject filters reach the server (wire subjects, namespace included). */
export type ServerFilter =
  | { readonly kind: 'single'; readonly subject: string }
  | { readonly kind: 'multiple'; readonly subjects: readonly string[] }
  /** nats-server < 2.10 has no `filter_subjects`: read the whole stream and skip the rest in the client. */
  | { readonly kind: 'client'; readonly subjects: readonly string[] };

export function serverFilterFor(wireFilters: readonly string[], serverVersion: string | undefined): ServerFilter {
  const [only] = wireFilters;
  if (wireFilters.length === 1 && only !== undefined) return { kind: 'single', subject: only };
  return supportsMultipleFilters(serverVersion) ? { kind: 'multiple', subjects: wireFilters } : { kind: 'client', subjects: wireFilters };
}

export function filterConfig(filter: ServerFilter): Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'> {
  switch (filter.kind) {
    case 'single':
      return { filter_subject: filter.subject };
    case 'multiple':
      return { filter_subjects: [...filter.subjects] };
    case 'client':
      return {};
  }
}

/** False only for messages a `client` filter must skip. */
export function passesClientFilter(filter: ServerFilter, wireSubject: string): boolean {
  return filter.kind !== 'client' || filter.subjects.some((pattern) => subjectMatches(pattern, wireSubject));
}

/** The filter a server reports for an existing consumer, in the same shape, to detect drift. */
export function sameServerFilter(config: Partial<ConsumerConfig>, filter: ServerFilter): boolean {
  const current = [...(config.filter_subjects ?? []), ...(config.filter_subject ? [config.filter_subject] : [])].sort().join(' ');
  const desired = filter.kind === 'single' ? filter.subject : filter.kind === 'multiple' ? [...filter.subjects].sort().join(' ') : '';
  return current === desired;
}

function supportsMultipleFilters(version: string | undefined): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 2 || (major === 2 && minor >= 10);
}
