import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { Dispatcher } from '../../core/src/delivery/dispatcher.js';
import { SqliteStorage } from '../../core/src/delivery/sqlite-storage.js';
import { MemoryLogger } from '../../core/src/logging/memory-logger.js';
import { request, ScriptedSink, TestDirectory, TextRenderer, waitFor } from './storage-contract.js';

const delivery = { maxAttempts: 3, maxAgeMs: 60_000, backoffMs: 10, maxBackoffMs: 20, timeoutMs: 1000 };

let dir: string;
let path: string;
const running: Dispatcher[] = [];

function open(
  options: Partial<ConstructorParameters<typeof Dispatcher>[0]> & { sinks: TestDirectory },
): Dispatcher {
  const logger = new MemoryLogger();
  const d = new Dispatcher({
    storage: new SqliteStorage({ path, logger }),
    logger,
    delivery,
    renderer: new TextRenderer(),
    pollMs: 20,
    ...options,
  });
  running.push(d);
  return d;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookmux-quiet-'));
  path = join(dir, 'outbox.db');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('quiet mode (batch)', () => {
  it('holds a sink’s messages for its period and sends them as one digest, even under the limit', async () => {
    const sink = new ScriptedSink(() => ({ ok: true }), [{ count: 20, windowMs: 60_000 }]);
    const directory = new TestDirectory().add('team-a', sink);
    const resolved = directory.sinks.get('team-a');
    if (resolved === undefined) throw new Error('no sink');
    directory.sinks.set('team-a', { ...resolved, batchMs: 400 });
    const d = open({ sinks: directory });
    await d.start();
    await d.enqueue([request(1)]);
    await d.enqueue([request(2)]);
    await d.enqueue([request(3)]);
    // Held: nothing is sent before the period of the first one ends.
    const first = (await d.list()).at(-1);
    expect(first?.nextAttemptAt).toBeGreaterThanOrEqual((first?.createdAt ?? 0) + 400);
    expect(sink.calls).toHaveLength(0);
    await waitFor(async () => (await d.list()).every((r) => r.status === 'sent'), 'the period’s digest');
    expect(sink.calls).toHaveLength(1);
    expect(sink.carried()[0]).toEqual(['ev-1', 'ev-2', 'ev-3']);
    expect(sink.calls[0]?.startedAt ?? 0).toBeGreaterThanOrEqual((first?.createdAt ?? 0) + 400);
  }, 20_000);

  it('holds a route’s deliveries for the route’s period (another route to the same sink is not held)', async () => {
    const sink = new ScriptedSink(() => ({ ok: true }));
    const d = open({ sinks: new TestDirectory().add('team-a', sink) });
    await d.start();
    await d.enqueue([{ ...request(1), route: 'quiet', batchMs: 300 }]);
    await d.enqueue([{ ...request(2), route: 'quiet', batchMs: 300 }]);
    await waitFor(async () => (await d.list()).every((r) => r.status === 'sent'), 'sent');
    expect(sink.carried()).toEqual([['ev-1', 'ev-2']]);
    await d.enqueue([request(3)]);
    await waitFor(() => sink.calls.length === 2, 'unheld one');
    expect(sink.carried()[1]).toEqual(['ev-3']);
  }, 20_000);

  it('keeps order per robot: another route’s later message waits behind a held one, and joins its digest', async () => {
    const sink = new ScriptedSink(() => ({ ok: true }));
    const d = open({ sinks: new TestDirectory().add('team-a', sink) });
    await d.start();
    const start = Date.now();
    await d.enqueue([{ ...request(1), route: 'quiet', batchMs: 400 }]);
    await d.enqueue([request(2)]);
    await waitFor(async () => (await d.list()).every((r) => r.status === 'sent'), 'sent');
    // What README.md ("Quiet mode") says: the unheld one waited for the held one's period.
    expect(sink.carried()).toEqual([['ev-1', 'ev-2']]);
    expect((sink.calls[0]?.startedAt ?? 0) - start).toBeGreaterThanOrEqual(400);
  }, 20_000);
});

describe('storage.retention', () => {
  it('purges sent rows past retention (dead letters kept), and gives the space back', async () => {
    let skew = 0;
    const sink = new ScriptedSink((m) =>
      m.eventId === 'ev-0' ? { ok: false, kind: 'permanent', code: 1, detail: 'no' } : { ok: true },
    );
    const d = open({
      sinks: new TestDirectory().add('team-a', sink),
      retention: { sentMs: 60_000 },
      retentionEveryMs: 50,
      now: () => Date.now() + skew,
    });
    await d.enqueue(
      Array.from({ length: 60 }, (_, i) => ({
        ...request(i),
        event: { ...request(i).event, payload: { text: 'x'.repeat(4000) } },
      })),
    );
    await d.start();
    await waitFor(
      async () => (await d.list({ limit: 1000 })).every((r) => r.status === 'sent' || r.status === 'dead'),
      'settled',
    );
    expect(await d.list({ limit: 1000 })).toHaveLength(60);
    skew = 120_000;
    await waitFor(async () => (await d.list({ limit: 1000 })).length === 1, 'sent rows purged');
    expect((await d.list())[0]).toMatchObject({ eventId: 'ev-0', status: 'dead' });
    // Events no row refers to go next, then the freed pages are given back (a pass does both
    // after the rows, so wait for the pass to finish rather than read it half way).
    const state = (): { events: number; free: number } => {
      const db = new Database(path, { readonly: true });
      try {
        const events = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
        return { events, free: Number(db.pragma('freelist_count', { simple: true })) };
      } finally {
        db.close();
      }
    };
    await waitFor(() => {
      const { events, free } = state();
      return events === 1 && free === 0;
    }, 'orphaned events purged and space given back');
    expect(state()).toEqual({ events: 1, free: 0 });
  }, 30_000);
});
