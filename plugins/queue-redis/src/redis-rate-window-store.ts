import type { RateWindowStore } from '@hookmux/core';
import type { Redis } from 'ioredis';

import type { RedisContext } from './redis-context.js';

type Arg = string | number;

interface ScriptedRedis extends Redis {
  hmRateRecord(...args: Arg[]): Promise<string>;
  hmRatePrune(...args: Arg[]): Promise<number>;
}

/** ARGV: P, robotKey, at. Returns the send's id: `<member>|<robotKey>`. */
const recordScript = `
local P, robotKey, at = ARGV[1], ARGV[2], ARGV[3]
local member = string.format('%015.0f', redis.call('INCR', P .. 'rate-seq'))
redis.call('ZADD', P .. 'rate:' .. robotKey, at, member)
redis.call('SADD', P .. 'rate-keys', robotKey)
return member .. '|' .. robotKey
`;

/** ARGV: P, before. Drops sends before `before` of every robot; forgets robots with none left. */
const pruneScript = `
local P, before = ARGV[1], ARGV[2]
local n = 0
for _, robotKey in ipairs(redis.call('SMEMBERS', P .. 'rate-keys')) do
  local key = P .. 'rate:' .. robotKey
  n = n + redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. before)
  if redis.call('ZCARD', key) == 0 then redis.call('SREM', P .. 'rate-keys', robotKey) end
end
return n
`;

/**
 * Sends per robot in Redis, one sorted set per robot key (`<prefix>:rate:<robotKey>`, member =
 * a counter id, score = the send's time): every hookmux process, and the next start, rebuilds its
 * limiter from the same history. Times are the dispatcher's clock, as the interface says.
 */
export class RedisRateWindowStore implements RateWindowStore {
  readonly #ctx: RedisContext;
  readonly #redis: ScriptedRedis;
  readonly #p: string;

  constructor(ctx: RedisContext) {
    this.#ctx = ctx;
    const redis = ctx.client as ScriptedRedis;
    if (typeof redis.hmRateRecord !== 'function') {
      redis.defineCommand('hmRateRecord', { numberOfKeys: 0, lua: recordScript });
      redis.defineCommand('hmRatePrune', { numberOfKeys: 0, lua: pruneScript });
    }
    this.#redis = redis;
    this.#p = ctx.keyPrefix;
  }

  async record(robotKey: string, at: number): Promise<string> {
    return String(await this.#ctx.run(() => this.#redis.hmRateRecord(this.#p, robotKey, at)));
  }

  async restamp(id: string, at: number): Promise<void> {
    const split = id.indexOf('|');
    if (split < 0) return;
    const member = id.slice(0, split);
    const robotKey = id.slice(split + 1);
    // XX: a send pruned meanwhile stays forgotten.
    await this.#ctx.run(() => this.#redis.zadd(`${this.#p}rate:${robotKey}`, 'XX', at, member));
  }

  async sendsSince(robotKey: string, since: number): Promise<readonly number[]> {
    const flat = await this.#ctx.run(() =>
      this.#redis.zrangebyscore(`${this.#p}rate:${robotKey}`, since, '+inf', 'WITHSCORES'),
    );
    const times: number[] = [];
    for (let i = 1; i < flat.length; i += 2) times.push(Number(flat[i]));
    return times;
  }

  async prune(before: number): Promise<void> {
    await this.#ctx.run(() => this.#redis.hmRatePrune(this.#p, before));
  }
}
