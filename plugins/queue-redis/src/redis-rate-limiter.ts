import type { RateLimit, RateLimitState } from '@hookmux/core';
import type { Redis } from 'ioredis';

/**
 * One robot's sliding-window log, in a sorted set of send times (score = ms, Redis clock), plus a
 * "blocked until" key set when the robot itself said we were too fast. Admission is one Lua
 * script: it counts every limit's trailing window and either records the send or answers how
 * long to wait, so two instances can never both take the last slot of a window.
 *
 * The Redis clock, not each instance's: instances whose clocks drift apart would otherwise each
 * see a different window.
 */
const admitScript = `
local log, blockKey = KEYS[1], KEYS[2]
local take, member = ARGV[1] == 'take', ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local longest = 1
for i = 3, #ARGV, 2 do
  local w = tonumber(ARGV[i + 1])
  if w > longest then longest = w end
end
redis.call('ZREMRANGEBYSCORE', log, '-inf', '(' .. (now - longest))
local free = now
local blocked = tonumber(redis.call('GET', blockKey) or '0')
if blocked > free then free = blocked end
local counts = {}
for i = 3, #ARGV, 2 do
  local count, w = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local n = redis.call('ZCOUNT', log, now - w, '+inf')
  table.insert(counts, n)
  if n >= count then
    -- The send that must leave the window before one more fits: the count-th newest.
    local e = redis.call('ZREVRANGE', log, count - 1, count - 1, 'WITHSCORES')
    local blocker = tonumber(e[2])
    if blocker ~= nil and blocker + w + 1 > free then free = blocker + w + 1 end
  end
end
if take and free <= now then
  redis.call('ZADD', log, now, member)
  redis.call('PEXPIRE', log, longest + 60000)
  return {1, now, now, unpack(counts)}
end
return {0, now, free, unpack(counts)}
`;

/** Moves a send's mark from its admission to its completion: our window then outlasts the robot's. */
const touchScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return now
`;

const blockScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return untilMs
`;

export interface Admission {
  readonly admitted: boolean;
  /** Redis time of the answer, ms. */
  readonly now: number;
  /** When the next send may go out (Redis clock): `now` when admitted. */
  readonly nextFreeAt: number;
  /** How long to wait before asking again, ms (0 when admitted). */
  readonly waitMs: number;
  readonly limits: readonly RateLimitState[];
}

interface ScriptedRedis extends Redis {
  hmAdmit(log: string, block: string, ...args: (string | number)[]): Promise<number[]>;
  hmTouch(log: string, member: string): Promise<number>;
  hmBlock(block: string, waitMs: number): Promise<number>;
}

/**
 * The per-robot rate limiter shared by every instance through Redis: same semantics as core's
 * embedded `SlidingWindowLimiter` (every limit of the target at once, never more than the limit
 * in any window, inclusive counting), and it survives restarts because the log lives in Redis.
 */
export class RedisRateLimiter {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = defineScripts(redis);
    this.#prefix = prefix;
  }

  /** Records one send to `robotKey` if every limit has room; else says how long to wait. */
  take(robotKey: string, limits: readonly RateLimit[], sendId: string): Promise<Admission> {
    return this.#admit('take', robotKey, limits, sendId);
  }

  /** The state without taking a slot (stats, the admin page). */
  peek(robotKey: string, limits: readonly RateLimit[]): Promise<Admission> {
    return this.#admit('peek', robotKey, limits, '');
  }

  /** Once the robot answered: the send counts from now, not from when it was admitted. */
  async complete(robotKey: string, sendId: string): Promise<void> {
    await this.#redis.hmTouch(this.#logKey(robotKey), sendId);
  }

  /** The robot answered "too fast": every instance holds this robot for `waitMs`. */
  async block(robotKey: string, waitMs: number): Promise<number> {
    return this.#redis.hmBlock(this.#blockKey(robotKey), Math.max(1, Math.ceil(waitMs)));
  }

  async #admit(
    mode: 'take' | 'peek',
    robotKey: string,
    limits: readonly RateLimit[],
    sendId: string,
  ): Promise<Admission> {
    const usable = limits.filter((l) => l.count > 0 && l.windowMs > 0);
    const args = usable.flatMap((l) => [l.count, l.windowMs]);
    const answer = await this.#redis.hmAdmit(
      this.#logKey(robotKey),
      this.#blockKey(robotKey),
      mode,
      sendId,
      ...args,
    );
    const [admitted = 0, now = Date.now(), nextFreeAt = now, ...counts] = answer.map(Number);
    return {
      admitted: admitted === 1,
      now,
      nextFreeAt,
      waitMs: admitted === 1 ? 0 : Math.max(0, nextFreeAt - now),
      limits: usable.map((l, i) => ({ count: l.count, windowMs: l.windowMs, sentInWindow: counts[i] ?? 0 })),
    };
  }

  #logKey(robotKey: string): string {
    return `${this.#prefix}:hm:rate:${robotKey}`;
  }

  #blockKey(robotKey: string): string {
    return `${this.#prefix}:hm:rate-block:${robotKey}`;
  }
}

function defineScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  // defineCommand is idempotent per name; several limiters may share one connection.
  if (typeof scripted.hmAdmit !== 'function') {
    redis.defineCommand('hmAdmit', { numberOfKeys: 2, lua: admitScript });
    redis.defineCommand('hmTouch', { numberOfKeys: 1, lua: touchScript });
    redis.defineCommand('hmBlock', { numberOfKeys: 1, lua: blockScript });
  }
  return scripted;
}
