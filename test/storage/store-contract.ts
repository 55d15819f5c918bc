import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeliveryRecord, DeliveryStorage, HookEvent, OutboxTarget } from '@hookmux/core';

/**
 * The store layer of the storage contract: what every `DeliveryStorage` does when called directly
 * (the comments of `delivery-storage.ts`, as tests). `storageContract` (storage-contract.ts) runs
 * it beside the behaviour seen through the Dispatcher; everything backend-specific is in
 * `StorageFactory`.
 */
export interface StorageFactory {
  readonly name: string;
  /** A fresh, empty storage (each test gets its own). */
  openStorage(): Promise<DeliveryStorage>;
  /** Ids of the events the storage still keeps (to see that purge deletes orphans). */
  storedEventIds(storage: DeliveryStorage): Promise<readonly string[]>;
  /** Removes what `openStorage` made (files, keys); called after `close()`. */
  cleanup?(): Promise<void>;
}

export const t0 = 1_700_000_000_000;

export function hookEvent(id: string, extra: Partial<HookEvent> = {}): HookEvent {
  return {
    id,
    source: 'gitee',
    type: 'push',
    name: 'gitee.push',
    ping: false,
    receivedAt: t0,
    summary: `push ${id}`,
    payload: { ref: 'refs/heads/main', note: '中文 <b>not markup</b>' },
    data: { kind: 'push', commitCount: 1 },
    ...extra,
  };
}

export function target(sink: string, extra: Partial<OutboxTarget> = {}): OutboxTarget {
  return { route: `to-${sink}`, sink, ...extra };
}

export function storeContract(factory: StorageFactory): void {
  describe(`storage contract: ${factory.name} › the stores, called directly`, () => {
    let storage: DeliveryStorage;

    beforeEach(async () => {
      storage = await factory.openStorage();
    });
    afterEach(async () => {
      await storage.close();
      await factory.cleanup?.();
    });

    /** Inserts one event per sink name, at t0 + i, in order; resolves to the rows, oldest first. */
    async function queue(sinks: readonly string[], from = 0): Promise<DeliveryRecord[]> {
      for (const [i, sink] of sinks.entries())
        await storage.outbox.insert(hookEvent(`ev-${from + i}`), [target(sink)], t0 + from + i);
      const rows = await storage.outbox.list({ limit: 1000 });
      return [...rows].reverse();
    }

    async function row(id: string): Promise<DeliveryRecord> {
      const found = await storage.outbox.get(id);
      if (found === undefined) throw new Error(`no row ${id}`);
      return found;
    }

    describe('insert', () => {
      it('stores the event and one pending row per target, due now, with sortable ids', async () => {
        const event = hookEvent('ev-1');
        const result = await storage.outbox.insert(
          event,
          [target('a', { robotKey: 'rk-a', routeDir: 'teams/a' }), target('b')],
          t0,
        );
        expect(result).toEqual({ queued: 2, duplicates: 0 });
        const rows = await storage.outbox.list();
        expect(rows).toHaveLength(2);
        const [newer, older] = rows;
        if (!newer || !older) throw new Error('two rows');
        expect(older.id < newer.id).toBe(true);
        expect(older).toMatchObject({
          eventId: 'ev-1',
          eventName: 'gitee.push',
          route: 'to-a',
          routeDir: 'teams/a',
          sink: 'a',
          robotKey: 'rk-a',
          status: 'pending',
          attempts: 0,
          nextAttemptAt: t0,
          createdAt: t0,
          updatedAt: t0,
        });
        expect(older.event).toEqual(event);
        expect(newer).toMatchObject({ sink: 'b', route: 'to-b' });
        expect(newer.robotKey).toBeUndefined();
        expect(newer.routeDir).toBeUndefined();
        expect(older.lastError).toBeUndefined();
        expect(older.sentAt).toBeUndefined();
      });

      it('skips (event id, sink) pairs it has already, whatever their status', async () => {
        await storage.outbox.insert(hookEvent('ev-1'), [target('a')], t0);
        const [first] = await storage.outbox.list();
        if (!first) throw new Error('a row');
        await storage.outbox.settle([{ id: first.id, status: 'sent', attemptsDelta: 0 }], t0 + 1);
        expect(await storage.outbox.insert(hookEvent('ev-1'), [target('a'), target('b')], t0 + 2)).toEqual({
          queued: 1,
          duplicates: 1,
        });
        expect(await storage.outbox.insert(hookEvent('ev-1'), [target('a'), target('b')], t0 + 3)).toEqual({
          queued: 0,
          duplicates: 2,
        });
        // Another event for the same sink is new.
        expect(await storage.outbox.insert(hookEvent('ev-2'), [target('a')], t0 + 4)).toEqual({
          queued: 1,
          duplicates: 0,
        });
        expect(await storage.outbox.list()).toHaveLength(3);
      });

      it('de-duplicates concurrent inserts of one event', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () => storage.outbox.insert(hookEvent('ev-x'), [target('a')], t0)),
        );
        expect(results.reduce((n, r) => n + r.queued, 0)).toBe(1);
        expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(9);
      });

      it('queues nothing for no targets', async () => {
        expect(await storage.outbox.insert(hookEvent('ev-1'), [], t0)).toEqual({ queued: 0, duplicates: 0 });
        expect(await storage.outbox.list()).toEqual([]);
      });
    });

    describe('list and get', () => {
      it('lists newest first, by status and sink, with a limit and a cursor', async () => {
        const rows = await queue(['a', 'b', 'a', 'b', 'a']);
        const ids = rows.map((r) => r.id);
        const [r0, , r2] = rows;
        if (!r0 || !r2) throw new Error('rows');
        await storage.outbox.settle(
          [{ id: r0.id, status: 'dead', attemptsDelta: 1, error: { detail: 'x' } }],
          t0 + 9,
        );
        expect((await storage.outbox.list()).map((r) => r.id)).toEqual([...ids].reverse());
        expect((await storage.outbox.list({ sink: 'a' })).map((r) => r.sink)).toEqual(['a', 'a', 'a']);
        expect((await storage.outbox.list({ status: 'dead' })).map((r) => r.id)).toEqual([r0.id]);
        expect((await storage.outbox.list({ status: 'pending', sink: 'a' })).map((r) => r.id)).toEqual([
          ids[4],
          r2.id,
        ]);
        expect((await storage.outbox.list({ status: 'pending', sink: 'c' })).map((r) => r.id)).toEqual([]);
        const page1 = await storage.outbox.list({ limit: 2 });
        expect(page1.map((r) => r.id)).toEqual([ids[4], ids[3]]);
        const page2 = await storage.outbox.list({ limit: 2, before: page1[1]?.id ?? '' });
        expect(page2.map((r) => r.id)).toEqual([ids[2], ids[1]]);
        const page3 = await storage.outbox.list({ limit: 2, before: page2[1]?.id ?? '' });
        expect(page3.map((r) => r.id)).toEqual([ids[0]]);
        expect(await storage.outbox.list({ sink: 'a', before: r2.id })).toHaveLength(1);
      });

      it('gets a row by id, and nothing for an unknown or malformed id', async () => {
        const [r] = await queue(['a']);
        if (!r) throw new Error('row');
        expect(await storage.outbox.get(r.id)).toEqual(r);
        expect(await storage.outbox.get('999999999')).toBeUndefined();
        expect(await storage.outbox.get('nope')).toBeUndefined();
        expect(await storage.outbox.get('')).toBeUndefined();
      });
    });

    describe('claim', () => {
      it('answers "nothing" for a lane with no unsent row', async () => {
        expect(await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0, max: 5 })).toEqual({
          rows: [],
        });
        const [r] = await queue(['a']);
        if (!r) throw new Error('row');
        await storage.outbox.settle([{ id: r.id, status: 'sent', attemptsDelta: 0 }], t0);
        const claim = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 10, max: 5 });
        expect(claim.rows).toEqual([]);
        expect('nextDueAt' in claim ? claim.nextDueAt : undefined).toBeUndefined();
      });

      it('claims the head and the due rows of its sink right after it, oldest first, at most max', async () => {
        const rows = await queue(['a', 'b', 'a', 'a', 'a']);
        const ids = rows.map((r) => r.id);
        const claim = await storage.outbox.claim({
          sinks: ['a', 'b'],
          robotKey: 'rk-1',
          now: t0 + 100,
          max: 3,
        });
        // Rows of another sink between them are not part of the run, and do not end it.
        expect(claim.rows.map((r) => r.id)).toEqual([ids[0], ids[2], ids[3]]);
        for (const r of claim.rows)
          expect(r).toMatchObject({ status: 'sending', robotKey: 'rk-1', updatedAt: t0 + 100 });
        expect(claim.rows[0]?.event?.id).toBe('ev-0');
        expect((await row(ids[2] ?? '')).status).toBe('sending');
        // The next head of the lane is b's row (older than a's last one).
        const next = await storage.outbox.claim({
          sinks: ['a', 'b'],
          robotKey: 'rk-1',
          now: t0 + 100,
          max: 3,
        });
        expect(next.rows.map((r) => r.id)).toEqual([ids[1]]);
        const last = await storage.outbox.claim({
          sinks: ['a', 'b'],
          robotKey: 'rk-1',
          now: t0 + 100,
          max: 3,
        });
        expect(last.rows.map((r) => r.id)).toEqual([ids[4]]);
        expect(
          (await storage.outbox.claim({ sinks: ['a', 'b'], robotKey: 'rk-1', now: t0 + 100, max: 3 })).rows,
        ).toEqual([]);
      });

      it('a head not yet due blocks the lane (order per robot) and says when it is due', async () => {
        const rows = await queue(['a', 'b', 'a']);
        const [head] = (
          await storage.outbox.claim({ sinks: ['a', 'b'], robotKey: 'rk', now: t0 + 10, max: 1 })
        ).rows;
        if (!head) throw new Error('head');
        await storage.outbox.settle(
          [
            {
              id: head.id,
              status: 'retrying',
              attemptsDelta: 1,
              nextAttemptAt: t0 + 5000,
              error: { code: '500', detail: 'down' },
            },
          ],
          t0 + 20,
        );
        const blocked = await storage.outbox.claim({
          sinks: ['a', 'b'],
          robotKey: 'rk',
          now: t0 + 30,
          max: 5,
        });
        expect(blocked).toEqual({ rows: [], nextDueAt: t0 + 5000 });
        expect((await row(rows[1]?.id ?? '')).status).toBe('pending');
        // A lane of only the other sink is not blocked by it.
        const other = await storage.outbox.claim({ sinks: ['b'], robotKey: 'rk-b', now: t0 + 30, max: 5 });
        expect(other.rows.map((r) => r.id)).toEqual([rows[1]?.id]);
        const due = await storage.outbox.claim({ sinks: ['a', 'b'], robotKey: 'rk', now: t0 + 5000, max: 5 });
        expect(due.rows.map((r) => r.id)).toEqual([head.id, rows[2]?.id]);
        expect(due.rows[0]).toMatchObject({ attempts: 1, lastError: { code: '500', detail: 'down' } });
      });

      it('stops the run at the first row of the sink not yet due', async () => {
        const rows = await queue(['a', 'a', 'a']);
        const ids = rows.map((r) => r.id);
        // Make the middle row retrying, due later.
        await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 10, max: 3 });
        await storage.outbox.settle(
          [
            { id: ids[0] ?? '', status: 'retrying', attemptsDelta: 0, nextAttemptAt: t0 + 10 },
            { id: ids[1] ?? '', status: 'retrying', attemptsDelta: 0, nextAttemptAt: t0 + 900 },
            { id: ids[2] ?? '', status: 'retrying', attemptsDelta: 0, nextAttemptAt: t0 + 10 },
          ],
          t0 + 10,
        );
        const claim = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 20, max: 10 });
        expect(claim.rows.map((r) => r.id)).toEqual([ids[0]]);
      });

      it('holds rows inserted with a later dueAt (quiet mode), keeps batchMs, and looks ahead to dueBy after the head', async () => {
        await storage.outbox.insert(
          hookEvent('ev-q1'),
          [target('a', { dueAt: t0 + 1000, batchMs: 1000 })],
          t0,
        );
        await storage.outbox.insert(
          hookEvent('ev-q2'),
          [target('a', { dueAt: t0 + 1500, batchMs: 1000 })],
          t0 + 500,
        );
        await storage.outbox.insert(hookEvent('ev-q3'), [target('a', { dueAt: t0 + 9000 })], t0 + 600);
        const [q1] = [...(await storage.outbox.list())].reverse();
        expect(q1).toMatchObject({ nextAttemptAt: t0 + 1000, batchMs: 1000, createdAt: t0 });
        expect(await storage.outbox.countDue(['a'], t0 + 999, 10)).toBe(0);
        expect(await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 999, max: 5 })).toEqual({
          rows: [],
          nextDueAt: t0 + 1000,
        });
        // dueBy never lets a head go early.
        expect(
          (
            await storage.outbox.claim({
              sinks: ['a'],
              robotKey: 'rk',
              now: t0 + 999,
              max: 5,
              dueBy: t0 + 5000,
            })
          ).rows,
        ).toEqual([]);
        const claim = await storage.outbox.claim({
          sinks: ['a'],
          robotKey: 'rk',
          now: t0 + 1000,
          max: 5,
          dueBy: t0 + 2000,
        });
        expect(claim.rows.map((r) => r.eventId)).toEqual(['ev-q1', 'ev-q2']);
        expect(claim.rows[1]?.batchMs).toBe(1000);
      });

      it('never gives one row to two concurrent claims', async () => {
        await queue(Array.from({ length: 30 }, () => 'a'));
        const claims = await Promise.all(
          Array.from({ length: 12 }, () =>
            storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 100, max: 4 }),
          ),
        );
        const claimed = claims.flatMap((c) => c.rows.map((r) => r.id));
        expect(new Set(claimed).size).toBe(claimed.length);
        expect(claimed).toHaveLength(30);
      });
    });

    describe('settle, release, recover', () => {
      it('settles sent (with a digest), retrying and dead rows as told', async () => {
        await queue(['a', 'a', 'a']);
        const { rows } = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 10, max: 3 });
        const [s, r, d] = rows;
        if (!s || !r || !d) throw new Error('three rows');
        await storage.outbox.settle(
          [
            { id: s.id, status: 'sent', attemptsDelta: 0, digestId: 'dg-1' },
            {
              id: r.id,
              status: 'retrying',
              attemptsDelta: 1,
              nextAttemptAt: t0 + 700,
              error: { code: '45009', detail: 'too fast' },
            },
            { id: d.id, status: 'dead', attemptsDelta: 1, error: { detail: 'refused for good' } },
          ],
          t0 + 50,
        );
        expect(await row(s.id)).toMatchObject({
          status: 'sent',
          sentAt: t0 + 50,
          digestId: 'dg-1',
          attempts: 0,
          updatedAt: t0 + 50,
        });
        expect(await row(r.id)).toMatchObject({
          status: 'retrying',
          attempts: 1,
          nextAttemptAt: t0 + 700,
          lastError: { code: '45009', detail: 'too fast' },
        });
        const dead = await row(d.id);
        expect(dead).toMatchObject({
          status: 'dead',
          attempts: 1,
          lastError: { detail: 'refused for good' },
        });
        expect(dead.lastError?.code).toBeUndefined();
        expect(dead.sentAt).toBeUndefined();
        // A second failure adds to attempts.
        await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 700, max: 1 });
        await storage.outbox.settle(
          [
            {
              id: r.id,
              status: 'retrying',
              attemptsDelta: 1,
              nextAttemptAt: t0 + 900,
              error: { detail: 'again' },
            },
          ],
          t0 + 710,
        );
        expect(await row(r.id)).toMatchObject({ attempts: 2, lastError: { detail: 'again' } });
        expect((await row(r.id)).lastError?.code).toBeUndefined();
      });

      it('releases claimed rows as they were, and leaves rows no longer sending alone', async () => {
        await queue(['a', 'a', 'a']);
        const first = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 10, max: 1 });
        const [failed] = first.rows;
        if (!failed) throw new Error('row');
        await storage.outbox.settle(
          [
            {
              id: failed.id,
              status: 'retrying',
              attemptsDelta: 1,
              nextAttemptAt: t0 + 20,
              error: { detail: 'x' },
            },
          ],
          t0 + 10,
        );
        const { rows } = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 30, max: 3 });
        expect(rows).toHaveLength(3);
        const [a, b, c] = rows;
        if (!a || !b || !c) throw new Error('rows');
        await storage.outbox.settle([{ id: c.id, status: 'sent', attemptsDelta: 0 }], t0 + 40);
        await storage.outbox.release([a.id, b.id, c.id, 'garbage'], t0 + 50);
        expect(await row(a.id)).toMatchObject({ status: 'retrying', attempts: 1, nextAttemptAt: t0 + 20 });
        expect(await row(b.id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: t0 + 1 });
        expect((await row(c.id)).status).toBe('sent');
        // Released rows are the lane's head again, in order.
        const again = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 60, max: 5 });
        expect(again.rows.map((r) => r.id)).toEqual([a.id, b.id]);
      });

      it('recovers every sending row (crash leftovers) to pending, due now', async () => {
        await queue(['a', 'b', 'a']);
        await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 10, max: 5 });
        await storage.outbox.claim({ sinks: ['b'], robotKey: 'rk', now: t0 + 10, max: 5 });
        expect(await storage.outbox.recover(t0 + 99)).toBe(3);
        for (const r of await storage.outbox.list())
          expect(r).toMatchObject({ status: 'pending', nextAttemptAt: t0 + 99 });
        expect(await storage.outbox.recover(t0 + 100)).toBe(0);
      });
    });

    describe('work probes and counts', () => {
      it('says which sinks have unsent rows and how many are due', async () => {
        expect(await storage.outbox.sinksWithWork()).toEqual([]);
        expect(await storage.outbox.hasWork(['a'])).toBe(false);
        const rows = await queue(['a', 'b', 'a', 'a']);
        expect([...(await storage.outbox.sinksWithWork())].sort()).toEqual(['a', 'b']);
        expect(await storage.outbox.hasWork(['c', 'b'])).toBe(true);
        expect(await storage.outbox.countDue(['a', 'b'], t0 + 100, 10)).toBe(4);
        expect(await storage.outbox.countDue(['a', 'b'], t0 + 100, 2)).toBe(2);
        expect(await storage.outbox.countDue(['a'], t0 + 2, 10)).toBe(2);
        expect(await storage.outbox.countDue(['a'], t0 + 1, 10)).toBe(1);
        await storage.outbox.claim({ sinks: ['b'], robotKey: 'rk', now: t0 + 10, max: 1 });
        await storage.outbox.settle([{ id: rows[1]?.id ?? '', status: 'sent', attemptsDelta: 0 }], t0 + 10);
        expect(await storage.outbox.sinksWithWork()).toEqual(['a']);
        expect(await storage.outbox.hasWork(['b'])).toBe(false);
        expect(await storage.outbox.countDue(['b'], t0 + 100, 10)).toBe(0);
      });

      it('counts rows per sink and status, with the oldest createdAt', async () => {
        await queue(['a', 'b', 'a']);
        await storage.outbox.claim({ sinks: ['b'], robotKey: 'rk', now: t0 + 10, max: 1 });
        const counts = [...(await storage.outbox.counts())].sort((x, y) =>
          `${x.sink}/${x.status}`.localeCompare(`${y.sink}/${y.status}`),
        );
        expect(counts).toEqual([
          { sink: 'a', status: 'pending', count: 2, oldestCreatedAt: t0 },
          { sink: 'b', status: 'sending', count: 1, oldestCreatedAt: t0 + 1 },
        ]);
      });
    });

    describe('replay, replayDead, purge', () => {
      it('replays dead and sent rows from scratch, retrying rows at once, and refuses rows in flight', async () => {
        const rows = await queue(['a', 'a', 'a', 'a']);
        const { rows: claimed } = await storage.outbox.claim({
          sinks: ['a'],
          robotKey: 'rk',
          now: t0 + 10,
          max: 4,
        });
        const [dead, sent, retrying, sending] = claimed;
        if (!dead || !sent || !retrying || !sending) throw new Error('rows');
        await storage.outbox.settle(
          [
            { id: dead.id, status: 'dead', attemptsDelta: 1, error: { code: '93000', detail: 'invalid' } },
            { id: sent.id, status: 'sent', attemptsDelta: 0, digestId: 'dg-9' },
            {
              id: retrying.id,
              status: 'retrying',
              attemptsDelta: 1,
              nextAttemptAt: t0 + 99_999,
              error: { detail: 'x' },
            },
          ],
          t0 + 20,
        );
        expect(await storage.outbox.replay(dead.id, t0 + 30)).toMatchObject({
          id: dead.id,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: t0 + 30,
          updatedAt: t0 + 30,
        });
        const replayedSent = await storage.outbox.replay(sent.id, t0 + 31);
        expect(replayedSent).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: t0 + 31 });
        expect(replayedSent?.sentAt).toBeUndefined();
        expect(replayedSent?.digestId).toBeUndefined();
        expect(await storage.outbox.replay(retrying.id, t0 + 32)).toMatchObject({
          status: 'pending',
          attempts: 1,
          nextAttemptAt: t0 + 32,
        });
        await expect(storage.outbox.replay(sending.id, t0 + 33)).rejects.toMatchObject({
          code: 'HM_ERR_DELIVERY_IN_FLIGHT',
        });
        expect((await row(sending.id)).status).toBe('sending');
        expect(await storage.outbox.replay('999999999', t0)).toBeUndefined();
        expect(rows.map((r) => r.id)).toContain(dead.id);
        // Replayed rows keep their place: the lane's head is the oldest again.
        const claim = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 40, max: 5 });
        expect(claim.rows.map((r) => r.id)).toEqual([dead.id, sent.id, retrying.id]);
      });

      it('replays every dead row, or one sink’s, with progress', async () => {
        await queue(['a', 'b', 'a', 'b', 'a']);
        for (const sink of ['a', 'b']) {
          const { rows } = await storage.outbox.claim({
            sinks: [sink],
            robotKey: 'rk',
            now: t0 + 10,
            max: 10,
          });
          await storage.outbox.settle(
            rows.map((r) => ({
              id: r.id,
              status: 'dead' as const,
              attemptsDelta: 1 as const,
              error: { detail: 'gone' },
            })),
            t0 + 20,
          );
        }
        const progress: { done: number; total: number }[] = [];
        expect(await storage.outbox.replayDead({ sink: 'b' }, t0 + 30, (p) => progress.push(p))).toBe(2);
        expect(progress[0]).toEqual({ done: 0, total: 2 });
        expect(progress[progress.length - 1]).toEqual({ done: 2, total: 2 });
        expect((await storage.outbox.list({ sink: 'b', status: 'pending' })).length).toBe(2);
        expect((await storage.outbox.list({ sink: 'a', status: 'dead' })).length).toBe(3);
        expect(await storage.outbox.replayDead({}, t0 + 40)).toBe(3);
        const all = await storage.outbox.list();
        for (const r of all) expect(r).toMatchObject({ status: 'pending', attempts: 0 });
        expect(await storage.outbox.replayDead({}, t0 + 50)).toBe(0);
      });

      it('purges finished rows last updated before the cutoff, and the events no row refers to any more', async () => {
        await storage.outbox.insert(hookEvent('ev-shared'), [target('a'), target('b')], t0);
        await storage.outbox.insert(hookEvent('ev-old'), [target('a')], t0 + 1);
        await storage.outbox.insert(hookEvent('ev-new'), [target('a')], t0 + 2);
        const { rows } = await storage.outbox.claim({ sinks: ['a'], robotKey: 'rk', now: t0 + 10, max: 10 });
        const [shared, old, fresh] = rows;
        if (!shared || !old || !fresh) throw new Error('rows');
        await storage.outbox.settle(
          [
            { id: shared.id, status: 'sent', attemptsDelta: 0 },
            { id: old.id, status: 'sent', attemptsDelta: 0 },
          ],
          t0 + 1000,
        );
        await storage.outbox.settle([{ id: fresh.id, status: 'sent', attemptsDelta: 0 }], t0 + 5000);
        const progress: { done: number; total: number }[] = [];
        // Dead rows: none old enough.
        expect(await storage.outbox.purge({ status: 'dead', olderThanMs: 0 }, t0 + 9000)).toBe(0);
        expect(
          await storage.outbox.purge({ status: 'sent', olderThanMs: 3000 }, t0 + 6000, (p) =>
            progress.push(p),
          ),
        ).toBe(2);
        expect(progress[0]).toEqual({ done: 0, total: 2 });
        expect(progress[progress.length - 1]).toEqual({ done: 2, total: 2 });
        expect(await storage.outbox.get(shared.id)).toBeUndefined();
        expect(await storage.outbox.get(old.id)).toBeUndefined();
        expect((await storage.outbox.get(fresh.id))?.status).toBe('sent');
        // b's row of the shared event still holds it; ev-old went with its last row.
        const b = (await storage.outbox.list({ sink: 'b' }))[0];
        expect(b?.event?.id).toBe('ev-shared');
        expect([...(await factory.storedEventIds(storage))].sort()).toEqual(['ev-new', 'ev-shared']);
        // A purged pair may be queued again, like a new event.
        expect(await storage.outbox.insert(hookEvent('ev-old'), [target('a')], t0 + 7000)).toEqual({
          queued: 1,
          duplicates: 0,
        });
        expect((await storage.outbox.list({ sink: 'a', status: 'pending' }))[0]?.event?.id).toBe('ev-old');
        expect(
          (await storage.outbox.counts()).find((c) => c.sink === 'a' && c.status === 'sent')?.count,
        ).toBe(1);
      });
    });

    describe('rate window', () => {
      it('records sends per robot, answers them ascending from a time, restamps and prunes', async () => {
        const first = await storage.rates.record('rk-1', t0 + 100);
        await storage.rates.record('rk-1', t0 + 50);
        await storage.rates.record('rk-2', t0 + 60);
        await storage.rates.record('rk-1', t0 + 300);
        expect(await storage.rates.sendsSince('rk-1', t0)).toEqual([t0 + 50, t0 + 100, t0 + 300]);
        expect(await storage.rates.sendsSince('rk-1', t0 + 100)).toEqual([t0 + 100, t0 + 300]);
        expect(await storage.rates.sendsSince('rk-2', t0)).toEqual([t0 + 60]);
        expect(await storage.rates.sendsSince('rk-3', t0)).toEqual([]);
        await storage.rates.restamp(first, t0 + 400);
        expect(await storage.rates.sendsSince('rk-1', t0)).toEqual([t0 + 50, t0 + 300, t0 + 400]);
        await storage.rates.prune(t0 + 300);
        expect(await storage.rates.sendsSince('rk-1', 0)).toEqual([t0 + 300, t0 + 400]);
        expect(await storage.rates.sendsSince('rk-2', 0)).toEqual([]);
      });
    });

    describe('lease', () => {
      it('is taken when free, renewed by its owner, refused to others until it expires, and released by its owner only', async () => {
        expect(await storage.lease.holder()).toBeUndefined();
        expect(await storage.lease.tryAcquire('host:1:a', t0, 60_000)).toBe(true);
        expect(await storage.lease.holder()).toEqual({ owner: 'host:1:a', expiresAt: t0 + 60_000 });
        expect(await storage.lease.tryAcquire('host:2:b', t0 + 1000, 60_000)).toBe(false);
        expect(await storage.lease.tryAcquire('host:1:a', t0 + 1000, 60_000)).toBe(true);
        expect(await storage.lease.holder()).toEqual({ owner: 'host:1:a', expiresAt: t0 + 61_000 });
        expect(await storage.lease.tryAcquire('host:2:b', t0 + 60_999, 60_000)).toBe(false);
        // Expired at or before now: another owner takes it over.
        expect(await storage.lease.tryAcquire('host:2:b', t0 + 61_000, 60_000)).toBe(true);
        expect((await storage.lease.holder())?.owner).toBe('host:2:b');
        await storage.lease.release('host:1:a');
        expect((await storage.lease.holder())?.owner).toBe('host:2:b');
        await storage.lease.release('host:2:b');
        expect(await storage.lease.holder()).toBeUndefined();
        expect(await storage.lease.tryAcquire('host:1:a', t0 + 62_000, 60_000)).toBe(true);
      });
    });

    describe('once', () => {
      it('remembers a key once until it expires', async () => {
        const now = Date.now();
        expect(await storage.once.rememberOnce('sig-1', now + 60_000, now)).toBe(true);
        expect(await storage.once.rememberOnce('sig-1', now + 60_000, now + 1)).toBe(false);
        expect(await storage.once.rememberOnce('sig-2', now + 60_000, now + 1)).toBe(true);
        const short = Date.now();
        expect(await storage.once.rememberOnce('sig-3', short + 30, short)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await storage.once.rememberOnce('sig-3', Date.now() + 60_000, Date.now())).toBe(true);
        expect(await storage.once.rememberOnce('sig-1', Date.now() + 60_000, Date.now())).toBe(false);
      });
    });

    it('is healthy when it can keep what it is given', async () => {
      expect(await storage.health()).toEqual({ ok: true });
    });
  });
}
