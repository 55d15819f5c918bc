import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { DeliveryConfig } from '../../core/src/config/hookmux-config.js';
import type { DeliveryStorage } from '../../core/src/contracts/delivery-storage.js';
import type { HookEvent } from '../../core/src/contracts/hook-event.js';
import type { Message } from '../../core/src/contracts/message.js';
import type { DeliveryRequest } from '../../core/src/contracts/queue.js';
import type { ResolvedSink, SinkDirectory } from '../../core/src/contracts/sink-directory.js';
import type {
  DeliveryResult,
  RateLimit,
  Sink,
  SinkContext,
  SinkTarget,
} from '../../core/src/contracts/sink.js';
import { buildDigest } from '../../core/src/delivery/build-digest.js';
import { Dispatcher } from '../../core/src/delivery/dispatcher.js';
import type { RenderedSend, SendRenderer, SendRenderRequest } from '../../core/src/delivery/send-renderer.js';
import { MemoryLogger } from '../../core/src/logging/memory-logger.js';
import { storeContract } from './store-contract.js';

/**
 * The storage contract every adapter passes, in two layers: the behaviour seen through the
 * Dispatcher (below) and the stores called directly (`store-contract.ts`). An adapter's test file
 * calls `storageContract` once with its `StorageBackend`.
 *
 * One storage backend under test. A "site" is one place data lives (a SQLite file, a Redis key
 * prefix): `open` connects to it anew each time (a restart), so what survives is what the backend
 * kept.
 */
export interface StorageBackend {
  readonly name: string;
  /** Called before each test: a fresh, empty site. */
  newSite(): Promise<void>;
  open(logger: MemoryLogger): Promise<DeliveryStorage>;
  /** Ids of the events the storage still keeps (to see that purge deletes orphans). */
  storedEventIds(storage: DeliveryStorage): Promise<readonly string[]>;
  /** Replaces an event's stored body with plain JSON text, the way hookmux 0.1 stored it. */
  storeAsPlainJson(eventId: string, json: string): Promise<void>;
  /** After each test. */
  cleanup(): Promise<void>;
}

type Script = (
  message: Message,
  call: number,
  context: SinkContext,
) => DeliveryResult | Promise<DeliveryResult>;

interface Call {
  readonly message: Message;
  readonly startedAt: number;
}

/** A sink that records every call and answers from a script. */
export class ScriptedSink implements Sink {
  readonly type = 'scripted';
  readonly configSchema = {};
  readonly secretKeys = ['key'];
  readonly calls: Call[] = [];
  constructor(
    public script: Script = () => ({ ok: true }),
    readonly rateLimits: readonly RateLimit[] = [],
  ) {}
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
    return { text: message.text };
  }
  async send(message: Message, _target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    this.calls.push({ message, startedAt: Date.now() });
    return this.script(message, this.calls.length - 1, context);
  }
  /** Event ids each call carried (a digest carries several). */
  carried(): string[][] {
    return this.calls.map((c) => (c.message.count > 1 ? idsIn(c.message.text) : [c.message.eventId]));
  }
}

function idsIn(text: string): string[] {
  return [...text.matchAll(/\[(ev-\d+)\]/g)].map((m) => m[1] ?? '');
}

export class TestDirectory implements SinkDirectory {
  readonly sinks = new Map<string, ResolvedSink>();
  add(
    name: string,
    sink: ScriptedSink,
    options: { key?: string; merge?: boolean; timeoutMs?: number } = {},
  ): this {
    const target: SinkTarget = { name, type: sink.type, settings: { key: options.key ?? `key-${name}` } };
    this.sinks.set(name, {
      sink,
      target,
      rateLimits: sink.rateLimits,
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

/** Renders an event as `[id] text`; several as `buildDigest` merges them (each line keeps its id). */
export class TextRenderer implements SendRenderer {
  render({ entries, to, digestId }: SendRenderRequest): Promise<RenderedSend> {
    const messages = entries.map(({ event }): Message => ({
      eventId: event.id,
      eventName: event.name,
      sink: to.target.name,
      format: 'md',
      text: `[${event.id}] ${String((event.payload as { text?: string }).text)}`,
      fields: {},
      mentions: { userIds: [], mobiles: [], all: false },
      summary: `[${event.id}] ${event.summary}`,
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

export function request(i: number, sink = 'team-a'): DeliveryRequest {
  const event: HookEvent = {
    id: `ev-${i}`,
    source: 'gitee',
    type: 'push',
    name: 'gitee.push',
    ping: false,
    receivedAt: 0,
    summary: `pushed ${i}`,
    payload: { text: `push ${i}` },
    data: {},
  };
  return { eventId: event.id, eventName: event.name, route: 'r', sink, event };
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const delivery: DeliveryConfig = {
  maxAttempts: 3,
  maxAgeMs: 60_000,
  backoffMs: 10,
  maxBackoffMs: 20,
  timeoutMs: 1000,
};

/** Every behaviour core relies on from a storage backend, through the one Dispatcher. */
export function storageContract(backend: StorageBackend): void {
  describe(`storage contract: ${backend.name}`, () => {
    let logger: MemoryLogger;
    const running: Dispatcher[] = [];

    async function dispatcher(
      directory: SinkDirectory,
      overrides: Partial<DeliveryConfig> = {},
      extra: { leaseMs?: number; now?: () => number } = {},
    ): Promise<Dispatcher> {
      const d = new Dispatcher({
        storage: await backend.open(logger),
        sinks: directory,
        logger,
        delivery: { ...delivery, ...overrides },
        renderer: new TextRenderer(),
        pollMs: 20,
        stopTimeoutMs: 100,
        ...extra,
      });
      running.push(d);
      return d;
    }

    async function statuses(d: Dispatcher): Promise<Record<string, string>> {
      const rows = await d.list({ limit: 1000 });
      return Object.fromEntries(rows.map((r) => [r.eventId, r.status]));
    }

    async function count(d: Dispatcher, status: string): Promise<number> {
      return (await d.list({ limit: 1000 })).filter((r) => r.status === status).length;
    }

    beforeEach(async () => {
      logger = new MemoryLogger();
      await backend.newSite();
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((d) => d.stop()));
      await backend.cleanup();
    }, 20_000);

    it('de-duplicates on (event, sink), within one call and across calls, and keeps the event', async () => {
      const d = await dispatcher(
        new TestDirectory().add('team-a', new ScriptedSink()).add('ops', new ScriptedSink()),
      );
      const [a, b] = await Promise.all([d.enqueue([request(1), request(1, 'ops')]), d.enqueue([request(1)])]);
      expect([a, b]).toEqual([
        { queued: 2, duplicates: 0 },
        { queued: 0, duplicates: 1 },
      ]);
      expect(await d.enqueue([request(1, 'ops'), request(2)])).toEqual({ queued: 1, duplicates: 1 });
      const rows = await d.list();
      expect(rows).toHaveLength(3);
      expect(rows.every((r) => r.event?.id === r.eventId && r.status === 'pending')).toBe(true);
      const one = await d.get(rows[0]?.id ?? '');
      expect(one?.event?.payload).toEqual({ text: `push ${one?.eventId.slice(3)}` });
    }, 20_000);

    it('keeps a large event whole, and still reads one stored as plain JSON by an earlier version', async () => {
      const d = await dispatcher(new TestDirectory().add('team-a', new ScriptedSink()));
      const big = request(1);
      const commits = Array.from({ length: 200 }, (_, i) => ({
        id: i,
        message: `第 ${i} 次提交：${'说明'.repeat(50)}`,
      }));
      const event = { ...big.event, payload: { commits } } as HookEvent;
      await d.enqueue([{ ...big, event }, request(2)]);
      const rows = await d.list();
      const idOf = (eventId: string): string => rows.find((r) => r.eventId === eventId)?.id ?? '';
      expect((await d.get(idOf('ev-1')))?.event).toEqual(event);

      const legacy = { ...request(2).event, summary: 'stored by 0.1' };
      await backend.storeAsPlainJson('ev-2', JSON.stringify(legacy));
      expect((await d.get(idOf('ev-2')))?.event).toEqual(legacy);
    }, 20_000);

    it('sends one robot’s rows in order, never a sent row again after a restart', async () => {
      const sink = new ScriptedSink();
      const directory = new TestDirectory().add('team-a', sink);
      const first = await dispatcher(directory);
      await first.enqueue([1, 2, 3].map((i) => request(i)));
      await first.start();
      await waitFor(async () => (await count(first, 'sent')) === 3, 'three sent');
      await first.stop();
      const second = await dispatcher(directory);
      await second.start();
      await second.enqueue([request(4)]);
      await waitFor(async () => (await count(second, 'sent')) === 4, 'fourth sent');
      expect(sink.carried().flat()).toEqual(['ev-1', 'ev-2', 'ev-3', 'ev-4']);
    }, 20_000);

    it('keeps order per robot while its head backs off', async () => {
      const sink = new ScriptedSink((_m, call) =>
        call === 0 ? { ok: false, kind: 'retryable', code: -1, detail: 'busy' } : { ok: true },
      );
      const d = await dispatcher(new TestDirectory().add('team-a', sink));
      await d.enqueue([1, 2, 3].map((i) => request(i)));
      await d.start();
      await waitFor(async () => (await count(d, 'sent')) === 3, 'all sent');
      expect(sink.carried().flat()).toEqual(['ev-1', 'ev-1', 'ev-2', 'ev-3']);
    }, 20_000);

    it('holds a robot to its limit across a restart (the window is rebuilt from storage)', async () => {
      const sink = new ScriptedSink(() => ({ ok: true }), [{ count: 2, windowMs: 800 }]);
      const directory = new TestDirectory().add('team-a', sink);
      const first = await dispatcher(directory);
      await first.enqueue([1, 2, 3].map((i) => request(i)));
      await first.start();
      await waitFor(() => sink.calls.length >= 2, 'the window used');
      await first.stop();
      const second = await dispatcher(directory);
      await second.start();
      await waitFor(async () => (await count(second, 'sent')) === 3, 'all sent');
      const [a, , c] = sink.calls;
      // The third send waited for the first to leave the 800 ms window, although the process restarted.
      expect((c?.startedAt ?? 0) - (a?.startedAt ?? 0)).toBeGreaterThanOrEqual(800);
    }, 20_000);

    it('merges a due backlog larger than the window into one digest, and records the digest on every row', async () => {
      const sink = new ScriptedSink(() => ({ ok: true }), [{ count: 1, windowMs: 60_000 }]);
      const d = await dispatcher(new TestDirectory().add('team-a', sink, { merge: true }));
      await d.enqueue(Array.from({ length: 12 }, (_, i) => request(i)));
      await d.start();
      await waitFor(async () => (await count(d, 'sent')) === 12, 'all sent in one');
      expect(sink.calls).toHaveLength(1);
      expect(sink.carried()[0]).toHaveLength(12);
      const rows = await d.list({ limit: 100 });
      expect(new Set(rows.map((r) => r.digestId))).toEqual(new Set([sink.calls[0]?.message.eventId]));
    }, 20_000);

    it('applies a failed digest to every row it carried: one attempt each, dead together at the limit', async () => {
      const sink = new ScriptedSink(
        () => ({ ok: false, kind: 'retryable', code: 502, detail: 'bad gateway' }),
        [{ count: 1, windowMs: 30 }],
      );
      const d = await dispatcher(new TestDirectory().add('team-a', sink, { merge: true }), {
        maxAttempts: 2,
      });
      await d.enqueue([1, 2, 3].map((i) => request(i)));
      await d.start();
      await waitFor(async () => (await count(d, 'dead')) === 3, 'all dead');
      expect(sink.calls).toHaveLength(2);
      expect(sink.carried().map((ids) => ids.length)).toEqual([3, 3]);
      const rows = await d.list();
      expect(rows.map((r) => [r.attempts, r.lastError?.code])).toEqual([
        [2, '502'],
        [2, '502'],
        [2, '502'],
      ]);
    }, 20_000);

    it('waits out a throttled digest on every row, without counting it', async () => {
      const sink = new ScriptedSink(
        (_m, call) =>
          call === 0
            ? { ok: false, kind: 'throttled', code: 45009, detail: 'freq', retryAfterMs: 200 }
            : { ok: true },
        [{ count: 1, windowMs: 30 }],
      );
      const d = await dispatcher(new TestDirectory().add('team-a', sink, { merge: true }), {
        maxAttempts: 1,
      });
      await d.enqueue([1, 2, 3].map((i) => request(i)));
      await d.start();
      await waitFor(async () => (await count(d, 'sent')) === 3, 'all sent');
      expect((sink.calls[1]?.startedAt ?? 0) - (sink.calls[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(200);
      expect((await d.list()).map((r) => r.attempts)).toEqual([0, 0, 0]);
    }, 20_000);

    it('dead-letters every row of a permanently refused digest with the code', async () => {
      const sink = new ScriptedSink(
        () => ({ ok: false, kind: 'permanent', code: 93000, detail: 'invalid url' }),
        [{ count: 1, windowMs: 60_000 }],
      );
      const d = await dispatcher(new TestDirectory().add('team-a', sink, { merge: true }));
      await d.enqueue([1, 2].map((i) => request(i)));
      await d.start();
      await waitFor(async () => (await count(d, 'dead')) === 2, 'dead');
      expect(sink.calls).toHaveLength(1);
      expect((await d.list()).map((r) => r.lastError?.code)).toEqual(['93000', '93000']);
    }, 20_000);

    it('retries, dead-letters after maxAttempts, replays one row and every dead row', async () => {
      const sink = new ScriptedSink(() => ({ ok: false, kind: 'retryable', code: -1, detail: 'busy' }));
      const directory = new TestDirectory().add('team-a', sink);
      const d = await dispatcher(directory, { maxAttempts: 2 });
      await d.enqueue([1, 2, 3].map((i) => request(i)));
      await d.start();
      await waitFor(async () => (await count(d, 'dead')) === 3, 'dead');
      expect(sink.calls).toHaveLength(6);
      sink.script = () => ({ ok: true });
      const [one] = await d.list({ limit: 1 });
      expect(await d.replay(one?.id ?? '')).toMatchObject({ status: 'pending', attempts: 0 });
      await waitFor(async () => (await count(d, 'sent')) === 1, 'replayed one');
      expect(await d.replayDead({})).toBe(2);
      await waitFor(async () => (await count(d, 'sent')) === 3, 'replayed all');
      await expect(d.replay('999999')).rejects.toMatchObject({ code: 'HM_ERR_DELIVERY_NOT_FOUND' });
    }, 20_000);

    it('purges finished rows older than asked, and nothing else', async () => {
      let skew = 0;
      const sink = new ScriptedSink((m) =>
        m.eventId === 'ev-2' ? { ok: false, kind: 'permanent', code: 1, detail: 'no' } : { ok: true },
      );
      const d = await dispatcher(
        new TestDirectory().add('team-a', sink),
        {},
        { now: () => Date.now() + skew },
      );
      await d.enqueue([1, 2, 3].map((i) => request(i)));
      await d.start();
      await waitFor(async () => (await count(d, 'sent')) === 2 && (await count(d, 'dead')) === 1, 'settled');
      expect(await d.purge({ status: 'sent', olderThanMs: 60_000 })).toBe(0);
      skew = 120_000;
      expect(await d.purge({ status: 'sent', olderThanMs: 60_000 })).toBe(2);
      expect(await statuses(d)).toEqual({ 'ev-2': 'dead' });
    }, 20_000);

    it('recovers rows a crash left mid-send: sent again, once', async () => {
      const crashed = await backend.open(logger);
      const sink = new ScriptedSink();
      const directory = new TestDirectory().add('team-a', sink);
      const setup = await dispatcher(directory);
      await setup.enqueue([1, 2].map((i) => request(i)));
      await setup.stop();
      const claim = await crashed.outbox.claim({ sinks: ['team-a'], robotKey: 'k', now: Date.now(), max: 1 });
      expect(claim.rows.map((r) => r.eventId)).toEqual(['ev-1']);
      await crashed.close(); // no release, no settle: the process died
      const after = await dispatcher(directory);
      await after.start();
      await waitFor(async () => (await count(after, 'sent')) === 2, 'all sent');
      expect(sink.carried().flat()).toEqual(['ev-1', 'ev-2']);
    }, 20_000);

    it('lets one dispatcher hold the lease; another accepts events and takes over when it stops', async () => {
      const a = new ScriptedSink();
      const b = new ScriptedSink();
      const first = await dispatcher(new TestDirectory().add('team-a', a), {}, { leaseMs: 300 });
      const second = await dispatcher(new TestDirectory().add('team-a', b), {}, { leaseMs: 300 });
      await first.start();
      await second.start();
      await second.enqueue([request(1)]);
      await waitFor(() => a.calls.length === 1, 'the holder sends');
      expect(b.calls).toHaveLength(0);
      await first.stop();
      await second.enqueue([request(2)]);
      await waitFor(() => b.calls.length === 1, 'the other takes over');
      expect(b.carried().flat()).toEqual(['ev-2']);
    }, 20_000);

    it('leases: exclusive until expiry or release', async () => {
      const s1 = await backend.open(logger);
      const s2 = await backend.open(logger);
      try {
        const now = Date.now();
        expect(await s1.lease.tryAcquire('one', now, 1000)).toBe(true);
        expect(await s2.lease.tryAcquire('two', now + 10, 1000)).toBe(false);
        expect(await s1.lease.tryAcquire('one', now + 20, 1000)).toBe(true);
        expect(await s2.lease.holder()).toMatchObject({ owner: 'one' });
        expect(await s2.lease.tryAcquire('two', now + 1021, 1000)).toBe(true);
        await s2.lease.release('one'); // not the holder: no effect
        expect((await s1.lease.holder())?.owner).toBe('two');
        await s2.lease.release('two');
        expect(await s1.lease.holder()).toBeUndefined();
      } finally {
        await s1.close();
        await s2.close();
      }
    }, 20_000);

    it('remembers a once-only key across a restart until it expires', async () => {
      const now = Date.now();
      const s1 = await backend.open(logger);
      expect(await s1.once.rememberOnce('gitee:sig-1', now + 60_000, now)).toBe(true);
      expect(await s1.once.rememberOnce('gitee:sig-1', now + 60_000, now)).toBe(false);
      await s1.close();
      const s2 = await backend.open(logger);
      try {
        expect(await s2.once.rememberOnce('gitee:sig-1', now + 60_000, now + 1)).toBe(false);
        expect(await s2.once.rememberOnce('gitee:sig-1', now + 120_000, now + 60_001)).toBe(true);
        expect(await s2.once.rememberOnce('gitee:sig-2', now + 60_000, now)).toBe(true);
      } finally {
        await s2.close();
      }
    }, 20_000);

    it('claims only the due run of the head’s sink, releases rows unchanged, and counts due rows', async () => {
      const s = await backend.open(logger);
      try {
        const now = Date.now();
        for (const i of [1, 2, 3])
          await s.outbox.insert(request(i).event, [{ route: 'r', sink: 'team-a' }], now);
        await s.outbox.insert(request(4).event, [{ route: 'r', sink: 'ops' }], now);
        expect(await s.outbox.countDue(['team-a', 'ops'], now, 10)).toBe(4);
        expect(await s.outbox.countDue(['team-a', 'ops'], now, 2)).toBe(2);
        expect(await s.outbox.hasWork(['ops'])).toBe(true);
        expect([...(await s.outbox.sinksWithWork())].sort()).toEqual(['ops', 'team-a']);
        const claim = await s.outbox.claim({ sinks: ['team-a', 'ops'], robotKey: 'k', now, max: 10 });
        expect(claim.rows.map((r) => [r.eventId, r.status])).toEqual([
          ['ev-1', 'sending'],
          ['ev-2', 'sending'],
          ['ev-3', 'sending'],
        ]);
        await s.outbox.release(
          claim.rows.slice(1).map((r) => r.id),
          now,
        );
        await s.outbox.settle(
          [
            {
              id: claim.rows[0]?.id ?? '',
              status: 'retrying',
              attemptsDelta: 1,
              nextAttemptAt: now + 60_000,
              error: { detail: 'x' },
            },
          ],
          now,
        );
        // The head now waits: it blocks its lane (order per robot), and says until when.
        expect(await s.outbox.claim({ sinks: ['team-a'], robotKey: 'k', now, max: 10 })).toEqual({
          rows: [],
          nextDueAt: now + 60_000,
        });
        expect(
          (await s.outbox.list({ sink: 'team-a' })).map((r) => [r.eventId, r.status, r.attempts]),
        ).toEqual([
          ['ev-3', 'pending', 0],
          ['ev-2', 'pending', 0],
          ['ev-1', 'retrying', 1],
        ]);
        expect(await s.outbox.recover(now)).toBe(0);
      } finally {
        await s.close();
      }
    }, 20_000);
  });

  // The same backend, its stores called directly: one suite, two layers.
  storeContract({
    name: backend.name,
    openStorage: async () => {
      await backend.newSite();
      return backend.open(new MemoryLogger());
    },
    storedEventIds: (storage) => backend.storedEventIds(storage),
    cleanup: () => backend.cleanup(),
  });
}
