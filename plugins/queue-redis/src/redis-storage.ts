import { randomBytes } from 'node:crypto';

import {
  type DeliveryStorage,
  HookmuxError,
  type LeaseStore,
  type Logger,
  type OnceStore,
  type OutboxStore,
  type RateWindowStore,
  type StorageHealth,
} from '@hookmux/core';
import { Redis } from 'ioredis';

import { importBullmqOutbox } from './import-bullmq-outbox.js';
import { healthScript } from './outbox-lua.js';
import { classifyRedisError, RedisContext } from './redis-context.js';
import { RedisLeaseStore } from './redis-lease-store.js';
import { RedisOnceStore } from './redis-once-store.js';
import { RedisOutboxStore } from './redis-outbox-store.js';
import { RedisRateWindowStore } from './redis-rate-window-store.js';

export interface RedisStorageOptions {
  /** `redis://[:password@]host:port/db` or `rediss://` (TLS). */
  readonly url: string;
  /** Key prefix of everything hookmux keeps in Redis (default `hookmux`). */
  readonly prefix?: string;
  readonly logger: Logger;
  /** How long one command may wait for Redis before it fails (and intake answers 503), ms. */
  readonly commandTimeoutMs?: number;
}

interface ScriptedRedis extends Redis {
  hmHealth(...args: (string | number)[]): Promise<'ok' | 'deleted' | 'replaced'>;
}

/**
 * `storage: {type: redis}`: every store of `delivery-storage.ts` on one Redis, for several
 * hookmux processes (serve, worker) behind a load balancer. Storage only; core's Dispatcher holds
 * every policy, and its lease (here in Redis) makes one process at a time dispatch.
 *
 * One connection, failing fast: no offline queue and a short command timeout, so that while
 * Redis is away `insert` rejects at once (intake answers 503) and the dispatcher's calls fail and
 * are retried on its next pass; ioredis reconnects by itself.
 */
export class RedisStorage implements DeliveryStorage {
  readonly type = 'redis';
  readonly outbox: OutboxStore;
  readonly rates: RateWindowStore;
  readonly lease: LeaseStore;
  readonly once: OnceStore;

  readonly #ctx: RedisContext;
  readonly #redis: ScriptedRedis;
  readonly #where: string;
  #closed = false;
  #lastErrorLogAt = 0;

  constructor(options: RedisStorageOptions) {
    const timeout = options.commandTimeoutMs ?? 2000;
    const logger = options.logger.child({ component: 'outbox', storage: 'redis' });
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: timeout,
      connectTimeout: timeout,
      enableAutoPipelining: true,
      // Reconnect quickly and keep trying: an outage ends by itself, and intake should notice soon.
      retryStrategy: (times) => Math.min(100 * times, 1000),
    }) as ScriptedRedis;
    redis.defineCommand('hmHealth', { numberOfKeys: 0, lua: healthScript });
    redis.on('error', (error: Error) => this.#logRedisError(error));
    this.#redis = redis;
    // Never the URL itself: it may carry the password.
    this.#where = `${redis.options.host ?? '127.0.0.1'}:${redis.options.port ?? 6379}`;
    this.#ctx = new RedisContext(redis, options.prefix ?? 'hookmux', logger);
    this.outbox = new RedisOutboxStore(this.#ctx);
    this.rates = new RedisRateWindowStore(this.#ctx);
    this.lease = new RedisLeaseStore(this.#ctx);
    this.once = new RedisOnceStore(this.#ctx);
  }

  /**
   * Connects (a wrong URL fails at start, not at the first webhook), reads or creates the storage
   * marker, warns about Redis settings that can lose accepted events, and moves the rows of an
   * older hookmux's BullMQ outbox in (once).
   */
  async open(): Promise<this> {
    try {
      await this.#redis.connect();
      const key = `${this.#ctx.keyPrefix}meta`;
      await this.#redis.set(key, `${Date.now()}.${randomBytes(6).toString('hex')}`, 'NX');
      this.#ctx.marker = (await this.#redis.get(key)) ?? '';
    } catch (error) {
      this.#redis.disconnect();
      throw new HookmuxError(
        'HM_ERR_DELIVERY_STORE_OPEN',
        `cannot reach Redis at ${this.#where}: ${error instanceof Error ? error.message : String(error)}`,
        {
          at: 'storage.url',
          hint: 'check storage.url and that redis-server is running, reachable from this host and accepts writes',
          cause: error,
        },
      );
    }
    await this.#checkSettings();
    try {
      await importBullmqOutbox(this.#ctx);
    } catch (error) {
      this.#redis.disconnect();
      throw new HookmuxError(
        'HM_ERR_DELIVERY_STORE_OPEN',
        `cannot move the older BullMQ outbox into the Redis storage: ${error instanceof Error ? error.message : 'unknown error'}`,
        {
          at: 'storage.url',
          hint: 'check that Redis accepts writes, then start hookmux again (the move resumes)',
          cause: error,
        },
      );
    }
    return this;
  }

  async health(): Promise<StorageHealth> {
    if (this.#closed) return { ok: false, reason: 'down', detail: 'the outbox is closed' };
    if (this.#redis.status !== 'ready')
      return {
        ok: false,
        reason: 'down',
        detail: `Redis at ${this.#where} is not connected (${this.#redis.status})`,
      };
    let answer: string;
    try {
      answer = await this.#redis.hmHealth(this.#ctx.keyPrefix, this.#ctx.marker, Date.now());
    } catch (error) {
      return (
        this.#ctx.noteFailure(error) ??
        classifyRedisError(error) ?? { ok: false, reason: 'down', detail: String(error) }
      );
    }
    if (answer === 'deleted' || answer === 'replaced') {
      this.#ctx.markerLost(answer);
      return this.#ctx.failure ?? { ok: false, reason: answer, detail: answer };
    }
    const failure = this.#ctx.failure;
    if (failure?.ok === false && (failure.reason === 'deleted' || failure.reason === 'replaced'))
      return failure;
    this.#ctx.clearFailure();
    return { ok: true };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#redis.status !== 'ready') {
      this.#redis.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#redis.quit().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, 2000))),
    ]);
    clearTimeout(timer);
    this.#redis.disconnect();
  }

  /** AOF off or an evicting memory policy can lose what intake answered 200 for: say so at start. */
  async #checkSettings(): Promise<void> {
    try {
      const info = await this.#redis.info();
      const aof = /^aof_enabled:(\d)/m.exec(info)?.[1];
      const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
      if (aof === '0')
        this.#ctx.logger.warn(
          { redis: this.#where },
          'Redis runs without AOF (appendonly no): a Redis crash or restart loses accepted events; set appendonly yes and appendfsync always',
        );
      if (policy !== undefined && policy !== 'noeviction')
        this.#ctx.logger.warn(
          { redis: this.#where, policy },
          'Redis may evict keys (maxmemory-policy is not noeviction): an evicted row is a lost event',
        );
    } catch (error) {
      // INFO may be disabled on a managed Redis: nothing to check then.
      this.#ctx.logger.debug({ err: error }, 'could not read Redis INFO');
    }
  }

  /** Outages make the connection complain on every retry: one line per few seconds is enough. */
  #logRedisError(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastErrorLogAt < 5000) return;
    this.#lastErrorLogAt = now;
    this.#ctx.logger.error({ err: error }, 'Redis error; deliveries wait until it is back');
  }
}

/** Opens the Redis storage for `storage: {type: redis, url, prefix?}`. */
export function openRedisStorage(options: RedisStorageOptions): Promise<RedisStorage> {
  return new RedisStorage(options).open();
}
