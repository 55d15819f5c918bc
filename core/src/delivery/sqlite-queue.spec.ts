import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DeliveryConfig } from '../config/hookmux-config.js';
import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import type { DeliveryRequest } from '../contracts/queue.js';
import type { ResolvedSink, SinkDirectory } from '../contracts/sink-directory.js';
import type { DeliveryResult, RateLimit, Sink, SinkContext, SinkTarget } from '../contracts/sink.js';
import { MemoryLogger } from '../logging/memory-logger.js';
import { buildDigest } from './build-digest.js';
import type { RenderedSend, SendRenderer, SendRenderRequest } from './send-renderer.js';
import { SqliteQueue } from './sqlite-queue.js';

interface Call {
  readonly message: Message;
  readonly sink: string;
  readonly startedAt: number;
  endedAt?: number;
}

type Script = (
  message: Message,
  call: number,
  context: SinkContext,
) => DeliveryResult | Promise<DeliveryResult>;

/** A sink that records every call and answers from a script. */
class ScriptedSink implements Sink {
  readonly type = 'scripted';
  readonly configSchema = {};
  readonly secretKeys = ['key'];
  readonly calls: Call[] = [];
  constructor(
    public script: Script = () => ({ ok: true }),
    readonly rateLimits: readonly RateLimit[] = [],
    private readonly maxBytes = 4096,
  ) {}
  templateFormat(): 'md' {
    return 'md';
  }
  robotKey(target: SinkTarget): string {
    return String(target.settings['key']);
  }
  maxTextBytes(): number {
    return this.maxBytes;
  }
  toRequestBody(message: Message): unknown {
    return { text: message.text };
  }
  async send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    const call: Call = { message, sink: target.name, startedAt: Date.now() };
    this.calls.push(call);
    const result = await this.script(message, this.calls.length - 1, context);
    call.endedAt = Date.now();
    return result;
  }
  eventIds(): string[] {
    return this.calls.map((c) => c.message.eventId);
  }
}

class TestDirectory implements SinkDirectory {
  readonly sinks = new Map<string, ResolvedSink>();
  add(
    name: string,
    sink: ScriptedSink,
    options: { key?: string; limits?: readonly RateLimit[]; merge?: boolean; timeoutMs?: number } = {},
  ): this {
    const target: SinkTarget = {
      name,
      type: sink.type,
      settings: { key: options.key ?? `secret-key-${name}` },
    };
    this.sinks.set(name, {
      sink,
      target,
      rateLimits: options.limits ?? sink.rateLimits,
      robotKey: sink.robotKey(target),
      merge: options.merge ?? false,
      timeoutMs: options.timeoutMs ?? 1000,
    });
    return this;
  }
  resolve(name: string): ResolvedSink | undefined {
    return this.sinks.get(name);
  }
  names(): readonly string[] {
    return [...this.sinks.keys()];
  }
  people(): readonly [] {
    return [];
  }
}

const delivery: DeliveryConfig = {
  maxAttempts: 5,
  maxAgeMs: 60_000,
  backoffMs: 10,
  maxBackoffMs: 40,
  timeoutMs: 1000,
};

function makeRequest(i: number, sink = 'team-a', text = `push ${i}`): DeliveryRequest {
  const event: HookEvent = {
    id: `ev-${i}`,
    source: 'gitee',
    type: 'push',
    name: 'gitee.push',
    ping: false,
    receivedAt: 0,
    url: `https://gitee.com/acme/app/commit/${i}`,
    summary: `zhangsan pushed to main (${i})`,
    payload: { text },
    data: {},
  };
  return { eventId: event.id, eventName: event.name, route: 'acme-main', sink, event };
}

/** Renders an event as its payload's text; several as `buildDigest` merges them. */
class TextRenderer implements SendRenderer {
  render({ entries, to, digestId }: SendRenderRequest): Promise<RenderedSend> {
    const messages = entries.map(({ event }): Message => ({
      eventId: event.id,
      eventName: event.name,
      sink: to.target.name,
      format: 'md',
      text: (event.payload as { text: string }).text,
      fields: {},
      mentions: { userIds: [], mobiles: [], all: false },
      ...(event.url ? { url: event.url } : {}),
      summary: event.summary,
      count: 1,
    }));
    const [first] = messages;
    if (first === undefined) throw new RangeError('nothing to render');
    if (digestId === undefined || messages.length === 1)
      return Promise.resolve({ message: first, included: 1 });
    return Promise.resolve(
      buildDigest(messages, { maxTextBytes: to.sink.maxTextBytes(to.target), digestId }),
    );
  }
}

async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The largest number of calls whose start falls within any window of `windowMs`. */
function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u <= t + windowMs).length));
}

let dir: string;
let dbPath: string;
let logger: MemoryLogger;
const open: SqliteQueue[] = [];

function openQueue(
  directory: SinkDirectory,
  overrides: Partial<DeliveryConfig> = {},
  extra: {
    pollMs?: number;
    stopTimeoutMs?: number;
    now?: () => number;
    random?: () => number;
    leaseMs?: number;
  } = {},
): SqliteQueue {
  const queue = new SqliteQueue({
    path: dbPath,
    sinks: directory,
    logger,
    delivery: { ...delivery, ...overrides },
    renderer: new TextRenderer(),
    pollMs: 50,
    ...extra,
  });
  open.push(queue);
  return queue;
}

function countRows(where = '1 = 1'): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE ${where}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookmux-outbox-'));
  dbPath = join(dir, 'nested', 'data', 'hookmux.db');
  logger = new MemoryLogger();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteQueue: intake', () => {
  it('commits concurrent enqueues together, and every one is durable', async () => {
    const queue = openQueue(new TestDirectory().add('team-a', new ScriptedSink()));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => queue.enqueue([makeRequest(i)])));
    expect(results.every((r) => r.queued === 1 && r.duplicates === 0)).toBe(true);
    expect(queue.commitCount).toBeGreaterThan(0);
    expect(queue.commitCount).toBeLessThan(200);
    await queue.stop();
    expect(countRows(`status = 'pending'`)).toBe(200);
  });

  it('creates the folder and refuses a newer schema version', async () => {
    await openQueue(new TestDirectory()).stop();
    const db = new Database(dbPath);
    db.pragma('user_version = 99');
    db.close();
    let error: unknown;
    try {
      openQueue(new TestDirectory());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'HM_ERR_DELIVERY_STORE_OPEN' });
  });

  it('treats the same (event, sink) pair as a duplicate, in one batch or across batches', async () => {
    const queue = openQueue(
      new TestDirectory().add('team-a', new ScriptedSink()).add('ops', new ScriptedSink()),
    );
    const [first, second] = await Promise.all([
      queue.enqueue([makeRequest(1), makeRequest(1, 'ops')]),
      queue.enqueue([makeRequest(1)]),
    ]);
    expect(first).toEqual({ queued: 2, duplicates: 0 });
    expect(second).toEqual({ queued: 0, duplicates: 1 });
    expect(await queue.enqueue([makeRequest(1, 'ops'), makeRequest(2)])).toEqual({
      queued: 1,
      duplicates: 1,
    });
    await queue.stop();
    expect(countRows()).toBe(3);
  });

  it('refuses work after stop with a 503 error', async () => {
    const queue = openQueue(new TestDirectory());
    await queue.stop();
    await expect(queue.enqueue([makeRequest(1)])).rejects.toMatchObject({
      code: 'HM_ERR_HTTP_UNAVAILABLE',
      status: 503,
    });
  });

  it('never stores or logs the robot key, only a digest of it', async () => {
    const sink = new ScriptedSink(() => ({ ok: false, kind: 'retryable', code: -1, detail: 'system busy' }));
    const queue = openQueue(new TestDirectory().add('team-a', sink, { key: 'KEY-693a91f6-7xxx' }), {
      maxAttempts: 1,
    });
    await queue.enqueue([makeRequest(1)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'dead'`) === 1, 'dead');
    const stats = await queue.stats();
    await queue.stop();
    expect(stats[0]?.rateLimit?.robotKey).toMatch(/^[0-9a-f]{16}$/);
    expect(readFileSync(dbPath).toString('latin1')).not.toContain('KEY-693a91f6');
    expect(logger.text()).not.toContain('KEY-693a91f6');
  });
});

describe('SqliteQueue: dispatch', () => {
  it('delivers in order, marks sent, and never sends a sent row again after a restart', async () => {
    const sink = new ScriptedSink();
    const directory = new TestDirectory().add('team-a', sink);
    const first = openQueue(directory);
    await first.enqueue([1, 2, 3].map((i) => makeRequest(i)));
    await first.start();
    await waitFor(() => countRows(`status = 'sent'`) === 3, 'three sent');
    await first.stop();

    const second = openQueue(directory);
    await second.start();
    await second.enqueue([makeRequest(4)]);
    await waitFor(() => countRows(`status = 'sent'`) === 4, 'fourth sent');
    // The lane sends oldest first, so a re-send of 1..3 would have come before 4.
    expect(sink.eventIds()).toEqual(['ev-1', 'ev-2', 'ev-3', 'ev-4']);
    const record = (await second.list({ limit: 1 }))[0];
    expect(record).toMatchObject({ eventId: 'ev-4', status: 'sent', attempts: 0 });
    expect(record?.sentAt).toBeGreaterThanOrEqual(record?.createdAt ?? Infinity);
  });

  it('sends rows a crash left in `sending` again, once', async () => {
    const sink = new ScriptedSink();
    const directory = new TestDirectory().add('team-a', sink);
    const before = openQueue(directory);
    await before.enqueue([1, 2, 3].map((i) => makeRequest(i)));
    await before.stop();
    const db = new Database(dbPath);
    db.prepare(`UPDATE deliveries SET status = 'sent', sent_at = 1 WHERE event_id = 'ev-1'`).run();
    db.prepare(`UPDATE deliveries SET status = 'sending' WHERE event_id = 'ev-2'`).run();
    db.close();

    const after = openQueue(directory);
    await after.start();
    await waitFor(() => countRows(`status = 'sent'`) === 3, 'all sent');
    expect(sink.eventIds()).toEqual(['ev-2', 'ev-3']);
    expect(logger.lines.some((l) => l.msg.includes('interrupted mid-send'))).toBe(true);
  });

  it('keeps a robot to its limit, also across a restart (limiter rebuilt from the outbox)', async () => {
    const limits = [{ count: 3, windowMs: 600 }];
    const sink = new ScriptedSink(() => ({ ok: true }), limits);
    const directory = new TestDirectory().add('team-a', sink);
    const first = openQueue(directory);
    await first.enqueue([1, 2, 3, 4, 5].map((i) => makeRequest(i)));
    await first.start();
    await waitFor(() => sink.calls.length >= 3, 'first window used');
    await first.stop();

    const second = openQueue(directory);
    await second.enqueue([6, 7, 8].map((i) => makeRequest(i)));
    await second.start();
    await waitFor(() => countRows(`status = 'sent'`) === 8, 'all sent');
    expect(
      maxInAnyWindow(
        sink.calls.map((c) => c.startedAt),
        600,
      ),
    ).toBeLessThanOrEqual(3);
    expect(new Set(sink.eventIds()).size).toBe(8);
    const stats = await second.stats();
    expect(stats[0]?.rateLimit?.limits[0]).toMatchObject({ count: 3, windowMs: 600 });
  });

  it('retries with backoff, then dead-letters after maxAttempts with the last error', async () => {
    const sink = new ScriptedSink(() => ({ ok: false, kind: 'retryable', code: -1, detail: 'system busy' }));
    const queue = openQueue(
      new TestDirectory().add('team-a', sink),
      { maxAttempts: 3, backoffMs: 30, maxBackoffMs: 1000 },
      { random: () => 0.999 },
    );
    await queue.enqueue([makeRequest(1)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'dead'`) === 1, 'dead');
    expect(sink.calls).toHaveLength(3);
    // With jitter pinned near 1 the waits are 29 and 59 ms: a retry never comes early.
    const [a, b, c] = sink.calls;
    expect((b?.startedAt ?? 0) - (a?.endedAt ?? 0)).toBeGreaterThanOrEqual(29);
    expect((c?.startedAt ?? 0) - (b?.endedAt ?? 0)).toBeGreaterThanOrEqual(59);
    const [record] = await queue.list({ status: 'dead' });
    expect(record).toMatchObject({ attempts: 3, lastError: { code: '-1', detail: 'system busy' } });
  });

  it('dead-letters after maxAgeMs even with attempts left', async () => {
    let skew = 0;
    const sink = new ScriptedSink(() => {
      skew += 10_000;
      return { ok: false, kind: 'retryable', code: 502, detail: 'bad gateway' };
    });
    const queue = openQueue(
      new TestDirectory().add('team-a', sink),
      { maxAttempts: 100, maxAgeMs: 5000 },
      { now: () => Date.now() + skew },
    );
    await queue.enqueue([makeRequest(1)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'dead'`) === 1, 'dead by age');
    expect(sink.calls).toHaveLength(1);
  });

  it('dead-letters a permanent failure at once, with the robot code', async () => {
    const sink = new ScriptedSink(() => ({
      ok: false,
      kind: 'permanent',
      code: 93000,
      detail: 'invalid webhook url',
    }));
    const queue = openQueue(new TestDirectory().add('team-a', sink));
    await queue.enqueue([makeRequest(1)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'dead'`) === 1, 'dead');
    expect(sink.calls).toHaveLength(1);
    expect(await queue.get((await queue.list())[0]?.id ?? '')).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: { code: '93000', detail: 'invalid webhook url' },
    });
  });

  it('waits out a 45009 without counting it as an attempt, holding the whole lane', async () => {
    const sink = new ScriptedSink((_m, call) =>
      call === 0
        ? { ok: false, kind: 'throttled', code: 45009, detail: 'api freq out of limit', retryAfterMs: 250 }
        : { ok: true },
    );
    const queue = openQueue(new TestDirectory().add('team-a', sink), { maxAttempts: 1 });
    await queue.enqueue([makeRequest(1), makeRequest(2)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 2, 'both sent');
    expect(sink.eventIds()).toEqual(['ev-1', 'ev-1', 'ev-2']);
    expect((sink.calls[1]?.startedAt ?? 0) - (sink.calls[0]?.endedAt ?? 0)).toBeGreaterThanOrEqual(250);
    const sent = await queue.list({ status: 'sent' });
    expect(sent.map((r) => r.attempts)).toEqual([0, 0]);
    expect(sent.find((r) => r.eventId === 'ev-1')?.lastError).toEqual({
      code: '45009',
      detail: 'api freq out of limit',
    });
  });

  it('keeps order within a target while its head is backing off', async () => {
    const sink = new ScriptedSink((_m, call) =>
      call === 0 ? { ok: false, kind: 'retryable', code: -1, detail: 'busy' } : { ok: true },
    );
    const queue = openQueue(new TestDirectory().add('team-a', sink));
    await queue.enqueue([1, 2, 3].map((i) => makeRequest(i)));
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 3, 'all sent');
    expect(sink.eventIds()).toEqual(['ev-1', 'ev-1', 'ev-2', 'ev-3']);
  });

  it('does not let a hanging robot delay another one', async () => {
    let release: (r: DeliveryResult) => void = () => undefined;
    const hanging = new ScriptedSink((_m, call) =>
      call === 0 ? new Promise<DeliveryResult>((resolve) => (release = resolve)) : { ok: true },
    );
    const fast = new ScriptedSink();
    const queue = openQueue(new TestDirectory().add('slow', hanging).add('fast', fast));
    await queue.enqueue([makeRequest(1, 'slow'), makeRequest(2, 'slow')]);
    await queue.enqueue([3, 4, 5].map((i) => makeRequest(i, 'fast')));
    await queue.start();
    await waitFor(
      () => fast.calls.length === 3 && hanging.calls.length === 1,
      'fast lane drained while slow hangs',
    );
    // Causality: the slow robot has not answered, yet every fast delivery is done.
    expect(hanging.calls[0]?.endedAt).toBeUndefined();
    expect(countRows(`sink = 'fast' AND status = 'sent'`)).toBe(3);
    expect(countRows(`sink = 'slow' AND status = 'sending'`)).toBe(1);
    release({ ok: true });
    await waitFor(() => countRows(`sink = 'slow' AND status = 'sent'`) === 2, 'slow lane catches up');
  });

  it('turns a sink that ignores its timeout into a retry and frees the lane', async () => {
    const sink = new ScriptedSink((_m, call) =>
      call === 0 ? new Promise<DeliveryResult>(() => undefined) : { ok: true },
    );
    const queue = openQueue(new TestDirectory().add('team-a', sink, { timeoutMs: 20 }));
    await queue.enqueue([makeRequest(1)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 1, 'sent after timeout', 10_000);
    expect(sink.calls).toHaveLength(2);
    expect((await queue.list())[0]).toMatchObject({ attempts: 1, lastError: { code: 'timeout' } });
  });

  it('passes an abort signal that fires at the timeout', async () => {
    const sink = new ScriptedSink((_m, call, { signal }) =>
      call === 0
        ? new Promise<DeliveryResult>((resolve) =>
            signal?.addEventListener('abort', () =>
              resolve({ ok: false, kind: 'retryable', code: 'aborted', detail: 'timed out' }),
            ),
          )
        : { ok: true },
    );
    const queue = openQueue(new TestDirectory().add('team-a', sink, { timeoutMs: 30 }));
    await queue.enqueue([makeRequest(1)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 1, 'sent after abort');
    expect((await queue.list())[0]?.lastError?.code).toBe('aborted');
  });

  it('leaves rows of a sink that no longer resolves pending, with a warning, and sends them when it is back', async () => {
    const sink = new ScriptedSink();
    const directory = new TestDirectory().add('team-a', sink);
    const queue = openQueue(directory);
    await queue.enqueue([makeRequest(1, 'gone'), makeRequest(2)]);
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 1, 'resolvable one sent');
    await waitFor(() => logger.lines.some((l) => l.level === 'warn' && l['sink'] === 'gone'), 'warning');
    expect(countRows(`sink = 'gone' AND status = 'pending'`)).toBe(1);
    directory.add('gone', sink);
    await waitFor(() => countRows(`status = 'sent'`) === 2, 'sent after reload');
  });

  it('releases in-flight sends on stop, and the next start sends them', async () => {
    const stuck = new ScriptedSink(() => new Promise<DeliveryResult>(() => undefined));
    const queue = openQueue(
      new TestDirectory().add('team-a', stuck, { timeoutMs: 60_000 }),
      {},
      { stopTimeoutMs: 30 },
    );
    await queue.enqueue([makeRequest(1)]);
    await queue.start();
    await waitFor(() => stuck.calls.length === 1, 'send started');
    await queue.stop();
    expect(countRows(`status = 'pending'`)).toBe(1);

    const fine = new ScriptedSink();
    const next = openQueue(new TestDirectory().add('team-a', fine));
    await next.start();
    await waitFor(() => countRows(`status = 'sent'`) === 1, 'sent after restart');
    expect(fine.eventIds()).toEqual(['ev-1']);
  });
});

describe('SqliteQueue: merging bursts', () => {
  it('merges a backlog larger than the window into digests within the byte limit; none lost', async () => {
    const sink = new ScriptedSink(() => ({ ok: true }), [{ count: 1, windowMs: 200 }], 300);
    const queue = openQueue(new TestDirectory().add('team-a', sink, { merge: true }));
    await queue.enqueue(Array.from({ length: 10 }, (_, i) => makeRequest(i, 'team-a', `推送 ${i} 🚀`)));
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 10, 'all sent', 10_000);
    expect(sink.calls.length).toBeLessThan(10);
    expect(sink.calls.reduce((n, c) => n + c.message.count, 0)).toBe(10);
    for (const call of sink.calls) expect(Buffer.byteLength(call.message.text)).toBeLessThanOrEqual(300);
    const digestCalls = sink.calls.filter((c) => c.message.count > 1);
    expect(digestCalls.length).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) {
      const url = `https://gitee.com/acme/app/commit/${i}`;
      // Each event went out exactly once: on its own, or inside one digest with its link.
      const holders = sink.calls.filter(
        (c) => c.message.eventId === `ev-${i}` || (c.message.count > 1 && c.message.text.includes(url)),
      );
      expect(holders).toHaveLength(1);
    }
    const rows = await queue.list({ status: 'sent', limit: 100 });
    const recorded = new Set(rows.flatMap((r) => (r.digestId === undefined ? [] : [r.digestId])));
    expect(recorded).toEqual(new Set(digestCalls.map((c) => c.message.eventId)));
    expect(rows.filter((r) => r.digestId !== undefined)).toHaveLength(
      digestCalls.reduce((n, c) => n + c.message.count, 0),
    );
  });

  it('keeps one message per event when merge is off', async () => {
    const sink = new ScriptedSink(() => ({ ok: true }), [{ count: 4, windowMs: 300 }]);
    const queue = openQueue(new TestDirectory().add('team-a', sink, { merge: false }));
    await queue.enqueue(Array.from({ length: 6 }, (_, i) => makeRequest(i)));
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 6, 'all sent');
    expect(sink.eventIds()).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-3', 'ev-4', 'ev-5']);
    expect(
      maxInAnyWindow(
        sink.calls.map((c) => c.startedAt),
        300,
      ),
    ).toBeLessThanOrEqual(4);
  });

  it('leaves the rows of a failed digest retryable and marks them only once it is delivered', async () => {
    const sink = new ScriptedSink(
      (_m, call) =>
        call === 0 ? { ok: false, kind: 'retryable', code: 502, detail: 'bad gateway' } : { ok: true },
      [{ count: 1, windowMs: 50 }],
    );
    const queue = openQueue(new TestDirectory().add('team-a', sink, { merge: true }));
    await queue.enqueue([1, 2, 3].map((i) => makeRequest(i)));
    await queue.start();
    await waitFor(() => countRows(`status = 'sent'`) === 3, 'all sent');
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[0]?.message.count).toBe(3);
    const rows = await queue.list({ status: 'sent' });
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1]);
    expect(new Set(rows.map((r) => r.digestId))).toEqual(new Set([sink.calls[1]?.message.eventId]));
  });
});

describe('SqliteQueue: DeliveryStore', () => {
  it('lists with filters and a cursor, and replays one dead row', async () => {
    const sink = new ScriptedSink((m) =>
      m.eventId === 'ev-2'
        ? { ok: false, kind: 'permanent', code: 40008, detail: 'invalid message type' }
        : { ok: true },
    );
    const queue = openQueue(new TestDirectory().add('team-a', sink));
    await queue.enqueue([1, 2, 3].map((i) => makeRequest(i)));
    await queue.start();
    await waitFor(() => countRows(`status IN ('sent', 'dead')`) === 3, 'settled');
    const all = await queue.list();
    expect(all.map((r) => r.eventId)).toEqual(['ev-3', 'ev-2', 'ev-1']);
    expect((await queue.list({ limit: 1, before: all[0]?.id ?? '' })).map((r) => r.eventId)).toEqual([
      'ev-2',
    ]);
    const [dead] = await queue.list({ status: 'dead' });
    expect(dead?.eventId).toBe('ev-2');

    sink.script = () => ({ ok: true });
    const replayed = await queue.replay(dead?.id ?? '');
    expect(replayed).toMatchObject({ status: 'pending', attempts: 0 });
    await waitFor(() => countRows(`status = 'sent'`) === 3, 'replayed row sent');
    expect(sink.eventIds()).toEqual(['ev-1', 'ev-2', 'ev-3', 'ev-2']);
    await expect(queue.replay('999999')).rejects.toMatchObject({ code: 'HM_ERR_DELIVERY_NOT_FOUND' });
    expect(await queue.get('nope')).toBeUndefined();
  });

  it('replays every dead row of a sink with progress, and purges old sent rows', async () => {
    let skew = 0;
    const failing = new ScriptedSink(() => ({
      ok: false,
      kind: 'permanent',
      code: 93000,
      detail: 'invalid webhook url',
    }));
    const ok = new ScriptedSink();
    const directory = new TestDirectory().add('team-a', failing).add('ops', ok);
    const queue = openQueue(directory, {}, { now: () => Date.now() + skew });
    await queue.enqueue(Array.from({ length: 30 }, (_, i) => makeRequest(i)));
    await queue.enqueue([makeRequest(100, 'ops')]);
    await queue.start();
    await waitFor(() => countRows(`status = 'dead'`) === 30 && countRows(`status = 'sent'`) === 1, 'settled');

    const stats = await queue.stats();
    expect(stats.find((s) => s.sink === 'team-a')?.counts).toMatchObject({ dead: 30, sent: 0 });
    expect(stats.find((s) => s.sink === 'ops')?.counts).toMatchObject({ sent: 1 });

    failing.script = () => ({ ok: true });
    const progress: number[] = [];
    expect(await queue.replayDead({ sink: 'ops' })).toBe(0);
    expect(await queue.replayDead({ sink: 'team-a' }, (p) => progress.push(p.done))).toBe(30);
    expect(progress.at(-1)).toBe(30);
    await waitFor(() => countRows(`status = 'sent'`) === 31, 'replayed rows sent');

    expect(await queue.purge({ status: 'sent', olderThanMs: 60_000 })).toBe(0);
    skew = 120_000;
    expect(await queue.purge({ status: 'sent', olderThanMs: 60_000 })).toBe(31);
    expect(countRows()).toBe(0);
  });
});

describe('SqliteQueue: one dispatcher per outbox file', () => {
  it('lets a second process accept events but not dispatch, nor touch the first one’s in-flight rows, until it stops', async () => {
    let releaseFirst: () => void = () => undefined;
    const firstSink = new ScriptedSink((_m, call) =>
      call === 0
        ? new Promise<DeliveryResult>((resolve) => (releaseFirst = () => resolve({ ok: true })))
        : { ok: true },
    );
    const secondSink = new ScriptedSink();
    const first = openQueue(new TestDirectory().add('team-a', firstSink), {}, { leaseMs: 300 });
    const second = openQueue(new TestDirectory().add('team-a', secondSink), {}, { leaseMs: 300 });
    await first.start();
    await first.enqueue([makeRequest(1)]);
    await waitFor(() => firstSink.calls.length === 1, 'the first send');
    expect(countRows(`status = 'sending'`)).toBe(1);

    await second.start();
    expect(logger.text()).toContain('another process dispatches from this outbox');
    // Its start did not take the first one's in-flight row for a crash leftover.
    expect(countRows(`status = 'sending'`)).toBe(1);
    await second.enqueue([makeRequest(2)]);
    expect(countRows()).toBe(2);

    releaseFirst();
    await waitFor(() => countRows(`status = 'sent'`) === 2, 'the first to send both');
    expect(secondSink.calls).toHaveLength(0);

    await first.stop();
    await second.enqueue([makeRequest(3)]);
    await waitFor(() => secondSink.calls.length === 1, 'the second to take over');
    expect(secondSink.eventIds()).toEqual(['ev-3']);
    expect(firstSink.eventIds()).toEqual(['ev-1', 'ev-2']);
  });
});
