import type { LeaseHolder, LeaseStore } from '@hookmux/core';
import type { Redis } from 'ioredis';

import type { RedisContext } from './redis-context.js';

type Arg = string | number;

interface ScriptedRedis extends Redis {
  hmLeaseAcquire(...args: Arg[]): Promise<number>;
  hmLeaseRelease(...args: Arg[]): Promise<number>;
}

/**
 * ARGV: P, owner, now, ttlMs. The value is `<expiresAt>|<owner>`; the key also expires on Redis's
 * clock (PX), so a lease nobody renews disappears even if every dispatcher's clock is wrong.
 */
const acquireScript = `
local key, owner, now, ttl = ARGV[1] .. 'lease', ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local cur = redis.call('GET', key)
if cur then
  local bar = string.find(cur, '|', 1, true)
  local expiresAt, holder = tonumber(string.sub(cur, 1, bar - 1)), string.sub(cur, bar + 1)
  if holder ~= owner and expiresAt > now then return 0 end
end
redis.call('SET', key, string.format('%.0f', now + ttl) .. '|' .. owner, 'PX', math.max(1, ttl))
return 1
`;

const releaseScript = `
local key, owner = ARGV[1] .. 'lease', ARGV[2]
local cur = redis.call('GET', key)
if cur and string.sub(cur, string.find(cur, '|', 1, true) + 1) == owner then
  redis.call('DEL', key)
  return 1
end
return 0
`;

/** The dispatcher lease (`<prefix>:lease`): SET ... PX, taken or renewed only by a Lua check of the owner. */
export class RedisLeaseStore implements LeaseStore {
  readonly #ctx: RedisContext;
  readonly #redis: ScriptedRedis;
  readonly #p: string;

  constructor(ctx: RedisContext) {
    this.#ctx = ctx;
    const redis = ctx.client as ScriptedRedis;
    if (typeof redis.hmLeaseAcquire !== 'function') {
      redis.defineCommand('hmLeaseAcquire', { numberOfKeys: 0, lua: acquireScript });
      redis.defineCommand('hmLeaseRelease', { numberOfKeys: 0, lua: releaseScript });
    }
    this.#redis = redis;
    this.#p = ctx.keyPrefix;
  }

  async tryAcquire(owner: string, now: number, ttlMs: number): Promise<boolean> {
    const taken = await this.#ctx.run(() =>
      this.#redis.hmLeaseAcquire(this.#p, owner, now, Math.ceil(ttlMs)),
    );
    return Number(taken) === 1;
  }

  async release(owner: string): Promise<void> {
    await this.#ctx.run(() => this.#redis.hmLeaseRelease(this.#p, owner));
  }

  async holder(): Promise<LeaseHolder | undefined> {
    const value = await this.#ctx.run(() => this.#redis.get(`${this.#p}lease`));
    if (value === null) return undefined;
    const bar = value.indexOf('|');
    if (bar < 0) return undefined;
    return { owner: value.slice(bar + 1), expiresAt: Number(value.slice(0, bar)) };
  }
}
