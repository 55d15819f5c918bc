import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';

/**
 * Assigns delivery ids and de-duplicates (event, sink) pairs, atomically across instances: the
 * first instance to see a pair gets a new id from one counter, every later one (another instance
 * behind the load balancer, Gitee's redelivery) gets the same id back, and BullMQ refuses a second
 * job with that id. The id is assigned before the job is added, so a crash between the two leaves
 * an id whose job the retry adds, never a pair that is marked seen but not queued.
 *
 * Each id is also in a sorted set (score = id) whose member says which lane (sink queue) holds it,
 * so `get`/`list` find a job without scanning every queue.
 */
const assignScript = `
local seqKey, dedupKey, indexKey, lanesKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local out = {}
for i = 1, #ARGV, 3 do
  local pair, lane, jobKeyPrefix = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local id = redis.call('HGET', dedupKey, pair)
  if not id then
    id = tostring(redis.call('INCR', seqKey))
    redis.call('HSET', dedupKey, pair, id)
    redis.call('ZADD', indexKey, tonumber(id), id .. '|' .. lane .. '|' .. pair)
    redis.call('SADD', lanesKey, lane)
  end
  -- New unless its job already exists: a retry after a crash between this and the add is new too.
  local isNew = redis.call('EXISTS', jobKeyPrefix .. 'd' .. id) == 0 and 1 or 0
  table.insert(out, id)
  table.insert(out, isNew)
end
return out
`;

export interface IndexEntry {
  readonly id: string;
  readonly lane: string;
  readonly pair: string;
}

export interface PairToAssign {
  readonly pair: string;
  readonly lane: string;
  /** BullMQ's key prefix of the lane's jobs (`<prefix>:<queue>:`). */
  readonly jobKeyPrefix: string;
}

interface ScriptedRedis extends Redis {
  hmAssign(seq: string, dedup: string, index: string, lanes: string, ...args: string[]): Promise<string[]>;
}

export class DeliveryIndex {
  readonly #redis: ScriptedRedis;
  readonly #keys: { seq: string; dedup: string; index: string; lanes: string };

  constructor(redis: Redis, prefix: string) {
    const scripted = redis as ScriptedRedis;
    if (typeof scripted.hmAssign !== 'function')
      redis.defineCommand('hmAssign', { numberOfKeys: 4, lua: assignScript });
    this.#redis = scripted;
    this.#keys = {
      seq: `${prefix}:hm:seq`,
      dedup: `${prefix}:hm:dedup`,
      index: `${prefix}:hm:index`,
      lanes: `${prefix}:hm:lanes`,
    };
  }

  async assign(pairs: readonly PairToAssign[]): Promise<{ id: string; isNew: boolean }[]> {
    if (pairs.length === 0) return [];
    const args = pairs.flatMap((p) => [p.pair, p.lane, p.jobKeyPrefix]);
    const k = this.#keys;
    const flat = await this.#redis.hmAssign(k.seq, k.dedup, k.index, k.lanes, ...args);
    return pairs.map((_, i) => ({ id: String(flat[2 * i]), isNew: Number(flat[2 * i + 1]) === 1 }));
  }

  async locate(id: string): Promise<IndexEntry | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const [member] = await this.#redis.zrangebyscore(this.#keys.index, id, id);
    return member === undefined ? undefined : parseMember(member);
  }

  /** Newest first, ids below `before` (exclusive). */
  async page(before: number | undefined, count: number): Promise<IndexEntry[]> {
    const max = before === undefined ? '+inf' : `(${before}`;
    const members = await this.#redis.zrevrangebyscore(this.#keys.index, max, '-inf', 'LIMIT', 0, count);
    return members.map(parseMember).filter((e): e is IndexEntry => e !== undefined);
  }

  /** Purged deliveries: their pair may be queued again, like a deleted SQLite row. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const entries = await Promise.all(ids.map((id) => this.locate(id)));
    const found = entries.filter((e): e is IndexEntry => e !== undefined);
    if (found.length === 0) return;
    await this.#redis
      .multi()
      .zrem(this.#keys.index, ...found.map((e) => `${e.id}|${e.lane}|${e.pair}`))
      .hdel(this.#keys.dedup, ...found.map((e) => e.pair))
      .exec();
  }

  async lanes(): Promise<string[]> {
    return this.#redis.smembers(this.#keys.lanes);
  }
}

/** The de-duplication key of one (event, sink) pair. */
export function hashPair(eventId: string, sink: string): string {
  return createHash('sha256').update(eventId).update('\0').update(sink).digest('hex').slice(0, 32);
}

function parseMember(member: string): IndexEntry | undefined {
  const [id, lane, pair] = member.split('|');
  if (id === undefined || lane === undefined || pair === undefined) return undefined;
  return { id, lane, pair };
}
