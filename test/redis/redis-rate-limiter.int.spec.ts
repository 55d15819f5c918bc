import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisRateLimiter } from '@hookmux/queue-redis';
import { Redis } from 'ioredis';

import { RedisServer } from '../helpers/redis-server.js';

const limits = [
  { count: 5, windowMs: 400 },
  { count: 8, windowMs: 1500 },
];

/** The most sends in any trailing window of `windowMs` ending at a send (inclusive, like the limiter). */
function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let end = 0; end < sorted.length; end++) {
    const t = sorted[end] ?? 0;
    let n = 0;
    for (const s of sorted) if (s >= t - windowMs && s <= t) n++;
    most = Math.max(most, n);
  }
  return most;
}

describe('RedisRateLimiter (one sliding window per robot, shared through Redis)', () => {
  const redis = new RedisServer();
  const clients: Redis[] = [];

  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis.destroy();
  });

  const connect = (): Redis => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    clients.push(client);
    return client;
  };

  it('never admits more than any limit in any window, with concurrent callers on several connections', async () => {
    const limiters = Array.from({ length: 4 }, () => new RedisRateLimiter(connect(), 'rl-test'));
    const admitted: number[] = [];
    let refusals = 0;
    const want = 20;
    await Promise.all(
      limiters.map(async (limiter, caller) => {
        for (let i = 0; admitted.length < want; i++) {
          const answer = await limiter.take('robot-1', limits, `c${caller}-${i}`);
          if (answer.admitted) admitted.push(answer.now);
          else {
            refusals++;
            expect(answer.waitMs).toBeGreaterThan(0);
            // Ask again early and often: a limiter that only works when callers wait politely is broken.
            await new Promise((resolve) => setTimeout(resolve, Math.min(answer.waitMs, 7)));
          }
        }
      }),
    );
    expect(admitted.length).toBeGreaterThanOrEqual(want);
    expect(refusals).toBeGreaterThan(0);
    expect(mostInAnyWindow(admitted, 400)).toBeLessThanOrEqual(5);
    expect(mostInAnyWindow(admitted, 1500)).toBeLessThanOrEqual(8);
    // Full use of the budget, not a limiter that just refuses: the first window filled up.
    expect(mostInAnyWindow(admitted, 400)).toBe(5);
  }, 30_000);

  it('keeps robots apart, and its window outlives the process that filled it', async () => {
    const first = new RedisRateLimiter(connect(), 'rl-test');
    for (let i = 0; i < 3; i++)
      expect((await first.take('robot-2', [{ count: 3, windowMs: 60_000 }], `a${i}`)).admitted).toBe(true);
    expect((await first.take('robot-2', [{ count: 3, windowMs: 60_000 }], 'a3')).admitted).toBe(false);
    expect((await first.take('robot-3', [{ count: 3, windowMs: 60_000 }], 'b0')).admitted).toBe(true);

    // Another process (a new connection, a new limiter) sees the same window.
    const second = new RedisRateLimiter(connect(), 'rl-test');
    const state = await second.peek('robot-2', [{ count: 3, windowMs: 60_000 }]);
    expect(state.admitted).toBe(false);
    expect(state.limits).toEqual([{ count: 3, windowMs: 60_000, sentInWindow: 3 }]);
    expect(state.waitMs).toBeGreaterThan(50_000);
  });

  it('holds a robot for every instance once the robot itself said "too fast"', async () => {
    const a = new RedisRateLimiter(connect(), 'rl-test');
    const b = new RedisRateLimiter(connect(), 'rl-test');
    await a.block('robot-4', 30_000);
    const answer = await b.take('robot-4', [{ count: 100, windowMs: 1000 }], 'x');
    expect(answer.admitted).toBe(false);
    expect(answer.waitMs).toBeGreaterThan(20_000);
  });
});
