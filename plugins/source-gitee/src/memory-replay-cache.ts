import { injectable } from '@hookmux/core';

import type { ReplayCache } from './replay-cache.js';

/** The single-process replay cache: a Map with expiry, bounded so a flood cannot grow it forever. */
@injectable()
export class MemoryReplayCache implements ReplayCache {
  readonly #expiries = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  get size(): number {
    return this.#expiries.size;
  }

  remember(key: string, expiresAt: number, now: number): boolean {
    const known = this.#expiries.get(key);
    if (known !== undefined && known > now) return false;
    if (this.#expiries.size >= this.maxEntries) this.#evict(now);
    this.#expiries.delete(key);
    this.#expiries.set(key, expiresAt);
    return true;
  }

  #evict(now: number): void {
    for (const [key, expiresAt] of this.#expiries) {
      if (expiresAt <= now) this.#expiries.delete(key);
    }
    // Still full of live entries: drop the oldest inserted (Map keeps insertion order).
    for (const key of this.#expiries.keys()) {
      if (this.#expiries.size < this.maxEntries) break;
      this.#expiries.delete(key);
    }
  }
}
