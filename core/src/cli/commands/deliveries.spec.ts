import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { DeliveryConfig } from '../../config/hookmux-config.js';
import type { HookEvent } from '../../contracts/hook-event.js';
import type { Message } from '../../contracts/message.js';
import type { ResolvedSink, SinkDirectory } from '../../contracts/sink-directory.js';
import type { DeliveryResult, Sink, SinkTarget } from '../../contracts/sink.js';
import { SqliteQueue } from '../../delivery/sqlite-queue.js';
import { MemoryLogger } from '../../logging/memory-logger.js';
import { formatTime, runDeliveriesCommand } from './deliveries.js';

const delivery: DeliveryConfig = {
  maxAttempts: 3,
  maxAgeMs: 60_000,
  backoffMs: 10,
  maxBackoffMs: 20,
  timeoutMs: 1000,
};

/** Dead-letters events whose id is in `refuse`, delivers the rest. */
function makeDirectory(refuse: ReadonlySet<string>): SinkDirectory {
  const sink: Sink = {
    type: 'scripted',
    configSchema: {},
    secretKeys: [],
    rateLimits: [],
    templateFormat: () => 'md',
    robotKey: (t: SinkTarget) => t.name,
    maxTextBytes: () => 4096,
    toRequestBody: (m: Message) => m.text,
    send: (m: Message): Promise<DeliveryResult> =>
      Promise.resolve(
        refuse.has(m.eventId)
          ? { ok: false, kind: 'permanent', code: 93000, detail: 'invalid webhook url' }
          : { ok: true },
      ),
  };
  const resolved: ResolvedSink = {
    sink,
    target: { name: 'team-a', type: 'scripted', settings: {} },
    rateLimits: [],
    robotKey: 'team-a',
    merge: false,
    timeoutMs: 1000,
  };
  return {
    resolve: (name) => (name === 'team-a' ? resolved : undefined),
    names: () => ['team-a'],
    people: () => [],
  };
}

function makeEvent(i: number): HookEvent {
  return {
    id: `ev-${i}`,
    source: 'gitee',
    type: 'push',
    name: 'gitee.push',
    ping: false,
    receivedAt: 0,
    url: `https://gitee.com/acme/app/commit/${i}`,
    summary: `zhangsan pushed ${i}`,
    payload: {},
    data: {},
  };
}

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function run(store: SqliteQueue, argv: string[], isTTY = false): Promise<Captured> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (c: Buffer) => (chunks.out += c.toString()));
  err.on('data', (c: Buffer) => (chunks.err += c.toString()));
  const code = await runDeliveriesCommand(argv, store, { out, err, isTTY });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, ...chunks };
}

async function waitFor(predicate: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 8000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let dir: string;
let path: string;
let store: SqliteQueue;

/** Runs a real dispatcher until `count` events are settled, then opens the file as the CLI does (not started). */
async function seed(count: number, refuse: ReadonlySet<string>): Promise<void> {
  const server = new SqliteQueue({
    path,
    sinks: makeDirectory(refuse),
    logger: new MemoryLogger(),
    delivery,
    pollMs: 20,
  });
  await server.enqueue(
    Array.from({ length: count }, (_, i) => ({
      eventId: `ev-${i}`,
      eventName: 'gitee.push',
      route: 'r',
      sink: 'team-a',
      event: makeEvent(i),
    })),
  );
  await server.start();
  await waitFor(
    async () =>
      (await server.stats())[0]?.counts.sent === count - refuse.size &&
      (await server.stats())[0]?.counts.dead === refuse.size,
    'settled',
  );
  await server.stop();
  store = new SqliteQueue({ path, sinks: makeDirectory(new Set()), logger: new MemoryLogger(), delivery });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookmux-cli-'));
  path = join(dir, 'hookmux.db');
});

afterEach(async () => {
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hookmux deliveries', () => {
  it('lists newest first, filters by status, and prints JSON', async () => {
    await seed(3, new Set(['ev-1']));
    const all = await run(store, ['list']);
    expect(all.code).toBe(0);
    const lines = all.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+SINK\s+EVENT\s+TRIES\s+UPDATED\s+LAST ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['sent', 'dead', 'sent']);
    expect(all.out).toContain('93000 invalid webhook url');

    const dead = await run(store, ['list', '--status', 'dead', '--json']);
    const parsed = JSON.parse(dead.out) as { eventId: string; status: string }[];
    expect(parsed.map((r) => [r.eventId, r.status])).toEqual([['ev-1', 'dead']]);

    const limited = await run(store, ['list', '--limit', '1']);
    expect(limited.out).toMatch(/… 更多 more: --before \d+/);
  });

  it('shows one delivery, and exits 1 with a hint for an unknown id', async () => {
    await seed(2, new Set(['ev-0']));
    const [dead] = await store.list({ status: 'dead' });
    const shown = await run(store, ['show', dead?.id ?? '']);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/^status\s+dead$/m);
    expect(shown.out).toMatch(/^last error\s+93000 invalid webhook url$/m);
    expect(shown.out).toContain('zhangsan pushed 0');

    const missing = await run(store, ['show', '4242']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no delivery with id 4242');
    expect(missing.err).toContain('hookmux deliveries list');
  });

  it('replays one delivery or every dead one', async () => {
    await seed(4, new Set(['ev-0', 'ev-2', 'ev-3']));
    const [newestDead] = await store.list({ status: 'dead', limit: 1 });
    const one = await run(store, ['replay', newestDead?.id ?? '']);
    expect(one).toMatchObject({ code: 0 });
    expect(one.out).toContain(`replayed delivery ${newestDead?.id} (dead → pending)`);

    const rest = await run(store, ['replay', '--dead']);
    expect(rest.code).toBe(0);
    expect(rest.out).toContain('replayed 2 dead deliveries');
    expect((await store.stats())[0]?.counts).toMatchObject({ dead: 0, pending: 3, sent: 1 });
  });

  it('purges with a duration, and shows progress on a terminal for long work', async () => {
    await seed(600, new Set());
    const notYet = await run(store, ['purge', '--sent', '--older-than', '7d']);
    expect(notYet.out).toContain('purged 0 sent deliveries older than 7d');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const purged = await run(store, ['purge', '--sent', '--older-than', '1ms'], true);
    expect(purged.code).toBe(0);
    expect(purged.out).toContain('purged 600 sent deliveries older than 1ms');
    expect(purged.err).toContain('\rpurging [');
    expect(purged.err).toContain('600/600');
    expect((await store.stats())[0]?.counts.sent).toBe(0);
  }, 30_000);

  it('prints plain progress lines when not on a terminal', async () => {
    await seed(600, new Set());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const purged = await run(store, ['purge', '--sent', '--older-than', '1ms'], false);
    expect(purged.err).not.toContain('\r');
    expect(purged.err.trim().split('\n')).toEqual(['purging 500/600', 'purging 600/600']);
  }, 30_000);

  it('exits 2 on wrong usage', async () => {
    await seed(1, new Set());
    for (const argv of [
      [],
      ['frobnicate'],
      ['list', '--status', 'lost'],
      ['list', '--limit', '0'],
      ['purge', '--sent'],
      ['purge', '--sent', '--older-than', 'soon'],
      ['replay'],
      ['list', '--nope'],
      ['purge', '--sent', '--dead', '--older-than', '1d'],
    ]) {
      const result = await run(store, argv);
      expect([argv, result.code]).toEqual([argv, 2]);
      expect(result.err).toContain('usage:');
    }
  });

  it('prints per-sink stats', async () => {
    await seed(2, new Set(['ev-1']));
    const stats = await run(store, ['stats']);
    expect(stats.code).toBe(0);
    expect(stats.out).toMatch(/^team-a\s+0\s+0\s+1\s+0\s+1\s+-\s+unlimited$/m);
  });
});

describe('formatTime', () => {
  it('writes the instant in the given IANA zone with its offset', () => {
    const at = Date.UTC(2024, 5, 1, 10, 30, 5);
    expect(formatTime(at, 'Asia/Shanghai')).toBe('2024-06-01 18:30:05 +08:00');
    expect(formatTime(at, 'UTC')).toBe('2024-06-01 10:30:05 +00:00');
    expect(formatTime(at)).toBe('2024-06-01 10:30:05 +00:00');
    // across midnight, and a zone with a half-hour offset
    expect(formatTime(Date.UTC(2024, 5, 1, 20, 0, 0), 'Asia/Shanghai')).toBe('2024-06-02 04:00:00 +08:00');
    expect(formatTime(at, 'Asia/Kolkata')).toBe('2024-06-01 16:00:05 +05:30');
  });
});
