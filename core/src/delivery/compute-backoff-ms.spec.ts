import { describe, expect, it } from '@jest/globals';
import { computeBackoffMs } from './compute-backoff-ms.js';

const config = { backoffMs: 100, maxBackoffMs: 1000 };

describe('computeBackoffMs', () => {
  it('doubles the cap each attempt up to maxBackoffMs (random pinned near 1)', () => {
    const caps = [1, 2, 3, 4, 5, 6].map((attempt) => computeBackoffMs(attempt, config, () => 0.999999));
    expect(caps).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('picks uniformly below the cap (full jitter)', () => {
    expect(computeBackoffMs(3, config, () => 0)).toBe(0);
    expect(computeBackoffMs(3, config, () => 0.5)).toBe(200);
  });

  it('does not overflow for huge attempt numbers', () => {
    expect(computeBackoffMs(10_000, config, () => 0.5)).toBe(500);
  });
});
