import { describe, expect, it } from '@jest/globals';
import { SlidingWindowLimiter } from './sliding-window-limiter.js';

describe('SlidingWindowLimiter', () => {
  it('lets the limit through, then waits until the oldest send leaves the window', () => {
    const limiter = new SlidingWindowLimiter([{ count: 3, windowMs: 1000 }]);
    for (const at of [0, 10, 20]) {
      expect(limiter.nextFreeAt(at)).toBe(at);
      limiter.record(at);
    }
    expect(limiter.nextFreeAt(30)).toBe(1001);
    expect(limiter.nextFreeAt(1001)).toBe(1001);
    limiter.record(1001);
    expect(limiter.nextFreeAt(1002)).toBe(1011);
  });

  it('honours every limit at once (Feishu: 5/s and 100/min)', () => {
    const limiter = new SlidingWindowLimiter([
      { count: 5, windowMs: 1000 },
      { count: 7, windowMs: 60_000 },
    ]);
    let now = 0;
    const sent: number[] = [];
    while (sent.length < 9) {
      now = limiter.nextFreeAt(now);
      limiter.record(now);
      sent.push(now);
    }
    for (const [count, windowMs] of [
      [5, 1000],
      [7, 60_000],
    ] as const) {
      for (const start of sent)
        expect(sent.filter((t) => t >= start && t < start + windowMs + 1).length).toBeLessThanOrEqual(count);
    }
    expect(sent[5]).toBeGreaterThan(1000);
    expect(sent[7]).toBeGreaterThan(60_000);
  });

  it('is rebuilt from history, so a restart does not allow a burst', () => {
    const limiter = new SlidingWindowLimiter([{ count: 2, windowMs: 1000 }], [500, 100]);
    expect(limiter.nextFreeAt(600)).toBe(1101);
    expect(limiter.state(600)).toEqual([{ count: 2, windowMs: 1000, sentInWindow: 2 }]);
  });

  it('compares backlogs with the budget of the longest window', () => {
    expect(new SlidingWindowLimiter([{ count: 20, windowMs: 60_000 }]).capacityPerWindow).toBe(20);
    expect(
      new SlidingWindowLimiter([
        { count: 100, windowMs: 60_000 },
        { count: 5, windowMs: 1000 },
      ]).capacityPerWindow,
    ).toBe(100);
    expect(new SlidingWindowLimiter([]).nextFreeAt(42)).toBe(42);
  });
});
