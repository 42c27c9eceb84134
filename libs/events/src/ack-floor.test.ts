import { describe, expect, it } from 'vitest';
import { AckFloor } from './ack-floor.js';

describe('AckFloor', () => {
  it('acknowledges a contiguous settled run with its last message, and nothing past a gap', () => {
    const floor = new AckFloor<string>(10);
    floor.settle(12, 'm12');
    floor.settle(13, 'm13');
    // 11 is held elsewhere (another replica, a retry): acking 13 would acknowledge it too.
    expect(floor.advance()).toBeUndefined();
    expect(floor.waiting).toBe(2);
    floor.settle(11, 'm11');
    expect(floor.advance()).toBe('m13');
    expect(floor.floor).toBe(13);
    expect(floor.waiting).toBe(0);
    expect(floor.covers(12)).toBe(true);
    expect(floor.covers(14)).toBe(false);
  });

  it("adopts another holder's acknowledgements and drops what they covered", () => {
    const floor = new AckFloor<string>(0);
    floor.settle(3, 'm3');
    floor.settle(5, 'm5');
    floor.raise(3);
    expect(floor.waiting).toBe(1);
    expect(floor.advance()).toBeUndefined();
    floor.raise(4);
    expect(floor.advance()).toBe('m5');
    // A lower server floor (a lost ack) only counts after a reconnect.
    floor.raise(2);
    expect(floor.floor).toBe(5);
    floor.reset(2);
    expect(floor.floor).toBe(2);
    expect(floor.covers(3)).toBe(false);
  });
});
