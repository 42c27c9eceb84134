import { describe, expect, it } from 'vitest';
import { createNamespace, namespacedStreamName } from './namespace.js';
import { serverFilterFor, passesClientFilter, sameServerFilter } from './nats/filters.js';
import { filterBelongsTo, streamForSubject } from './streams.js';
import { deadLetterSubject, isConcreteSubject, isValidFilter, subjectMatches } from './subjects.js';

describe('subjects', () => {
  it('matches NATS wildcards like the server', () => {
    expect(subjectMatches('mlops.registry.>', 'mlops.registry.churn.alias_set')).toBe(true);
    expect(subjectMatches('mlops.registry.>', 'mlops.registry')).toBe(false);
    expect(subjectMatches('mlops.registry.*.alias_set', 'mlops.registry.churn.alias_set')).toBe(true);
    expect(subjectMatches('mlops.registry.*.alias_set', 'mlops.registry.churn.version_created')).toBe(false);
    expect(subjectMatches('mlops.registry.*', 'mlops.registry.churn.alias_set')).toBe(false);
  });

  it('routes subjects to their stream, dead letters included', () => {
    expect(streamForSubject('mlops.features.clicks')).toBe('FEATURES');
    expect(streamForSubject(deadLetterSubject('mlops.features.clicks'))).toBe('DEADLETTER');
    expect(streamForSubject('orders.created')).toBeUndefined();
  });

  it('accepts only filters inside the stream', () => {
    expect(filterBelongsTo('REGISTRY', 'mlops.registry.*.alias_set')).toBe(true);
    expect(filterBelongsTo('REGISTRY', 'mlops.registry.>')).toBe(true);
    expect(filterBelongsTo('REGISTRY', 'mlops.>')).toBe(false);
    expect(filterBelongsTo('REGISTRY', 'mlops.*.churn')).toBe(false);
    expect(isValidFilter('mlops.registry.>.x')).toBe(false);
    expect(isConcreteSubject('mlops.registry..x')).toBe(false);
  });
});

describe('namespace', () => {
  it('prefixes subjects and stream names, and strips the prefix on the way back', () => {
    const ns = createNamespace('t_ab12');
    expect(ns.toWire('mlops.labels.churn')).toBe('t_ab12.mlops.labels.churn');
    expect(ns.fromWire('t_ab12.mlops.labels.churn')).toBe('mlops.labels.churn');
    expect(ns.streamName('LABELS')).toBe('T_AB12_LABELS');
    expect(namespacedStreamName('LABELS')).toBe('LABELS');
    expect(() => createNamespace('a.b')).toThrow(/namespace: expected/);
  });
});

describe('server filters', () => {
  it('uses filter_subjects only on servers that have it, and filters in the client otherwise', () => {
    expect(serverFilterFor(['a.>'], 'v2.9.10')).toEqual({ kind: 'single', subject: 'a.>' });
    expect(serverFilterFor(['a.x', 'a.y'], '2.10.4')).toEqual({ kind: 'multiple', subjects: ['a.x', 'a.y'] });
    const legacy = serverFilterFor(['a.x', 'a.y'], '2.9.10');
    expect(legacy.kind).toBe('client');
    expect(passesClientFilter(legacy, 'a.y')).toBe(true);
    expect(passesClientFilter(legacy, 'a.z')).toBe(false);
    expect(sameServerFilter({ filter_subjects: ['a.y', 'a.x'] }, { kind: 'multiple', subjects: ['a.x', 'a.y'] })).toBe(true);
    expect(sameServerFilter({ filter_subject: 'a.x' }, { kind: 'single', subject: 'a.y' })).toBe(false);
  });
});
