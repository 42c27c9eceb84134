import { describe, expect, it } from 'vitest';
import { startPeriodicRounds } from './periodic-rounds.js';

const waitUntil = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};

describe('startPeriodicRounds', () => {
  it('runs rounds one at a time: runNow while a round runs waits for it, then runs its own', async () => {
    const log: string[] = [];
    let n = 0;
    const rounds = startPeriodicRounds({
      round: async () => {
        const id = ++n;
        log.push(`start ${id}`);
        await new Promise((r) => setTimeout(r, 10));
        log.push(`end ${id}`);
        return id;
      },
      intervalMs: 60_000,
      onError: () => undefined,
    });
    const results = await Promise.all([rounds.runNow(), rounds.runNow(), rounds.runNow()]);
    await rounds.stop();
    expect(results.sort()).toEqual([1, 2, 3]);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('reports a failed round and tries again on the next tick; stop waits for the running round and ends the timer', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    let release: (() => void) | undefined;
    const rounds = startPeriodicRounds({
      round: async () => {
        calls++;
        if (calls === 1) throw new Error('database away');
        await new Promise<void>((r) => (release = r));
        return calls;
      },
      intervalMs: 5,
      firstAfterMs: 0,
      onError: (err) => errors.push(err),
    });
    await waitUntil(() => release !== undefined);
    expect(errors).toEqual([new Error('database away')]);
    let stopped = false;
    const stopping = rounds.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release!();
    await stopping;
    const after = calls;
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(after);
  });

  it('passes runNow its argument, and runs no timer at an interval of 0', async () => {
    const seen: Array<string | undefined> = [];
    const rounds = startPeriodicRounds<number, string>({
      round: async (arg) => {
        seen.push(arg);
        return seen.length;
      },
      intervalMs: 0,
      firstAfterMs: 0,
      onError: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
    expect(await rounds.runNow('at noon')).toBe(1);
    expect(await rounds.runNow()).toBe(2);
    expect(seen).toEqual(['at noon', undefined]);
    await rounds.stop();
  });
});
