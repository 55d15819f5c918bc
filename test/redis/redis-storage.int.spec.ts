import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type DeliveryStorage, MemoryLogger } from '@hookmux/core';
import { openRedisStorage, type RedisStorage } from '@hookmux/queue-redis';
import { Redis } from 'ioredis';

import { RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/start-test-hookmux.js';
import { hookEvent, t0, target } from '../storage/store-contract.js';

/** One redis-server for the file (AOF on); each test gets its own key prefix. */
const server = new RedisServer({ appendOnly: true });
let admin: Redis;
let prefixes = 0;

beforeAll(async () => {
  await server.start();
  admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  await admin.connect();
}, 20_000);
afterAll(async () => {
  admin.disconnect();
  await server.destroy();
});

function openStorage(prefix = `t${++prefixes}`, logger = new MemoryLogger()): Promise<RedisStorage> {
  return openRedisStorage({ url: server.url, prefix, logger, commandTimeoutMs: 1000 });
}

describe('Redis storage: several processes on one Redis', () => {
  const opened: DeliveryStorage[] = [];
  const open = async (prefix: string): Promise<RedisStorage> => {
    const storage = await openStorage(prefix);
    opened.push(storage);
    return storage;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('de-duplicates and claims atomically across two clients', async () => {
    const a = await open('two-clients');
    const b = await open('two-clients');
    const inserts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).outbox.insert(hookEvent(`ev-${i % 10}`), [target('s')], t0 + i),
      ),
    );
    expect(inserts.reduce((n, r) => n + r.queued, 0)).toBe(10);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).outbox.claim({ sinks: ['s'], robotKey: 'rk', now: t0 + 100, max: 2 }),
      ),
    );
    const ids = claims.flatMap((c) => c.rows.map((r) => r.id));
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
  });

  it('uses zero-padded ids, and takes one typed without the zeros as the same id', async () => {
    const a = await open('ids');
    await a.outbox.insert(hookEvent('ev-1'), [target('s')], t0);
    const [row] = await a.outbox.list();
    expect(row?.id).toBe('000000000000001');
    expect(await a.outbox.get('1')).toEqual(row);
    expect((await a.outbox.replay('1', t0 + 5))?.nextAttemptAt).toBe(t0 + 5);
    expect(await a.outbox.list({ before: '2' })).toHaveLength(1);
    expect(await a.outbox.get('1'.repeat(16))).toBeUndefined();
  });

  it('remembers a key once across two clients, also when they race', async () => {
    const a = await open('once');
    const b = await open('once');
    const now = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).once.rememberOnce('ts:sig', now + 60_000, now),
      ),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await b.once.rememberOnce('ts:sig', now + 60_000, now + 1)).toBe(false);
    // The key holds a signature: Redis keeps only a hash of it.
    expect(await admin.keys('once:once:*')).toHaveLength(1);
    expect((await admin.keys('once:*')).join(' ')).not.toContain('sig');
  });

  it('hands the lease over when its holder stops renewing it, and only to one taker', async () => {
    const a = await open('lease');
    const b = await open('lease');
    const c = await open('lease');
    expect(await a.lease.tryAcquire('host:1:a', t0, 10_000)).toBe(true);
    expect(await b.lease.tryAcquire('host:2:b', t0 + 5000, 10_000)).toBe(false);
    const takers = await Promise.all([
      b.lease.tryAcquire('host:2:b', t0 + 10_000, 10_000),
      c.lease.tryAcquire('host:3:c', t0 + 10_000, 10_000),
    ]);
    expect(takers.filter(Boolean)).toHaveLength(1);
    const holder = await a.lease.holder();
    expect(['host:2:b', 'host:3:c']).toContain(holder?.owner);
    expect(await a.lease.tryAcquire('host:1:a', t0 + 11_000, 10_000)).toBe(false);
  });

  it('keeps rows, events, the rate window and once keys across a reconnect and a Redis restart (AOF)', async () => {
    const a = await open('restart');
    await a.outbox.insert(hookEvent('ev-1'), [target('s'), target('t')], t0);
    await a.rates.record('rk', t0 + 5);
    await a.rates.record('rk', t0 + 7);
    const now = Date.now();
    await a.once.rememberOnce('sig', now + 600_000, now);
    await a.close();
    opened.splice(0);

    const b = await open('restart');
    expect(await b.rates.sendsSince('rk', t0)).toEqual([t0 + 5, t0 + 7]);
    await b.close();
    opened.splice(0);

    await server.stop();
    await server.start();
    const c = await open('restart');
    expect(await c.rates.sendsSince('rk', t0)).toEqual([t0 + 5, t0 + 7]);
    expect(await c.once.rememberOnce('sig', Date.now() + 600_000, Date.now())).toBe(false);
    const rows = await c.outbox.list();
    expect(rows.map((r) => r.sink).sort()).toEqual(['s', 't']);
    expect(rows[0]?.event).toEqual(hookEvent('ev-1'));
    expect(await c.outbox.insert(hookEvent('ev-1'), [target('s')], t0 + 9)).toEqual({
      queued: 0,
      duplicates: 1,
    });
    expect(await c.health()).toEqual({ ok: true });
  }, 30_000);
});

describe('Redis storage: upgrading from the BullMQ outbox of an older hookmux', () => {
  it('moves its rows in once, in order, with their rendered messages and statuses, still de-duplicated', async () => {
    const message = (n: number): Record<string, unknown> => ({
      eventId: `old-${n}`,
      eventName: 'gitee.push',
      sink: 'team',
      format: 'markdown',
      text: `rendered ${n}`,
      fields: {},
    });
    const job = (n: number, sink: string, extra: Record<string, unknown>): string =>
      JSON.stringify({
        id: String(n),
        eventId: `old-${n}`,
        eventName: 'gitee.push',
        route: 'r',
        sink,
        robotKey: 'rk-old',
        message: message(n),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: t0,
        createdAt: t0 + n,
        updatedAt: t0 + n,
        ...extra,
      });
    await admin.zadd(
      'legacy:hm:index',
      1,
      '1|sink.team|p1',
      2,
      '2|sink.team|p2',
      3,
      '3|sink.team|p3',
      4,
      '4|sink.other|p4',
      5,
      '5|sink.team|p5',
    );
    await admin.hset(
      'legacy:sink.team:d1',
      'data',
      job(1, 'team', { status: 'retrying', attempts: 2, lastError: { code: '500', detail: 'down' } }),
    );
    await admin.hset(
      'legacy:sink.team:d2',
      'data',
      job(2, 'team', { status: 'sending', sentAt: t0 + 50 }),
      'finishedOn',
      String(t0 + 60),
    );
    await admin.hset(
      'legacy:sink.team:d3',
      'data',
      job(3, 'team', { status: 'dead' }),
      'finishedOn',
      String(t0 + 70),
      'failedReason',
      'invalid webhook url',
    );
    await admin.hset('legacy:sink.other:d4', 'data', job(4, 'other', { status: 'sending' }));
    // 5: its job is gone (purged by the old queue): nothing to move.
    const storage = await openStorage('legacy');
    try {
      const rows = [...(await storage.outbox.list())].reverse();
      expect(rows.map((r) => [r.eventId, r.sink, r.status])).toEqual([
        ['old-1', 'team', 'retrying'],
        ['old-2', 'team', 'sent'],
        ['old-3', 'team', 'dead'],
        ['old-4', 'other', 'pending'],
      ]);
      expect(rows[0]).toMatchObject({
        attempts: 2,
        lastError: { code: '500', detail: 'down' },
        message: message(1),
        robotKey: 'rk-old',
      });
      expect(rows[0]?.event).toBeUndefined();
      expect(rows[1]).toMatchObject({ sentAt: t0 + 50, updatedAt: t0 + 60 });
      expect(rows[2]?.lastError).toEqual({ detail: 'invalid webhook url' });
      expect(
        await storage.outbox.insert(hookEvent('old-1'), [target('team'), target('new')], t0 + 100),
      ).toEqual({
        queued: 1,
        duplicates: 1,
      });
      const claim = await storage.outbox.claim({ sinks: ['team'], robotKey: 'rk', now: t0 + 100, max: 5 });
      expect(claim.rows.map((r) => r.message)).toEqual([message(1)]);
      // Purging a moved row works like any other.
      expect(await storage.outbox.purge({ status: 'sent', olderThanMs: 0 }, t0 + 1000)).toBe(1);
    } finally {
      await storage.close();
    }
    // Not moved twice: the purged row would come back, making 5.
    const again = await openStorage('legacy');
    try {
      expect(await again.outbox.list()).toHaveLength(4);
    } finally {
      await again.close();
    }
  });
});

describe('Redis storage health', () => {
  let storage: RedisStorage;
  let logger: MemoryLogger;
  beforeEach(async () => {
    logger = new MemoryLogger();
    storage = await openStorage(`health${++prefixes}`, logger);
  });
  afterEach(async () => {
    await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
    await admin.replicaof('NO', 'ONE').catch(() => undefined);
    await storage.close();
  });

  it('is down while the server is killed, refuses inserts (503), and recovers by itself when it is back', async () => {
    await storage.outbox.insert(hookEvent('ev-before'), [target('s')], t0);
    await server.kill();
    await waitFor(() => true);
    const down = await storage.health();
    expect(down).toMatchObject({ ok: false, reason: 'down' });
    expect(JSON.stringify(down)).not.toContain('redis://');
    await expect(storage.outbox.insert(hookEvent('ev-during'), [target('s')], t0 + 1)).rejects.toMatchObject({
      code: 'HM_ERR_HTTP_UNAVAILABLE',
    });
    await expect(storage.once.rememberOnce('k', Date.now() + 1000, Date.now())).rejects.toMatchObject({
      code: 'HM_ERR_HTTP_UNAVAILABLE',
    });
    await expect(storage.outbox.list()).rejects.toThrow();

    await server.start();
    let healthy = false;
    const deadline = Date.now() + 15_000;
    while (!healthy && Date.now() < deadline) {
      healthy = (await storage.health()).ok;
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(healthy).toBe(true);
    // SIGKILL: what was answered before (appendfsync always) survived; nothing came in between.
    expect((await storage.outbox.list()).map((r) => r.eventId)).toEqual(['ev-before']);
    expect(await storage.outbox.insert(hookEvent('ev-after'), [target('s')], t0 + 2)).toEqual({
      queued: 1,
      duplicates: 0,
    });
  }, 30_000);

  it('is readonly on a replica, and healthy again once it is a primary', async () => {
    await admin.replicaof('127.0.0.1', '1');
    expect(await storage.health()).toMatchObject({ ok: false, reason: 'readonly' });
    await expect(storage.outbox.insert(hookEvent('ev-1'), [target('s')], t0)).rejects.toMatchObject({
      code: 'HM_ERR_HTTP_UNAVAILABLE',
    });
    await admin.replicaof('NO', 'ONE');
    expect(await storage.health()).toEqual({ ok: true });
    expect((await storage.outbox.insert(hookEvent('ev-1'), [target('s')], t0)).queued).toBe(1);
  });

  it('is full when Redis is out of memory (OOM), and healthy again when it has room', async () => {
    await admin.config('SET', 'maxmemory', '1');
    await expect(storage.outbox.insert(hookEvent('ev-1'), [target('s')], t0)).rejects.toMatchObject({
      code: 'HM_ERR_HTTP_UNAVAILABLE',
    });
    expect(await storage.health()).toMatchObject({ ok: false, reason: 'full' });
    await admin.config('SET', 'maxmemory', '0');
    expect(await storage.health()).toEqual({ ok: true });
    expect((await storage.outbox.insert(hookEvent('ev-1'), [target('s')], t0)).queued).toBe(1);
  });

  it('notices its keys flushed under it (accepted events lost) and refuses events from then on', async () => {
    await storage.outbox.insert(hookEvent('ev-1'), [target('s')], t0);
    await admin.flushall();
    await expect(storage.outbox.insert(hookEvent('ev-2'), [target('s')], t0)).rejects.toMatchObject({
      code: 'HM_ERR_HTTP_UNAVAILABLE',
    });
    expect(await storage.health()).toMatchObject({ ok: false, reason: 'deleted' });
    expect(await storage.outbox.list()).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'error' && /vanished/.test(l.msg ?? ''))).toBe(true);
    // A process started afterwards works on the new, empty storage; this one stays refused.
    const next = await openStorage(`health${prefixes}`);
    try {
      expect(await next.health()).toEqual({ ok: true });
      expect(await storage.health()).toMatchObject({ ok: false, reason: 'replaced' });
    } finally {
      await next.close();
    }
  });
});
