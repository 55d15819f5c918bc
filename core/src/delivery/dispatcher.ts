import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { DeliveryConfig, RetentionConfig } from '../config/hookmux-config.js';
import type { DeliveryAttempt, DeliveryObserver, DeliveryOutcome } from '../contracts/delivery-observer.js';
import type {
  DeliveryStorage,
  OutboxTarget,
  Settlement,
  StorageHealth,
} from '../contracts/delivery-storage.js';
import type {
  DeliveryProgressListener,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryStatus,
  DeliveryStore,
  PurgeFilter,
  SinkDeliveryStats,
} from '../contracts/delivery-store.js';
import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import type { DeliveryRequest, EnqueueResult, Queue } from '../contracts/queue.js';
import type { ResolvedSink, SinkDirectory } from '../contracts/sink-directory.js';
import type { DeliveryResult, RateLimit } from '../contracts/sink.js';
import type { DigestEntry } from '../digest/render-digest.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { buildDigest } from './build-digest.js';
import { computeBackoffMs } from './compute-backoff-ms.js';
import { fallbackMessage, type SendRenderer } from './send-renderer.js';
import { SlidingWindowLimiter } from './sliding-window-limiter.js';
import { defineStoredEvent, hasStoredEvent, storedEventBody } from './stored-event.js';

/** How long a dispatcher lease lasts without renewal; the holder renews it every third of that. */
export const dispatcherLeaseMs = 15_000;
/** The most rows one digest may take (the whole due run of a lane, under any flood). */
export const maxDigestRows = 1000;
/** A sink that ignores its abort signal still frees its lane this long after its timeout. */
const hardTimeoutGraceMs = 1000;
/**
 * A row `sending` that no attempt of this dispatcher carries, this long after its claim, is an
 * orphan: the claim's answer was lost, or an attempt could not record its result while the
 * storage was away. Holding the lease, it can only be ours: it goes back to unsent.
 */
const orphanGraceMs = 10_000;
/** Longest pause between tries to record a robot's answer while the storage is away. */
const settleRetryMaxMs = 5000;
const sendLogRetentionMs = 24 * 60 * 60 * 1000;
/** How often the whole backlog is scanned for sinks the config no longer has. */
const orphanScanEveryMs = 60_000;

export interface DispatcherOptions {
  readonly storage: DeliveryStorage;
  readonly sinks: SinkDirectory;
  /** Renders at send time; without one (inspection-only processes) rows go out as a plain summary. */
  readonly renderer?: SendRenderer;
  readonly logger: Logger;
  readonly delivery: DeliveryConfig;
  /** The one clock of the delivery kernel (tests pin it). */
  readonly now?: () => number;
  /** Fallback poll, ms: picks up rows queued or replayed by another process. */
  readonly pollMs?: number;
  /** Jitter source (tests pin it). */
  readonly random?: () => number;
  /** How long `stop()` waits for in-flight sends before releasing them, ms. */
  readonly stopTimeoutMs?: number;
  readonly leaseMs?: number;
  /** `storage.retention`: finished rows older than this are purged (by the lease holder). */
  readonly retention?: RetentionConfig;
  /** How often retention runs, ms (default an hour). */
  readonly retentionEveryMs?: number;
}

/** One robot: its limiter, and at most one request in flight so that its messages stay in order. */
interface Lane {
  readonly key: string;
  readonly limiter: SlidingWindowLimiter;
  busy: boolean;
  /** Set by a throttled answer: the robot's own view of its window wins over ours. */
  blockedUntil: number;
}

interface Attempt {
  readonly lane: Lane;
  /** Claimed rows; narrowed to the rows the message carries once it is rendered. */
  rows: readonly DeliveryRecord[];
  readonly abort: AbortController;
  released: boolean;
}

/**
 * The delivery kernel: the one place that decides anything about delivery, over a backend that
 * only stores (`DeliveryStorage`). It is the app's `Queue` (intake commits events here) and its
 * `DeliveryStore` (the CLI and admin inspect and repair through here).
 *
 * - **Lanes**: sinks pointing at one robot (`ResolvedSink.robotKey`) share one lane; a lane has at
 *   most one request in flight and sends its rows oldest first; a head waiting for its retry time
 *   holds the lane (order per robot).
 * - **Admission**: a sliding-window log per robot (`SlidingWindowLimiter`) over the sends recorded
 *   in the `RateWindowStore`, with every limit of `ResolvedSink.rateLimits`; a throttled answer
 *   blocks the lane for `retryAfterMs` or the longest window.
 * - **Digests**: when the lane's due backlog is larger than the sends its limits let out in the
 *   rest of the window, the next send takes the whole due run of the head's sink (up to
 *   `maxDigestRows`) and renders it as one digest. So under any flood every accepted row is inside
 *   a sent message within one send interval of the window (WeCom 20/min: ~3 s) plus the render.
 * - **Rendering** at send time through `SendRenderer`, from the templates in force.
 * - **Timeouts**: `{ signal, timeoutMs }` go to `sink.send`; a hard timeout a second later frees
 *   the lane even when a sink ignores them.
 * - **Outcomes**, identical for one message and for a digest (every row it carries): sent → `sent`;
 *   permanent → `dead` with the code (one attempt counted); throttled → `retrying` at the end of
 *   the robot's window, not counted; retryable → one attempt counted on every row, `retrying`
 *   after the backoff (or `retryAfterMs`, when longer), or `dead` once a row has failed
 *   `maxAttempts` sends or is older than `maxAge`.
 * - One dispatcher per storage: a lease (`LeaseStore`); others stand by and accept events.
 */
export class Dispatcher implements Queue, DeliveryStore {
  readonly #storage: DeliveryStorage;
  readonly #sinks: SinkDirectory;
  readonly #renderer: SendRenderer | undefined;
  readonly #logger: Logger;
  readonly #config: DeliveryConfig;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #pollMs: number;
  readonly #stopTimeoutMs: number;
  readonly #leaseMs: number;
  readonly #retention: RetentionConfig | undefined;
  readonly #retentionEveryMs: number;
  #lastRetentionAt = 0;
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  #state: 'idle' | 'running' | 'standby' | 'stopped' = 'idle';
  #leaseTimer: NodeJS.Timeout | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;
  #pumpAgain = false;
  #pumpScheduled = false;
  #lastOrphanScanAt = 0;
  #lastPruneAt = 0;
  #knownSinksWithWork = new Set<string>();
  readonly #lanes = new Map<string, Lane>();
  readonly #attempts = new Set<Attempt>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #warnedSinks = new Set<string>();
  readonly #observers: DeliveryObserver[] = [];

  constructor(options: DispatcherOptions) {
    this.#storage = options.storage;
    this.#sinks = options.sinks;
    this.#renderer = options.renderer;
    this.#logger = options.logger.child({ component: 'dispatcher' });
    this.#config = options.delivery;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#pollMs = options.pollMs ?? 1000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.#leaseMs = options.leaseMs ?? dispatcherLeaseMs;
    this.#retention = options.retention;
    this.#retentionEveryMs = options.retentionEveryMs ?? 60 * 60 * 1000;
  }

  get storage(): DeliveryStorage {
    return this.#storage;
  }

  // ── Queue ───────────────────────────────────────────────────────────────────────────────

  async enqueue(deliveries: readonly DeliveryRequest[]): Promise<EnqueueResult> {
    if (this.#state === 'stopped') {
      throw new HookmuxError('HM_ERR_HTTP_UNAVAILABLE', 'the outbox is stopped', {
        hint: 'hookmux is shutting down; the source will retry',
      });
    }
    const byEvent = new Map<string, { event: HookEvent; targets: OutboxTarget[] }>();
    const now = this.#now();
    for (const d of deliveries) {
      const group = byEvent.get(d.event.id) ?? { event: d.event, targets: [] };
      const resolved = this.#sinks.resolve(d.sink);
      const robotKey = robotKeyOf(resolved);
      // Quiet mode: held for the sink's or the route's period, then sent as one digest.
      const hold = Math.max(resolved?.batchMs ?? 0, d.batchMs ?? 0);
      group.targets.push({
        route: d.route,
        sink: d.sink,
        ...(hold > 0 ? { dueAt: now + hold, batchMs: hold } : {}),
        ...(d.routeDir === undefined ? {} : { routeDir: d.routeDir }),
        ...(robotKey === undefined ? {} : { robotKey }),
      });
      byEvent.set(d.event.id, group);
    }
    let queued = 0;
    let duplicates = 0;
    for (const { event, targets } of byEvent.values()) {
      const result = await this.#storage.outbox.insert(event, targets, now);
      queued += result.queued;
      duplicates += result.duplicates;
    }
    if (queued > 0) this.#wake();
    return { queued, duplicates };
  }

  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    return this.#storage.once.rememberOnce(key, expiresAt, now);
  }

  health(): Promise<StorageHealth> {
    return this.#storage.health();
  }

  async start(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'standby') return;
    if (this.#state === 'stopped') throw new Error('a Dispatcher cannot be restarted once stopped');
    this.#state = 'standby';
    await this.#keepLease();
    if (this.#state === 'standby') {
      const holder = await this.#storage.lease.holder().catch(() => undefined);
      this.#logger.warn(
        { holder: holder?.owner },
        'another process dispatches from this outbox; this one accepts events and takes over if that one stops',
      );
    }
    this.#leaseTimer = setInterval(() => void this.#keepLease(), this.#leaseMs / 3);
    this.#leaseTimer.unref();
  }

  isRunning(): boolean {
    return this.#state === 'running' || this.#state === 'standby';
  }

  observe(observer: DeliveryObserver): void {
    this.#observers.push(observer);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasStarted = this.#state !== 'idle';
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    clearInterval(this.#leaseTimer);
    if (this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#stopTimeoutMs)));
      await Promise.race([Promise.allSettled([...this.#inFlight]), bound]);
      clearTimeout(timer);
    }
    const released: string[] = [];
    for (const attempt of this.#attempts) {
      attempt.released = true;
      attempt.abort.abort();
      released.push(...attempt.rows.map((r) => r.id));
    }
    try {
      if (released.length > 0) {
        await this.#storage.outbox.release(released, this.#now());
        this.#logger.warn(
          { released: released.length },
          'sends still in flight at shutdown were released; they will be sent again on the next start',
        );
      }
      if (wasStarted) await this.#storage.lease.release(this.owner);
    } catch (error) {
      this.#logger.error({ err: error }, 'could not release in-flight rows or the lease at shutdown');
    }
    await this.#renderer?.close?.();
    await this.#storage.close();
  }

  /** For processes that only inspect the outbox (the CLI): same as `stop()` when not started. */
  close(): Promise<void> {
    return this.stop();
  }

  // ── DeliveryStore ───────────────────────────────────────────────────────────────────────

  list(query?: DeliveryQuery): Promise<readonly DeliveryRecord[]> {
    return this.#storage.outbox.list(query);
  }

  get(id: string): Promise<DeliveryRecord | undefined> {
    return this.#storage.outbox.get(id);
  }

  async replay(id: string): Promise<DeliveryRecord> {
    const before = await this.#storage.outbox.get(id);
    const row = await this.#storage.outbox.replay(id, this.#now());
    if (row === undefined) {
      throw new HookmuxError('HM_ERR_DELIVERY_NOT_FOUND', `no delivery with id ${id}`, {
        hint: 'list them with `hookmux deliveries list`',
      });
    }
    this.#logger.info({ delivery: id, sink: row.sink, from: before?.status }, 'delivery replayed');
    this.#wake();
    return row;
  }

  async replayDead(
    filter: { readonly sink?: string } = {},
    onProgress?: DeliveryProgressListener,
  ): Promise<number> {
    const done = await this.#storage.outbox.replayDead(filter, this.#now(), onProgress);
    if (done > 0) this.#logger.info({ replayed: done, sink: filter.sink }, 'dead deliveries replayed');
    this.#wake();
    return done;
  }

  async purge(filter: PurgeFilter, onProgress?: DeliveryProgressListener): Promise<number> {
    if (filter.status !== 'sent' && filter.status !== 'dead') {
      throw new HookmuxError('HM_ERR_CLI_USAGE', `cannot purge ${String(filter.status)} deliveries`, {
        hint: 'only sent and dead deliveries can be purged',
      });
    }
    const done = await this.#storage.outbox.purge(filter, this.#now(), onProgress);
    if (done > 0) {
      this.#logger.info({ purged: done, status: filter.status }, 'deliveries purged');
      await this.#storage.compact?.();
    }
    return done;
  }

  async stats(): Promise<readonly SinkDeliveryStats[]> {
    const health = await this.#storage.health();
    if (!health.ok) {
      throw new HookmuxError(
        'HM_ERR_HTTP_UNAVAILABLE',
        `storage is unhealthy (${health.reason}): ${health.detail}`,
        {
          hint: 'check storage.path: the file must exist, and its disk must be writable and not full',
        },
      );
    }
    const now = this.#now();
    const rows = await this.#storage.outbox.counts();
    const names = [...new Set([...this.#sinks.names(), ...rows.map((r) => r.sink)])].sort();
    const result: SinkDeliveryStats[] = [];
    for (const sink of names) {
      const counts: Record<DeliveryStatus, number> = {
        pending: 0,
        sending: 0,
        sent: 0,
        retrying: 0,
        dead: 0,
      };
      let oldest: number | undefined;
      for (const r of rows) {
        if (r.sink !== sink) continue;
        counts[r.status] = r.count;
        if (r.status === 'pending' || r.status === 'retrying')
          oldest = Math.min(oldest ?? r.oldestCreatedAt, r.oldestCreatedAt);
      }
      const stats: SinkDeliveryStats = {
        sink,
        counts,
        ...(oldest === undefined ? {} : { oldestPendingAgeMs: Math.max(0, now - oldest) }),
      };
      const resolved = this.#sinks.resolve(sink);
      if (resolved === undefined) {
        result.push(stats);
        continue;
      }
      const key = robotKeyOf(resolved) ?? sink;
      const lane = this.#lanes.get(key);
      const limiter = lane?.limiter ?? (await this.#loadLimiter(key, resolved.rateLimits, now));
      result.push({
        ...stats,
        rateLimit: {
          robotKey: key,
          limits: limiter.state(now),
          nextFreeAt: Math.max(limiter.nextFreeAt(now), lane?.blockedUntil ?? 0),
        },
      });
    }
    return result;
  }

  // ── Lease ───────────────────────────────────────────────────────────────────────────────

  /** Renews the lease while dispatching; takes it (and starts dispatching) when it is free. */
  async #keepLease(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'idle') return;
    const now = this.#now();
    let held: boolean;
    try {
      const holder = await this.#storage.lease.holder();
      // A holder on this host whose process is gone has released its lease, whatever it says.
      if (holder !== undefined && holder.owner !== this.owner && !isOwnerAlive(holder.owner))
        await this.#storage.lease.release(holder.owner);
      held = await this.#storage.lease.tryAcquire(this.owner, now, this.#leaseMs);
    } catch (error) {
      this.#logger.error({ err: error }, 'could not renew the dispatcher lease; trying again shortly');
      return;
    }
    if (held && this.#state === 'standby') await this.#becomeDispatcher(now);
    else if (held && this.#state === 'running') await this.#releaseOrphans();
    else if (!held && this.#state === 'running') {
      // Another process took the lease (ours lapsed: the event loop stalled for a long time).
      this.#state = 'standby';
      clearTimeout(this.#timer);
      this.#logger.error({}, 'lost the dispatcher lease; standing by');
    }
  }

  /** Puts orphaned `sending` rows (see `orphanGraceMs`) back in their lanes. */
  async #releaseOrphans(): Promise<void> {
    try {
      const sending = await this.#storage.outbox.list({ status: 'sending', limit: 1000 });
      const carried = new Set([...this.#attempts].flatMap((a) => a.rows.map((r) => r.id)));
      const now = this.#now();
      const orphans = sending.filter((r) => !carried.has(r.id) && now - r.updatedAt > orphanGraceMs);
      if (orphans.length === 0) return;
      await this.#storage.outbox.release(
        orphans.map((r) => r.id),
        now,
      );
      this.#logger.warn(
        { released: orphans.length },
        'deliveries left mid-send by a storage failure will be sent again',
      );
      this.#wake();
    } catch (error) {
      this.#logger.error({ err: error }, 'could not check for interrupted deliveries; trying again shortly');
    }
  }

  async #becomeDispatcher(now: number): Promise<void> {
    // Rows a crash left mid-send: the robot may or may not have them (at-least-once), so they go
    // again. Safe only while holding the lease: they cannot be another live dispatcher's.
    try {
      const recovered = await this.#storage.outbox.recover(now);
      if (recovered > 0)
        this.#logger.warn(
          { recovered },
          'deliveries interrupted mid-send by the last shutdown will be sent again',
        );
      await this.#storage.rates.prune(now - sendLogRetentionMs);
    } catch (error) {
      this.#logger.error({ err: error }, 'could not recover interrupted deliveries; trying again shortly');
      return;
    }
    if (this.#state !== 'standby') return;
    // Limiters are rebuilt from the stored sends: another dispatcher may have sent since.
    this.#lanes.clear();
    this.#lastPruneAt = now;
    this.#state = 'running';
    this.#wake();
  }

  // ── Dispatching ─────────────────────────────────────────────────────────────────────────

  #wake(): void {
    if (this.#state !== 'running' || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  /** One pass: every idle lane whose head is due and whose limiter has room starts one send. */
  async #pump(): Promise<void> {
    if (this.#state !== 'running') return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    const now = this.#now();
    let wakeAt = now + this.#pollMs;
    try {
      if (now - this.#lastPruneAt > 60 * 60 * 1000) {
        this.#lastPruneAt = now;
        await this.#storage.rates.prune(now - sendLogRetentionMs);
      }
      if (now - this.#lastRetentionAt >= this.#retentionEveryMs) {
        this.#lastRetentionAt = now;
        await this.#applyRetention();
      }
      for (const { lane, sinks } of await this.#laneGroups(now)) {
        if (this.#state !== 'running') break;
        if (lane.busy) continue;
        const at = Math.max(lane.blockedUntil, lane.limiter.nextFreeAt(now));
        if (at > now) {
          wakeAt = Math.min(wakeAt, at);
          continue;
        }
        const names = [...sinks.keys()];
        // A quiet lane sends everything it holds in one digest once its oldest row is due.
        const quietMs = Math.max(0, ...[...sinks.values()].map((s) => s.batchMs ?? 0));
        lane.busy = true;
        try {
          const max = quietMs > 0 ? maxDigestRows : await this.#claimSize(lane, names, now);
          let claim = await this.#storage.outbox.claim({
            sinks: names,
            robotKey: lane.key,
            now,
            max,
            ...(quietMs > 0 ? { dueBy: now + quietMs } : {}),
          });
          // A head held by its route's quiet period (`routes[].batch`): take its whole period.
          const held = claim.rows[0]?.batchMs ?? 0;
          if (quietMs === 0 && held > 0 && claim.rows.length < maxDigestRows) {
            await this.#storage.outbox.release(
              claim.rows.map((r) => r.id),
              now,
            );
            claim = await this.#storage.outbox.claim({
              sinks: names,
              robotKey: lane.key,
              now,
              max: maxDigestRows,
              dueBy: now + held,
            });
          }
          if (claim.rows.length === 0) {
            lane.busy = false;
            if ('nextDueAt' in claim && claim.nextDueAt !== undefined)
              wakeAt = Math.min(wakeAt, claim.nextDueAt);
            continue;
          }
          this.#startSend(lane, claim.rows, now);
        } catch (error) {
          lane.busy = false;
          throw error;
        }
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'dispatcher pass failed; trying again shortly');
    } finally {
      this.#pumping = false;
    }
    if (this.#state !== 'running') return;
    clearTimeout(this.#timer);
    if (this.#pumpAgain) {
      this.#pumpAgain = false;
      this.#wake();
      return;
    }
    this.#timer = setTimeout(() => void this.#pump(), Math.max(1, wakeAt - this.#now()));
  }

  /** Purges finished rows past `storage.retention`, and gives the space back. */
  async #applyRetention(): Promise<void> {
    const retention = this.#retention;
    if (retention === undefined) return;
    let purged = 0;
    const now = this.#now();
    if (retention.sentMs !== undefined)
      purged += await this.#storage.outbox.purge({ status: 'sent', olderThanMs: retention.sentMs }, now);
    if (retention.deadMs !== undefined)
      purged += await this.#storage.outbox.purge({ status: 'dead', olderThanMs: retention.deadMs }, now);
    if (purged > 0) {
      this.#logger.info({ purged }, 'finished deliveries past storage.retention purged');
      await this.#storage.compact?.();
    }
  }

  /**
   * 1, or the whole due run when the lane's due backlog is larger than what its limits still let
   * out in their windows: then waiting would make messages late, so they are merged.
   */
  async #claimSize(lane: Lane, sinks: readonly string[], now: number): Promise<number> {
    const slots = slotsLeft(lane.limiter, now);
    if (!Number.isFinite(slots)) return 1;
    const due = await this.#storage.outbox.countDue(sinks, now, slots + 1);
    return due > slots ? maxDigestRows : 1;
  }

  /** Sinks with unsent rows, grouped by the robot behind them (sinks may share one robot). */
  async #laneGroups(now: number): Promise<{ lane: Lane; sinks: Map<string, ResolvedSink> }[]> {
    const names = await this.#sinksWithWork(now);
    const groups = new Map<string, { sinks: Map<string, ResolvedSink>; limits: RateLimit[] }>();
    for (const name of names) {
      const resolved = this.#sinks.resolve(name);
      if (resolved === undefined) {
        if (!this.#warnedSinks.has(name)) {
          this.#warnedSinks.add(name);
          this.#logger.warn(
            { sink: name },
            'sink is not in the config in force; its deliveries stay queued until it is back',
          );
        }
        continue;
      }
      this.#warnedSinks.delete(name);
      const key = robotKeyOf(resolved) ?? name;
      const group = groups.get(key) ?? { sinks: new Map<string, ResolvedSink>(), limits: [] };
      group.sinks.set(name, resolved);
      group.limits.push(...resolved.rateLimits);
      groups.set(key, group);
    }
    const result: { lane: Lane; sinks: Map<string, ResolvedSink> }[] = [];
    for (const [key, group] of groups) {
      const limits = dedupeLimits(group.limits);
      let lane = this.#lanes.get(key);
      if (lane === undefined) {
        lane = { key, limiter: await this.#loadLimiter(key, limits, now), busy: false, blockedUntil: 0 };
        this.#lanes.set(key, lane);
      } else {
        lane.limiter.setLimits(limits);
      }
      result.push({ lane, sinks: group.sinks });
    }
    return result;
  }

  /**
   * Sinks with unsent rows: the configured ones probed one by one; only now and then is the whole
   * backlog scanned for rows of sinks no longer configured (to warn about them).
   */
  async #sinksWithWork(now: number): Promise<string[]> {
    if (now - this.#lastOrphanScanAt > orphanScanEveryMs) {
      this.#lastOrphanScanAt = now;
      const all = [...(await this.#storage.outbox.sinksWithWork())];
      this.#knownSinksWithWork = new Set(all);
      return all;
    }
    const names = new Set(this.#sinks.names());
    for (const orphan of this.#knownSinksWithWork) names.add(orphan);
    const result: string[] = [];
    for (const name of names) if (await this.#storage.outbox.hasWork([name])) result.push(name);
    return result;
  }

  async #loadLimiter(key: string, limits: readonly RateLimit[], now: number): Promise<SlidingWindowLimiter> {
    const longest = Math.max(1, ...limits.map((l) => l.windowMs));
    const history = await this.#storage.rates.sendsSince(key, now - longest);
    return new SlidingWindowLimiter(limits, history);
  }

  #startSend(lane: Lane, claimed: readonly DeliveryRecord[], now: number): void {
    const attempt: Attempt = { lane, rows: claimed, abort: new AbortController(), released: false };
    this.#attempts.add(attempt);
    const done = this.#run(attempt, now)
      .catch((error: unknown) => this.#logger.error({ err: error }, 'could not record a delivery result'))
      .finally(() => {
        this.#attempts.delete(attempt);
        this.#inFlight.delete(done);
        lane.busy = false;
        this.#wake();
      });
    this.#inFlight.add(done);
  }

  async #run(attempt: Attempt, claimedAt: number): Promise<void> {
    const { lane } = attempt;
    const head = attempt.rows[0];
    if (head === undefined) return;
    const resolved = this.#sinks.resolve(head.sink);
    if (resolved === undefined) {
      // The sink left the config between the claim and now: the rows wait for it, untouched.
      await this.#storage.outbox.release(
        attempt.rows.map((r) => r.id),
        this.#now(),
      );
      return;
    }
    // Rows of one kind only: stored events, or messages rendered by an older hookmux.
    let rows = attempt.rows;
    const legacy = !hasStoredEvent(head);
    const sameKind = rows.findIndex((r) => !hasStoredEvent(r) !== legacy);
    if (sameKind > 0) rows = rows.slice(0, sameKind);
    // Quiet mode always merges what it held; otherwise `merge: false` sends one by one.
    const quiet = (resolved.batchMs ?? 0) > 0 || (head.batchMs ?? 0) > 0;
    if (!resolved.merge && !quiet) rows = rows.slice(0, 1);

    const digestId =
      rows.length > 1 ? `dg-${claimedAt.toString(36)}-${randomBytes(4).toString('hex')}` : undefined;
    const { message, included } = await this.#render(rows, resolved, digestId);
    const carried = rows.slice(0, Math.max(1, included));
    const rest = attempt.rows.slice(carried.length);
    if (rest.length > 0)
      await this.#storage.outbox.release(
        rest.map((r) => r.id),
        this.#now(),
      );
    attempt.rows = carried;
    const finalDigestId = carried.length > 1 ? digestId : undefined;
    const sendLogId = await this.#storage.rates.record(lane.key, this.#now());
    const result = await this.#send(attempt, message, resolved);
    if (attempt.released) return; // stop() gave the rows back already
    await this.#complete(attempt, result, sendLogId, finalDigestId);
  }

  async #render(
    rows: readonly DeliveryRecord[],
    resolved: ResolvedSink,
    digestId: string | undefined,
  ): Promise<{ message: Message; included: number }> {
    const head = rows[0];
    if (head === undefined) throw new RangeError('nothing to render');
    if (!hasStoredEvent(head) || head.event === undefined) {
      // Rendered by an older hookmux before it was queued: sent as stored.
      const messages = rows.map((r) => r.message).filter((m): m is Message => m !== undefined);
      const first = messages[0];
      if (first === undefined) throw new Error(`delivery ${head.id} has neither an event nor a message`);
      if (messages.length === 1 || digestId === undefined) return { message: first, included: 1 };
      return buildDigest(messages, { maxTextBytes: resolved.sink.maxTextBytes(resolved.target), digestId });
    }
    const entries: DigestEntry[] = rows.map((r) => {
      const entry = {
        deliveryId: r.id,
        route: r.route,
        ...(r.routeDir === undefined ? {} : { routeDir: r.routeDir }),
      };
      const stored = storedEventBody(r);
      return stored === undefined
        ? { ...entry, event: r.event as HookEvent }
        : defineStoredEvent(entry, stored);
    });
    if (this.#renderer === undefined) return { message: fallbackMessage(head.event, resolved), included: 1 };
    return this.#renderer.render({ entries, to: resolved, ...(digestId === undefined ? {} : { digestId }) });
  }

  async #send(attempt: Attempt, message: Message, resolved: ResolvedSink): Promise<DeliveryResult> {
    const timeoutMs = resolved.timeoutMs > 0 ? resolved.timeoutMs : this.#config.timeoutMs;
    const signal = AbortSignal.any([attempt.abort.signal, AbortSignal.timeout(timeoutMs)]);
    const logger = this.#logger.child({
      sink: resolved.target.name,
      deliveries: attempt.rows.map((r) => r.id),
    });
    let timer: NodeJS.Timeout | undefined;
    const hardTimeout = new Promise<DeliveryResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            kind: 'retryable',
            code: 'timeout',
            detail: `no answer within ${timeoutMs} ms`,
          }),
        timeoutMs + hardTimeoutGraceMs,
      );
      attempt.abort.signal.addEventListener(
        'abort',
        () => resolve({ ok: false, kind: 'retryable', code: 'stopped', detail: 'released at shutdown' }),
        { once: true },
      );
    });
    try {
      return await Promise.race([
        resolved.sink
          .send(message, resolved.target, { logger, signal, timeoutMs })
          .catch((error: unknown): DeliveryResult => ({
            ok: false,
            kind: 'retryable',
            code: 'exception',
            detail: error instanceof Error ? error.message : String(error),
          })),
        hardTimeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #complete(
    attempt: Attempt,
    result: DeliveryResult,
    sendLogId: string,
    digestId: string | undefined,
  ): Promise<void> {
    const { lane, rows } = attempt;
    // Completion time, not start time: the robot stamped the request somewhere in between, so
    // counting from the end keeps our window at least as long as the robot's.
    const now = this.#now();
    lane.limiter.record(now);
    await this.#storage.rates
      .restamp(sendLogId, now)
      .catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'could not restamp a send in the rate log'),
      );
    const { settlements, outcomes, wait } = this.#settle(lane, rows, result, now, digestId);
    await this.#settleDurably(settlements, now);
    this.#log(rows, result, outcomes, digestId, wait);
    this.#report({
      sink: rows[0]?.sink ?? '',
      deliveryIds: rows.map((r) => r.id),
      eventIds: rows.map((r) => r.eventId),
      ...(digestId === undefined ? {} : { digestId }),
      result,
      outcomes,
      latenciesMs: result.ok ? rows.map((r) => now - r.createdAt) : [],
    });
  }

  /**
   * What the robot answered must reach the outbox, or the rows would be sent again: tried until the
   * storage takes it, the rows staying `sending` (and the lane busy) meanwhile. A stop gives up; the
   * next start's recovery sends them again (at-least-once).
   */
  async #settleDurably(settlements: readonly Settlement[], now: number): Promise<void> {
    for (let pause = 250; ; pause = Math.min(pause * 2, settleRetryMaxMs)) {
      try {
        await this.#storage.outbox.settle(settlements, now);
        return;
      } catch (error) {
        if (this.#state === 'stopped') throw error;
        this.#logger.error(
          { err: error, deliveryIds: settlements.map((s) => s.id) },
          'could not record a delivery result; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /** Outcome → state of every row the send carried (the same for one message and a digest). */
  #settle(
    lane: Lane,
    rows: readonly DeliveryRecord[],
    result: DeliveryResult,
    now: number,
    digestId: string | undefined,
  ): { settlements: Settlement[]; outcomes: Partial<Record<DeliveryOutcome, number>>; wait: number } {
    if (result.ok) {
      return {
        settlements: rows.map((r) => ({
          id: r.id,
          status: 'sent',
          attemptsDelta: 0,
          ...(digestId === undefined ? {} : { digestId }),
        })),
        outcomes: { sent: rows.length },
        wait: 0,
      };
    }
    const error = {
      ...(result.code === undefined ? {} : { code: String(result.code) }),
      detail: result.detail,
    };
    if (result.kind === 'permanent') {
      return {
        settlements: rows.map((r) => ({ id: r.id, status: 'dead', attemptsDelta: 1, error })),
        outcomes: { dead: rows.length },
        wait: 0,
      };
    }
    if (result.kind === 'throttled') {
      // The robot says we are too fast (another sender shares it, or its window differs from ours).
      // Not the message's fault: not counted, and no amount of throttling dead-letters a row.
      const wait = result.retryAfterMs ?? (lane.limiter.longestWindowMs || 60_000);
      lane.blockedUntil = Math.max(lane.blockedUntil, now + wait);
      return {
        settlements: rows.map((r) => ({
          id: r.id,
          status: 'retrying',
          attemptsDelta: 0,
          nextAttemptAt: lane.blockedUntil,
          error,
        })),
        outcomes: { throttled: rows.length },
        wait,
      };
    }
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    const wait = Math.max(computeBackoffMs(attempts, this.#config, this.#random), result.retryAfterMs ?? 0);
    let dead = 0;
    const settlements = rows.map((r): Settlement => {
      const isDead = r.attempts + 1 >= this.#config.maxAttempts || now - r.createdAt >= this.#config.maxAgeMs;
      if (isDead) dead++;
      return isDead
        ? { id: r.id, status: 'dead', attemptsDelta: 1, error }
        : { id: r.id, status: 'retrying', attemptsDelta: 1, nextAttemptAt: now + wait, error };
    });
    const outcomes: Partial<Record<DeliveryOutcome, number>> = {};
    if (dead > 0) outcomes.dead = dead;
    if (rows.length > dead) outcomes.retrying = rows.length - dead;
    return { settlements, outcomes, wait };
  }

  /** Each attempt is logged once, here (sinks do not log their failures). */
  #log(
    rows: readonly DeliveryRecord[],
    result: DeliveryResult,
    outcomes: Partial<Record<DeliveryOutcome, number>>,
    digestId: string | undefined,
    wait: number,
  ): void {
    const log = {
      sink: rows[0]?.sink,
      deliveryIds: rows.map((r) => r.id),
      eventIds: rows.map((r) => r.eventId),
      digest: digestId,
    };
    if (result.ok) {
      this.#logger.info({ ...log, code: result.code }, 'delivered');
      return;
    }
    const detail = { ...log, code: result.code, detail: result.detail };
    if (result.kind === 'permanent')
      this.#logger.error(
        detail,
        'robot refused the message for good; dead-lettered (replay with `hookmux deliveries replay`)',
      );
    else if (result.kind === 'throttled')
      this.#logger.warn({ ...detail, waitMs: wait }, 'robot throttled us; waiting for its window');
    else if ((outcomes.dead ?? 0) > 0)
      this.#logger.error(
        { ...detail, dead: outcomes.dead },
        'delivery gave up after its last attempt; dead-lettered',
      );
    else this.#logger.warn({ ...detail, retryInMs: wait }, 'delivery failed; will retry');
  }

  #report(attempt: DeliveryAttempt): void {
    for (const observer of this.#observers) {
      try {
        observer(attempt);
      } catch (error) {
        this.#logger.error({ err: error }, 'a delivery observer failed');
      }
    }
  }
}

/** Sends the limits still let out in their current windows (Infinity without limits). */
function slotsLeft(limiter: SlidingWindowLimiter, now: number): number {
  const states = limiter.state(now);
  if (states.length === 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(...states.map((s) => s.count - s.sentInWindow)));
}

/** Robot keys can be the robot's secret (a WeCom key): only a digest of them is stored or logged. */
export function robotKeyOf(resolved: ResolvedSink | undefined): string | undefined {
  if (resolved === undefined) return undefined;
  return createHash('sha256').update(resolved.robotKey).digest('hex').slice(0, 16);
}

function dedupeLimits(limits: readonly RateLimit[]): RateLimit[] {
  const seen = new Map<string, RateLimit>();
  for (const l of limits) seen.set(`${l.count}/${l.windowMs}`, l);
  return [...seen.values()];
}

/** An owner on this host whose process is gone has released its lease, whatever the row says. */
export function isOwnerAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || pid === undefined) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
