import { createHash } from 'node:crypto';

import { HookmuxError, type OnceStore } from '@hookmux/core';

import type { RedisContext } from './redis-context.js';

/**
 * The once-only memory (`<prefix>:once:<hash>`): `SET NX PX` on a hash of the key (the key holds
 * a signature; Redis need not). Shared by every process on this Redis; it outlives a Redis
 * restart as far as Redis persistence does (AOF with `appendfsync always`: every answered SET).
 */
export class RedisOnceStore implements OnceStore {
  readonly #ctx: RedisContext;

  constructor(ctx: RedisContext) {
    this.#ctx = ctx;
  }

  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    const hashed = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
    try {
      const set = await this.#ctx.run(() =>
        this.#ctx.client.set(
          `${this.#ctx.keyPrefix}once:${hashed}`,
          '1',
          'PX',
          Math.max(1, Math.ceil(expiresAt - now)),
          'NX',
        ),
      );
      return set === 'OK';
    } catch (error) {
      // An unchecked request is not accepted: the source answers 503 and Gitee retries.
      throw new HookmuxError(
        'HM_ERR_HTTP_UNAVAILABLE',
        'cannot reach Redis to check for a replayed request',
        {
          cause: error,
          hint: 'check that Redis (storage.url) is up and reachable; the source will retry',
        },
      );
    }
  }
}
