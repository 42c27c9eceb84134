import { describe, expect, it } from 'vitest';
import { createBackgroundCalls, type BackgroundOutcome } from './background-calls.js';

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition not reached');
};

describe('createBackgroundCalls', () => {
  it('runs after the current turn, counting ok, error and timeout', async () => {
    const outcomes: BackgroundOutcome[] = [];
    const calls = createBackgroundCalls({ concurrency: 10, deadlineMs: 50, onOutcome: (o) => outcomes.push(o) });
    let started = false;
    calls.run(async () => {
      started = true;
    });
    expect(started).toBe(false);
    calls.run(async () => {
      throw new Error('shadow broke');
    });
    calls.run(() => new Promise(() => undefined)); // ignores its signal: the deadline still frees the slot
    await until(() => outcomes.length === 3);
    expect(started).toBe(true);
    expect(outcomes.sort()).toEqual(['error', 'ok', 'timeout']);
    expect(calls.running).toBe(0);
    await calls.close();
  });

  it('sheds calls beyond the concurrency limit instead of queueing them', async () => {
    const outcomes: BackgroundOutcome[] = [];
    const calls = createBackgroundCalls({ concurrency: 2, deadlineMs: 10_000, onOutcome: (o) => outcomes.push(o) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    for (let i = 0; i < 5; i++) calls.run(() => gate);
    expect(outcomes).toEqual(['shed', 'shed', 'shed']);
    expect(calls.running).toBe(2);
    release();
    await until(() => outcomes.length === 5);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
    await calls.close();
    calls.run(async () => undefined);
    expect(outcomes.at(-1)).toBe('shed');
  });
});
