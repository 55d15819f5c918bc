import { createHash } from 'node:crypto';

import { HookmuxError, type OnceStore } from '@hookmux/core';
import type { Redis } from 'ioredis';

import type { RedisContext } from './redis-context.js';

interface ScriptedRedis extends Redis {
  hmOnce(key: string, expiresAt: number, now: number, ttlMs: number): Promise<number>;
}

/**
 * KEYS: the key; ARGV: expiresAt, now, ttlMs. The value is the expiry on the caller's clock (which decides,
 * as the interface says); PX lets Redis forget the key a while after that.
 */
const onceScript = `
local key, expiresAt, now, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local cur = redis.call('GET', key)
if cur and tonumber(cur) > now then return 0 end
redis.call('SET', key, expiresAt, 'PX', ttl)
return 1
`;

/** Redis forgets an expired key this long after its expiry (clocks of processes may differ a little). */
const forgetAfterMs = 60_000;

/**
 * The once-only memory (`<prefix>:once:<hash>`): one atomic script on a hash of the key (the key
 * holds a signature; Redis need not). Shared by every process on this Redis; it outlives a Redis
 * restart as far as Redis persistence does (AOF with `appendfsync always`: every answered write).
 */
export class RedisOnceStore implements OnceStore {
  readonly #ctx: RedisContext;
  readonly #redis: ScriptedRedis;

  constructor(ctx: RedisContext) {
    this.#ctx = ctx;
    const redis = ctx.client as ScriptedRedis;
    if (typeof redis.hmOnce !== 'function')
      redis.defineCommand('hmOnce', { numberOfKeys: 1, lua: onceScript });
    this.#redis = redis;
  }

  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    const hashed = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
    const ttl = Math.max(1, Math.ceil(expiresAt - now)) + forgetAfterMs;
    try {
      const fresh = await this.#ctx.run(() =>
        this.#redis.hmOnce(`${this.#ctx.keyPrefix}once:${hashed}`, expiresAt, now, ttl),
      );
      return Number(fresh) === 1;
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
