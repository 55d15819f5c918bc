import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type DeliveryAttempt,
  type DeliveryConfig,
  type RenderedDeliveryRequest,
  type DeliveryResult,
  HookmuxError,
  type Message,
  MemoryLogger,
  noMentions,
  type RateLimit,
  type ResolvedSink,
  type Sink,
  type SinkDirectory,
  type SinkTarget,
} from '@hookmux/core';
import { RedisQueue } from '@hookmux/queue-redis';

import { RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/start-test-hookmux.js';

const delivery: DeliveryConfig = {
  maxAttempts: 5,
  maxAgeMs: 60_000,
  backoffMs: 20,
  maxBackoffMs: 100,
  timeoutMs: 2000,
};

/** Records what it is asked to send; answers from a script. */
class RecordingSink implements Sink {
  readonly type = 'recording';
  readonly configSchema = {};
  readonly secretKeys = [];
  readonly rateLimits: readonly RateLimit[] = [];
  readonly sent: Message[] = [];
  script: (message: Message) => DeliveryResult = () => ({ ok: true });
  templateFormat(): 'md' {
    return 'md';
  }
  robotKey(target: SinkTarget): string {
    return String(target.settings['key']);
  }
  maxTextBytes(): number {
    return 4096;
  }
  toRequestBody(message: Message): unknown {
    return message.text;
  }
  send(message: Message): Promise<DeliveryResult> {
    const result = this.script(message);
    if (result.ok) this.sent.push(message);
    return Promise.resolve(result);
  }
}

function directory(sink: Sink, limits: readonly RateLimit[], merge = true): SinkDirectory {
  const resolved: ResolvedSink = {
    sink,
    target: { name: 'team', type: sink.type, settings: { key: 'robot-key-1' } },
    rateLimits: limits,
    robotKey: 'robot-key-1',
    merge,
    timeoutMs: 0,
  };
  return {
    resolve: (name) => (name === 'team' ? resolved : undefined),
    names: () => ['team'],
    people: () => [],
  };
}

function request(n: number): RenderedDeliveryRequest {
  const message: Message = {
    eventId: `ev-${n}`,
    eventName: 'gitee.push',
    sink: 'team',
    format: 'md',
    text: `push number ${n} token-${n}-end`,
    fields: {},
    mentions: noMentions,
    summary: `push ${n} token-${n}-end`,
    count: 1,
  };
  const event = {
    id: `ev-${n}`,
    source: 'gitee',
    type: 'push',
    name: 'gitee.push',
    ping: false,
    receivedAt: 0,
    summary: message.summary,
    payload: {},
    data: {},
  };
  return { eventId: `ev-${n}`, eventName: 'gitee.push', route: 'r', sink: 'team', event, message };
}

/** Every event number a delivered message stands for, digest or not. */
function eventsIn(messages: readonly Message[]): number[] {
  return messages.flatMap((m) => [
    ...new Set([...m.text.matchAll(/token-(\d+)-end/g)].map((x) => Number(x[1]))),
  ]);
}

describe('RedisQueue against a real redis-server', () => {
  let redis: RedisServer;
  const queues: RedisQueue[] = [];
  let prefix = 'hm-test';

  const open = async (sinks: SinkDirectory, logger = new MemoryLogger()): Promise<RedisQueue> => {
    const queue = new RedisQueue({
      url: redis.url,
      prefix,
      sinks,
      logger,
      delivery,
      pollMs: 100,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      commandTimeoutMs: 500,
    });
    queues.push(queue);
    await queue.open();
    return queue;
  };

  beforeEach(async () => {
    redis = await new RedisServer({ appendOnly: true }).start();
    prefix = `hm-test-${Math.random().toString(36).slice(2, 8)}`;
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop()));
    await redis.destroy();
  });

  it('de-duplicates (event, sink) across instances: one record, one id, whoever saw it first', async () => {
    const sink = new RecordingSink();
    const a = await open(directory(sink, []));
    const b = await open(directory(sink, []));
    const batch = Array.from({ length: 30 }, (_, i) => request(i));
    // Both instances get the same events at the same time (Gitee retried through another instance).
    const [ra, rb] = await Promise.all([a.enqueue(batch), b.enqueue(batch)]);
    expect(ra.queued + ra.duplicates).toBe(30);
    expect(rb.queued + rb.duplicates).toBe(30);
    // Later redeliveries are duplicates on either instance.
    expect(await a.enqueue(batch.slice(0, 10))).toEqual({ queued: 0, duplicates: 10 });
    expect(await b.enqueue(batch.slice(5, 15))).toEqual({ queued: 0, duplicates: 10 });

    const listed = await a.list({ limit: 1000 });
    expect(listed).toHaveLength(30);
    expect(new Set(listed.map((r) => r.eventId)).size).toBe(30);
    expect(new Set(listed.map((r) => r.id)).size).toBe(30);
    // Newest first, and the ids say which is newer.
    const ids = listed.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect((await b.get(listed[0]?.id ?? ''))?.eventId).toBe(listed[0]?.eventId);
    expect((await b.stats()).find((s) => s.sink === 'team')?.counts.pending).toBe(30);

    // Two dispatchers: each event sent once, in order.
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => sink.sent.length === 30, 20_000, 'every delivery sent');
    expect(sink.sent.map((m) => Number(m.eventId.slice(3)))).toEqual(batch.map((_, i) => i));
    await waitFor(() => sink.sent.length === 30, 500, 'no more sends');
    const after = await a.list({ status: 'sent', limit: 1000 });
    expect(after).toHaveLength(30);
  }, 40_000);

  it('shares the rate limit, merges a backlog into digests across instances, and reports every send', async () => {
    const sink = new RecordingSink();
    const limits = [{ count: 3, windowMs: 600 }];
    const a = await open(directory(sink, limits));
    const b = await open(directory(sink, limits));
    const attempts: DeliveryAttempt[] = [];
    a.observe((x) => attempts.push(x));
    b.observe((x) => attempts.push(x));
    await Promise.all([a.start(), b.start()]);
    const events = Array.from({ length: 40 }, (_, i) => i);
    for (const n of events) await (n % 2 === 0 ? a : b).enqueue([request(n)]);

    await waitFor(() => new Set(eventsIn(sink.sent)).size === events.length, 30_000, 'every event delivered');
    expect(eventsIn(sink.sent)).toEqual(events);
    expect(sink.sent.length).toBeLessThan(events.length);
    expect(sink.sent.some((m) => m.count > 1)).toBe(true);
    // The sink sees a send when it starts; its report follows once the result is recorded.
    const sentRows = (): number => attempts.reduce((n, x) => n + (x.outcomes.sent ?? 0), 0);
    await waitFor(() => sentRows() >= events.length, 10_000, 'every send reported');
    expect(sentRows()).toBe(events.length);
    expect(attempts.every((x) => x.result.ok && x.latenciesMs.length === x.deliveryIds.length)).toBe(true);
    const merged = (await a.list({ limit: 100 })).filter((r) => r.digestId !== undefined);
    expect(merged.length).toBeGreaterThan(0);
    expect(merged.every((r) => r.status === 'sent')).toBe(true);
  }, 40_000);

  it('retries, dead-letters a permanent refusal with its code, replays it, and purges', async () => {
    const sink = new RecordingSink();
    let failures = 0;
    sink.script = (m) => {
      if (m.eventId === 'ev-1')
        return { ok: false, kind: 'permanent', code: 93000, detail: 'invalid webhook url' };
      if (m.eventId === 'ev-0' && failures++ < 2)
        return { ok: false, kind: 'retryable', code: -1, detail: 'system busy' };
      return { ok: true };
    };
    const q = await open(directory(sink, [], false));
    await q.start();
    await q.enqueue([request(0), request(1), request(2)]);
    await waitFor(() => sink.sent.length === 2, 10_000, 'ev-0 and ev-2');
    expect(sink.sent.map((m) => m.eventId)).toEqual(['ev-0', 'ev-2']);
    const [dead] = await q.list({ status: 'dead' });
    expect(dead?.eventId).toBe('ev-1');
    expect(dead?.lastError).toEqual({ code: '93000', detail: 'invalid webhook url' });
    const first = (await q.list({ limit: 10 })).find((r) => r.eventId === 'ev-0');
    expect(first?.attempts).toBe(2);
    expect(first?.status).toBe('sent');

    sink.script = () => ({ ok: true });
    expect(await q.replayDead()).toBe(1);
    await waitFor(() => sink.sent.length === 3, 10_000, 'the replayed delivery');
    expect(sink.sent[2]?.eventId).toBe('ev-1');
    await waitFor(() => sink.sent.length === 3, 10);
    expect((await q.get(dead?.id ?? ''))?.status).toBe('sent');
    expect(await q.purge({ status: 'sent', olderThanMs: 0 })).toBe(3);
    expect(await q.list()).toHaveLength(0);
    // Purged pairs may be queued again, like deleted SQLite rows.
    expect(await q.enqueue([request(0)])).toEqual({ queued: 1, duplicates: 0 });
  }, 30_000);

  it('answers 503 (HM_ERR_HTTP_UNAVAILABLE) while Redis is down, and dispatches again once it is back', async () => {
    const sink = new RecordingSink();
    const q = await open(directory(sink, []));
    await q.start();
    await q.enqueue([request(0)]);
    await waitFor(() => sink.sent.length === 1, 10_000, 'the first delivery');

    await redis.stop();
    const refused = await q.enqueue([request(1)]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(HookmuxError.is(refused) && refused.code).toBe('HM_ERR_HTTP_UNAVAILABLE');
    expect(HookmuxError.is(refused) && refused.status).toBe(503);

    await redis.start();
    let accepted = false;
    // The producer connection reconnects by itself; until then enqueue keeps answering 503.
    const deadline = Date.now() + 10_000;
    while (!accepted && Date.now() < deadline) {
      accepted = await q.enqueue([request(2)]).then(
        () => true,
        () => false,
      );
      if (!accepted) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(accepted).toBe(true);
    await waitFor(() => sink.sent.length === 2, 15_000, 'delivery after the outage');
    expect(sink.sent.map((m) => m.eventId)).toEqual(['ev-0', 'ev-2']);
  }, 40_000);
});
