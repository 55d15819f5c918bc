import type { RateLimit } from '../contracts/sink.js';
import type { RateLimitState } from '../contracts/delivery-store.js';

/**
 * A sliding-window log for one robot: it remembers when each send went out and lets the next one
 * out only when every limit of the target (Feishu: 100/min AND 5/s) has room in its trailing
 * window. A log, not a counter, because a fixed-window counter lets 2× the limit through across a
 * window edge, which is exactly what makes WeCom answer 45009.
 */
export class SlidingWindowLimiter {
  #limits: readonly RateLimit[];
  /** Ascending send times. */
  readonly #sends: number[] = [];

  constructor(limits: readonly RateLimit[], history: readonly number[] = []) {
    this.#limits = limits.filter((l) => l.count > 0 && l.windowMs > 0);
    this.#sends.push(...[...history].sort((a, b) => a - b));
  }

  get limits(): readonly RateLimit[] {
    return this.#limits;
  }

  /** A reload may change a sink's `rateLimit:`; the history stays. */
  setLimits(limits: readonly RateLimit[]): void {
    this.#limits = limits.filter((l) => l.count > 0 && l.windowMs > 0);
  }

  /** The longest window, ms (0 without limits). */
  get longestWindowMs(): number {
    return Math.max(0, ...this.#limits.map((l) => l.windowMs));
  }

  /**
   * How many sends the limits let out over the next longest window, starting empty: the budget a
   * backlog is compared with before merging it (WeCom 20/60 s → 20; Feishu 100/60 s and
   * 5/1 s → 100).
   */
  get capacityPerWindow(): number {
    return capacityPerWindow(this.#limits);
  }

  /** The earliest time ≥ now at which one more send keeps every window within its limit. */
  nextFreeAt(now: number): number {
    let free = now;
    for (const limit of this.#limits) {
      const inWindow = this.#countSince(now - limit.windowMs);
      if (inWindow >= limit.count) {
        // The send that must leave the window before one more fits.
        const blocker = this.#sends[this.#sends.length - limit.count];
        if (blocker !== undefined) free = Math.max(free, blocker + limit.windowMs + 1);
      }
    }
    return free;
  }

  record(at: number): void {
    let i = this.#sends.length;
    while (i > 0 && (this.#sends[i - 1] ?? 0) > at) i--;
    this.#sends.splice(i, 0, at);
    this.#forget(at);
  }

  state(now: number): readonly RateLimitState[] {
    return this.#limits.map((l) => ({
      count: l.count,
      windowMs: l.windowMs,
      sentInWindow: this.#countSince(now - l.windowMs),
    }));
  }

  /** Sends at or after `from`: inclusive, so that a robot counting either way agrees with us. */
  #countSince(from: number): number {
    let n = 0;
    for (let i = this.#sends.length - 1; i >= 0 && (this.#sends[i] ?? 0) >= from; i--) n++;
    return n;
  }

  #forget(now: number): void {
    const keepFrom = now - Math.max(this.longestWindowMs, 1);
    let drop = 0;
    while (drop < this.#sends.length && (this.#sends[drop] ?? 0) < keepFrom) drop++;
    // Keep enough history for a reload that widens a window.
    if (drop > 1024) this.#sends.splice(0, drop);
  }
}

/**
 * How many sends the limits let out in the longest of their windows (20/60 s → 20; 100/min and
 * 5/s → 100): what a backlog must exceed before it is merged into digests.
 */
export function capacityPerWindow(limits: readonly RateLimit[]): number {
  const usable = limits.filter((l) => l.count > 0 && l.windowMs > 0);
  const longest = Math.max(0, ...usable.map((l) => l.windowMs));
  if (longest === 0) return Number.POSITIVE_INFINITY;
  return Math.min(...usable.map((l) => Math.floor((l.count * longest) / l.windowMs)));
}
