import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DeliveryConfig } from '../config/hookmux-config.js';
import type {
  DeliveryProgressListener,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryStatus,
  DeliveryStore,
  PurgeFilter,
  SinkDeliveryStats,
} from '../contracts/delivery-store.js';
import type { DeliveryAttempt, DeliveryObserver, DeliveryOutcome } from '../contracts/delivery-observer.js';
import type { Message } from '../contracts/message.js';
import type { DeliveryRequest, EnqueueResult, Queue } from '../contracts/queue.js';
import type { ResolvedSink, SinkDirectory } from '../contracts/sink-directory.js';
import type { DeliveryResult, RateLimit } from '../contracts/sink.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { buildDigest } from './build-digest.js';
import { computeBackoffMs } from './compute-backoff-ms.js';
import { DispatcherLease, dispatcherLeaseMs } from './dispatcher-lease.js';
import { migrateOutbox } from './outbox-schema.js';
import { SlidingWindowLimiter } from './sliding-window-limiter.js';

export interface SqliteQueueOptions {
  readonly path: string;
  readonly sinks: SinkDirectory;
  readonly logger: Logger;
  readonly delivery: DeliveryConfig;
  readonly now?: () => number;
  /** Fallback poll, ms: picks up rows replayed by another process and sinks that resolve again. */
  readonly pollMs?: number;
  /** Jitter source (tests pin it). */
  readonly random?: () => number;
  /** How long `stop()` waits for in-flight sends before releasing them, ms. */
  readonly stopTimeoutMs?: number;
}

interface DeliveryRow {
  readonly id: number;
  readonly event_id: string;
  readonly event_name: string;
  readonly route: string;
  readonly sink: string;
  readonly robot_key: string | null;
  readonly message: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly last_error_code: string | null;
  readonly last_error_detail: string | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly sent_at: number | null;
  readonly digest_id: string | null;
}

interface PendingEnqueue {
  readonly rows: readonly PreparedDelivery[];
  readonly resolve: (result: EnqueueResult) => void;
  readonly reject: (error: unknown) => void;
}

interface PreparedDelivery {
  readonly eventId: string;
  readonly eventName: string;
  readonly route: string;
  readonly sink: string;
  readonly robotKey: string | undefined;
  readonly message: string;
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
  readonly rows: readonly DeliveryRow[];
  readonly sendLogId: number;
  readonly digestId: string | undefined;
  readonly abort: AbortController;
  released: boolean;
}

const unsent = `status IN ('pending', 'retrying')`;
const chunkSize = 500;
const sendLogRetentionMs = 24 * 60 * 60 * 1000;
/** How often the whole backlog is scanned for sinks the config no longer has. */
const orphanScanEveryMs = 60_000;
/** A sink that ignores its abort signal still frees its lane this long after its timeout. */
const hardTimeoutGraceMs = 1000;

/**
 * The embedded outbox and dispatcher (`storage: {type: sqlite}`).
 *
 * Durability: WAL with `synchronous = FULL`, so every commit is fsynced to the WAL before
 * `enqueue` resolves and the HTTP answer goes out: an accepted event survives a process crash
 * and a power cut. NORMAL would survive only a process crash. The fsync cost is shared by group
 * commit: every `enqueue` that arrives within one event-loop turn joins one transaction.
 *
 * Delivery is at-least-once: a row is marked `sending` (committed) before its request goes out,
 * and a crash between the robot's answer and the `sent` commit sends it again on the next start.
 * `sent` rows are never sent again unless a user replays them.
 */
export class SqliteQueue implements Queue, DeliveryStore {
  readonly #db: Database.Database;
  readonly #sinks: SinkDirectory;
  readonly #logger: Logger;
  readonly #config: DeliveryConfig;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #pollMs: number;
  readonly #stopTimeoutMs: number;

  #batch: PendingEnqueue[] = [];
  #flushScheduled = false;
  #commits = 0;

  /** `standby`: another process holds the dispatcher lease; this one accepts events and waits. */
  #state: 'idle' | 'running' | 'standby' | 'stopped' = 'idle';
  #lease: DispatcherLease | undefined;
  readonly #leaseMs: number;
  #leaseTimer: NodeJS.Timeout | undefined;
  #lastOrphanScanAt = 0;
  #knownSinksWithWork = new Set<string>();
  #pumpScheduled = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #lanes = new Map<string, Lane>();
  readonly #attempts = new Set<Attempt>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #warnedSinks = new Set<string>();
  readonly #observers: DeliveryObserver[] = [];
  /** Compiled statements by SQL text: compiling is a measurable share of each webhook otherwise. */
  readonly #statements = new Map<string, Database.Statement>();
  #lastPruneAt = 0;

  constructor(options: {
    path: string;
    sinks: SinkDirectory;
    logger: Logger;
    delivery: DeliveryConfig;
    now?: () => number;
    pollMs?: number;
    random?: () => number;
    stopTimeoutMs?: number;
    /** Dispatcher lease length (tests shorten it). */
    leaseMs?: number;
  }) {
    this.#leaseMs = options.leaseMs ?? dispatcherLeaseMs;
    this.#sinks = options.sinks;
    this.#logger = options.logger.child({ component: 'outbox' });
    this.#config = options.delivery;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#pollMs = options.pollMs ?? 1000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.#db = openOutbox(options.path);
  }

  /** Transactions committed by `enqueue` so far (group commit makes it fewer than the calls). */
  get commitCount(): number {
    return this.#commits;
  }

  // ── Queue ───────────────────────────────────────────────────────────────────────────────

  enqueue(deliveries: readonly DeliveryRequest[]): Promise<EnqueueResult> {
    if (this.#state === 'stopped') {
      return Promise.reject(
        new HookmuxError('HM_ERR_HTTP_UNAVAILABLE', 'the outbox is stopped', {
          hint: 'hookmux is shutting down; the source will retry',
        }),
      );
    }
    if (deliveries.length === 0) return Promise.resolve({ queued: 0, duplicates: 0 });
    let rows: PreparedDelivery[];
    try {
      // Serialised here, not in the batch, so one caller's unserialisable message fails only that caller.
      rows = deliveries.map((d) => ({
        eventId: d.eventId,
        eventName: d.eventName,
        route: d.route,
        sink: d.sink,
        robotKey: this.#robotKeyOf(this.#sinks.resolve(d.sink)),
        message: JSON.stringify(d.message),
      }));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.#batch.push({ rows, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // setImmediate, not a microtask: it also gathers requests whose bodies finish reading in
        // the same I/O phase, which is where concurrent webhooks arrive.
        setImmediate(() => this.#flush());
      }
    });
  }

  start(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'standby') return Promise.resolve();
    if (this.#state === 'stopped')
      return Promise.reject(new Error('SqliteQueue cannot be restarted once stopped; create a new one'));
    const lease = new DispatcherLease(this.#db, this.#leaseMs);
    this.#lease = lease;
    this.#state = 'standby';
    this.#keepLease();
    if (this.#state === 'standby') {
      this.#logger.warn(
        { holder: lease.holder() },
        'another process dispatches from this outbox; this one accepts events and takes over if that one stops',
      );
    }
    this.#leaseTimer = setInterval(() => this.#keepLease(), this.#leaseMs / 3);
    this.#leaseTimer.unref();
    return Promise.resolve();
  }

  /** Renews the lease while dispatching; takes it (and starts dispatching) when it is free. */
  #keepLease(): void {
    const lease = this.#lease;
    if (lease === undefined || !this.#db.open) return;
    const now = this.#now();
    let held: boolean;
    try {
      held = lease.tryAcquire(now);
    } catch (error) {
      this.#logger.error({ err: error }, 'could not renew the dispatcher lease; trying again shortly');
      return;
    }
    if (held && this.#state === 'standby') this.#becomeDispatcher(now);
    else if (!held && this.#state === 'running') {
      // Another process took the lease (ours lapsed: the event loop stalled for a long time).
      // Sends in flight finish; no new ones start here.
      this.#state = 'standby';
      clearTimeout(this.#timer);
      this.#logger.error({ holder: lease.holder() }, 'lost the dispatcher lease; standing by');
    }
  }

  #becomeDispatcher(now: number): void {
    // Rows a crash left mid-send: the robot may or may not have them (at-least-once), so they go
    // again. Safe only while holding the lease: they cannot be another live dispatcher's.
    const recovered = this.#sql(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'sending'`,
    ).run(now, now).changes;
    if (recovered > 0)
      this.#logger.warn(
        { recovered },
        'deliveries interrupted mid-send by the last shutdown will be sent again',
      );
    // The limiters were built from the send log as it was; another dispatcher may have sent since.
    this.#lanes.clear();
    this.#pruneSendLog(now);
    this.#state = 'running';
    this.#wake();
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running' || this.#state === 'standby';
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    clearInterval(this.#leaseTimer);
    this.#flush();
    if (wasRunning && this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#stopTimeoutMs)));
      await Promise.race([Promise.allSettled([...this.#inFlight]), bound]);
      clearTimeout(timer);
    }
    const released: number[] = [];
    for (const attempt of this.#attempts) {
      attempt.released = true;
      attempt.abort.abort();
      released.push(...attempt.rows.map((r) => r.id));
    }
    if (released.length > 0) {
      this.#sql(
        `UPDATE deliveries SET status = 'pending', updated_at = ? WHERE status = 'sending' AND id IN (SELECT value FROM json_each(?))`,
      ).run(this.#now(), JSON.stringify(released));
      this.#logger.warn(
        { released: released.length },
        'sends still in flight at shutdown were released; they will be sent again on the next start',
      );
    }
    if (this.#lease !== undefined) this.#lease.release();
    this.#db.close();
  }

  /** For processes that only inspect the outbox (the CLI): same as `stop()` when not started. */
  close(): Promise<void> {
    return this.stop();
  }

  // ── DeliveryStore ───────────────────────────────────────────────────────────────────────

  list(query: DeliveryQuery = {}): Promise<readonly DeliveryRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.sink !== undefined) {
      where.push('sink = ?');
      params.push(query.sink);
    }
    if (query.before !== undefined) {
      where.push('id < ?');
      params.push(parseId(query.before) ?? 0);
    }
    const limit = Math.max(1, Math.min(query.limit ?? 50, 10_000));
    const sql = `SELECT * FROM deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    const rows = this.#sql(sql).all(...params) as DeliveryRow[];
    return Promise.resolve(rows.map(toRecord));
  }

  get(id: string): Promise<DeliveryRecord | undefined> {
    const row = this.#row(id);
    return Promise.resolve(row === undefined ? undefined : toRecord(row));
  }

  replay(id: string): Promise<DeliveryRecord> {
    const row = this.#row(id);
    if (row === undefined) {
      return Promise.reject(
        new HookmuxError('HM_ERR_DELIVERY_NOT_FOUND', `no delivery with id ${id}`, {
          hint: 'list them with `hookmux deliveries list`',
        }),
      );
    }
    if (row.status === 'sending') {
      return Promise.reject(
        new HookmuxError('HM_ERR_DELIVERY_IN_FLIGHT', `delivery ${id} is being sent right now`, {
          hint: 'wait for its answer, then look again',
        }),
      );
    }
    const now = this.#now();
    const finished = row.status === 'dead' || row.status === 'sent';
    this.#sql(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?,
           attempts = CASE WHEN ? THEN 0 ELSE attempts END,
           sent_at = CASE WHEN ? THEN NULL ELSE sent_at END,
           digest_id = CASE WHEN ? THEN NULL ELSE digest_id END
         WHERE id = ?`,
    ).run(now, now, finished ? 1 : 0, finished ? 1 : 0, finished ? 1 : 0, row.id);
    this.#logger.info({ delivery: String(row.id), sink: row.sink, from: row.status }, 'delivery replayed');
    this.#wake();
    return Promise.resolve(toRecord(this.#row(id) ?? row));
  }

  async replayDead(
    filter: { readonly sink?: string } = {},
    onProgress?: DeliveryProgressListener,
  ): Promise<number> {
    const sinkClause = filter.sink === undefined ? '' : 'AND sink = ?';
    const sinkParams = filter.sink === undefined ? [] : [filter.sink];
    const total = (
      this.#sql(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'dead' ${sinkClause}`).get(
        ...sinkParams,
      ) as { n: number }
    ).n;
    const step = this.#sql(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now, sent_at = NULL, digest_id = NULL
       WHERE id IN (SELECT id FROM deliveries WHERE status = 'dead' ${filter.sink === undefined ? '' : 'AND sink = @sink'} ORDER BY id LIMIT ${chunkSize})`,
    );
    const done = await runInChunks(total, onProgress, () => {
      const now = this.#now();
      return step.run(filter.sink === undefined ? { now } : { now, sink: filter.sink }).changes;
    });
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
    const cutoff = this.#now() - Math.max(0, filter.olderThanMs);
    const total = (
      this.#sql(`SELECT COUNT(*) AS n FROM deliveries WHERE status = ? AND updated_at < ?`).get(
        filter.status,
        cutoff,
      ) as { n: number }
    ).n;
    const step = this.#sql(
      `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE status = ? AND updated_at < ? ORDER BY id LIMIT ${chunkSize})`,
    );
    const done = await runInChunks(total, onProgress, () => step.run(filter.status, cutoff).changes);
    if (done > 0) this.#logger.info({ purged: done, status: filter.status }, 'deliveries purged');
    return done;
  }

  stats(): Promise<readonly SinkDeliveryStats[]> {
    const now = this.#now();
    const rows = this.#sql(
      `SELECT sink, status, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries GROUP BY sink, status`,
    ).all() as { sink: string; status: DeliveryStatus; n: number; oldest: number }[];
    const names = [...new Set([...this.#sinks.names(), ...rows.map((r) => r.sink)])].sort();
    return Promise.resolve(
      names.map((sink) => {
        const counts: Record<DeliveryStatus, number> = {
          pending: 0,
          sending: 0,
          sent: 0,
          retrying: 0,
          dead: 0,
        };
        let oldest: number | undefined;
        for (const r of rows.filter((x) => x.sink === sink)) {
          counts[r.status] = r.n;
          if (r.status === 'pending' || r.status === 'retrying')
            oldest = Math.min(oldest ?? r.oldest, r.oldest);
        }
        const resolved = this.#sinks.resolve(sink);
        const stats: SinkDeliveryStats = {
          sink,
          counts,
          ...(oldest === undefined ? {} : { oldestPendingAgeMs: Math.max(0, now - oldest) }),
        };
        if (resolved === undefined) return stats;
        const key = this.#robotKeyOf(resolved) ?? '';
        const lane = this.#lanes.get(key);
        const limiter = lane?.limiter ?? this.#loadLimiter(key, resolved.rateLimits, now);
        return {
          ...stats,
          rateLimit: {
            robotKey: key,
            limits: limiter.state(now),
            nextFreeAt: Math.max(limiter.nextFreeAt(now), lane?.blockedUntil ?? 0),
          },
        };
      }),
    );
  }

  // ── Group commit ────────────────────────────────────────────────────────────────────────

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    const now = this.#now();
    const insert = this.#sql(
      `INSERT INTO deliveries (event_id, event_name, route, sink, robot_key, message, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
       ON CONFLICT (event_id, sink) DO NOTHING`,
    );
    let results: EnqueueResult[];
    try {
      results = this.#db
        .transaction(() =>
          batch.map(({ rows }) => {
            let queued = 0;
            for (const r of rows)
              queued += insert.run(
                r.eventId,
                r.eventName,
                r.route,
                r.sink,
                r.robotKey ?? null,
                r.message,
                now,
                now,
                now,
              ).changes;
            return { queued, duplicates: rows.length - queued };
          }),
        )
        .immediate();
      this.#commits++;
    } catch (error) {
      this.#logger.error({ err: error, requests: batch.length }, 'could not commit deliveries to the outbox');
      for (const p of batch) {
        p.reject(
          new HookmuxError('HM_ERR_HTTP_UNAVAILABLE', undefined, {
            cause: error,
            hint: 'check that storage.path is writable and the disk is not full',
          }),
        );
      }
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i] ?? { queued: 0, duplicates: 0 }));
    this.#wake();
  }

  // ── Dispatcher ──────────────────────────────────────────────────────────────────────────

  #wake(): void {
    if (this.#state !== 'running' || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** One pass: every idle lane whose head is due and whose limiter has room starts one send. */
  #pump(): void {
    if (this.#state !== 'running') return;
    const now = this.#now();
    let wakeAt = now + this.#pollMs;
    try {
      if (now - this.#lastPruneAt > 60 * 60 * 1000) this.#pruneSendLog(now);
      for (const group of this.#laneGroups()) {
        const { lane, sinks } = group;
        if (lane.busy) continue;
        const names = [...sinks.keys()];
        const head = this.#sql(
          `SELECT * FROM deliveries WHERE ${unsent} AND sink IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 1`,
        ).get(JSON.stringify(names)) as DeliveryRow | undefined;
        if (head === undefined) continue;
        // The head waits for its own retry time rather than letting younger rows pass it: order per target.
        const at = Math.max(head.next_attempt_at, lane.blockedUntil, lane.limiter.nextFreeAt(now));
        if (at > now) {
          wakeAt = Math.min(wakeAt, at);
          continue;
        }
        const resolved = sinks.get(head.sink);
        if (resolved !== undefined) this.#startSend(lane, head, resolved, names, now);
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'dispatcher pass failed; trying again shortly');
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), Math.max(1, wakeAt - this.#now()));
  }

  /**
   * Sinks with unsent rows. The configured sinks are probed one index lookup each; only now and
   * then is the whole backlog scanned for rows of sinks no longer in the config (to warn about
   * them), because that scan grows with the backlog and this runs after every commit.
   */
  #sinksWithWork(): string[] {
    const now = this.#now();
    if (now - this.#lastOrphanScanAt > orphanScanEveryMs) {
      this.#lastOrphanScanAt = now;
      const all = (
        this.#sql(`SELECT DISTINCT sink FROM deliveries WHERE ${unsent}`).all() as { sink: string }[]
      ).map((r) => r.sink);
      this.#knownSinksWithWork = new Set(all);
      return all;
    }
    const probe = this.#sql(`SELECT 1 FROM deliveries WHERE ${unsent} AND sink = ? LIMIT 1`);
    const names = new Set(this.#sinks.names());
    for (const orphan of this.#knownSinksWithWork) if (!names.has(orphan)) names.add(orphan);
    return [...names].filter((name) => probe.get(name) !== undefined);
  }

  /** Sinks with unsent rows, grouped by the robot behind them (sinks may share one robot). */
  #laneGroups(): { lane: Lane; sinks: Map<string, ResolvedSink> }[] {
    const names = this.#sinksWithWork();
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
      const key = this.#robotKeyOf(resolved) ?? name;
      const group = groups.get(key) ?? { sinks: new Map<string, ResolvedSink>(), limits: [] };
      group.sinks.set(name, resolved);
      group.limits.push(...resolved.rateLimits);
      groups.set(key, group);
    }
    const now = this.#now();
    return [...groups].map(([key, group]) => {
      const limits = dedupeLimits(group.limits);
      let lane = this.#lanes.get(key);
      if (lane === undefined) {
        lane = { key, limiter: this.#loadLimiter(key, limits, now), busy: false, blockedUntil: 0 };
        this.#lanes.set(key, lane);
      } else {
        lane.limiter.setLimits(limits);
      }
      return { lane, sinks: group.sinks };
    });
  }

  #startSend(
    lane: Lane,
    head: DeliveryRow,
    resolved: ResolvedSink,
    laneSinks: readonly string[],
    now: number,
  ): void {
    let rows: DeliveryRow[] = [head];
    let message = parseMessage(head);
    let digestId: string | undefined;
    if (resolved.merge) {
      // Only "more than the window lets out?" matters: count no further than that (the backlog can be long).
      const capacity = lane.limiter.capacityPerWindow;
      const due = Number.isFinite(capacity)
        ? (
            this.#sql(
              `SELECT COUNT(*) AS n FROM (SELECT 1 FROM deliveries WHERE ${unsent} AND next_attempt_at <= ? AND sink IN (SELECT value FROM json_each(?)) LIMIT ?)`,
            ).get(now, JSON.stringify(laneSinks), capacity + 1) as { n: number }
          ).n
        : 0;
      if (due > capacity) {
        const candidates = this.#dueRun(head, now);
        if (candidates.length > 1) {
          const id = `dg-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
          const digest = buildDigest(
            candidates.map((c) => c.message),
            { maxTextBytes: resolved.sink.maxTextBytes(resolved.target), digestId: id },
          );
          if (digest.included > 1) {
            rows = candidates.slice(0, digest.included).map((c) => c.row);
            message = digest.message;
            digestId = id;
          }
        }
      }
    }

    const ids = JSON.stringify(rows.map((r) => r.id));
    const sendLogId = this.#db
      .transaction(() => {
        this.#sql(
          `UPDATE deliveries SET status = 'sending', robot_key = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))`,
        ).run(lane.key, now, ids);
        return Number(
          this.#sql(`INSERT INTO send_log (robot_key, at) VALUES (?, ?)`).run(lane.key, now).lastInsertRowid,
        );
      })
      .immediate();

    const attempt: Attempt = {
      lane,
      rows,
      sendLogId,
      digestId,
      abort: new AbortController(),
      released: false,
    };
    lane.busy = true;
    this.#attempts.add(attempt);
    const done = this.#send(attempt, message, resolved)
      .then((result) => this.#complete(attempt, result))
      .catch((error: unknown) => this.#logger.error({ err: error }, 'could not record a delivery result'))
      .finally(() => {
        this.#attempts.delete(attempt);
        this.#inFlight.delete(done);
        lane.busy = false;
        this.#wake();
      });
    this.#inFlight.add(done);
  }

  /** The head and the due rows right after it in the same sink and format, oldest first. */
  #dueRun(head: DeliveryRow, now: number): { row: DeliveryRow; message: Message }[] {
    const rows = this.#sql(
      `SELECT * FROM deliveries WHERE ${unsent} AND sink = ? AND id >= ? ORDER BY id LIMIT ${chunkSize}`,
    ).all(head.sink, head.id) as DeliveryRow[];
    const run: { row: DeliveryRow; message: Message }[] = [];
    const format = parseMessage(head).format;
    for (const row of rows) {
      if (row.next_attempt_at > now) break;
      const message = parseMessage(row);
      if (message.format !== format) break;
      run.push({ row, message });
    }
    return run;
  }

  async #send(attempt: Attempt, message: Message, resolved: ResolvedSink): Promise<DeliveryResult> {
    const timeoutMs = resolved.timeoutMs > 0 ? resolved.timeoutMs : this.#config.timeoutMs;
    const signal = AbortSignal.any([attempt.abort.signal, AbortSignal.timeout(timeoutMs)]);
    const logger = this.#logger.child({
      sink: resolved.target.name,
      deliveries: attempt.rows.map((r) => String(r.id)),
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
      // Released by stop(): nothing waits for this send any more.
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

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  isRunning(): boolean {
    return (this.#state === 'running' || this.#state === 'standby') && this.#db.open;
  }

  observe(observer: DeliveryObserver): void {
    this.#observers.push(observer);
  }

  #complete(attempt: Attempt, result: DeliveryResult): void {
    if (attempt.released || !this.#db.open) return;
    const outcomes: Partial<Record<DeliveryOutcome, number>> = {};
    const now = this.#now();
    const { lane, rows } = attempt;
    // Completion time, not start time: the robot stamped the request somewhere in between, so
    // counting from the end keeps our window at least as long as the robot's.
    lane.limiter.record(now);
    const ids = JSON.stringify(rows.map((r) => r.id));
    const log = {
      sink: rows[0]?.sink,
      deliveryIds: rows.map((r) => String(r.id)),
      eventIds: rows.map((r) => r.event_id),
      digest: attempt.digestId,
    };
    this.#db
      .transaction(() => {
        this.#sql(`UPDATE send_log SET at = ? WHERE id = ?`).run(now, attempt.sendLogId);
        if (result.ok) {
          this.#sql(
            `UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, digest_id = ? WHERE id IN (SELECT value FROM json_each(?))`,
          ).run(now, now, attempt.digestId ?? null, ids);
          outcomes.sent = rows.length;
          this.#logger.info({ ...log, code: result.code }, 'delivered');
          return;
        }
        const code = result.code === undefined ? null : String(result.code);
        if (result.kind === 'permanent') {
          this.#sql(
            `UPDATE deliveries SET status = 'dead', attempts = attempts + 1, last_error_code = ?, last_error_detail = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))`,
          ).run(code, result.detail, now, ids);
          outcomes.dead = rows.length;
          this.#logger.error(
            { ...log, code, detail: result.detail },
            'robot refused the message for good; dead-lettered (replay with `hookmux deliveries replay`)',
          );
          return;
        }
        if (result.kind === 'throttled') {
          // The robot says we are too fast (another sender shares it, or its window differs from
          // ours). Not the message's fault: it does not count as an attempt, and no amount of
          // throttling dead-letters a row. The whole lane waits, not just these rows.
          const wait = result.retryAfterMs ?? (lane.limiter.longestWindowMs || 60_000);
          lane.blockedUntil = Math.max(lane.blockedUntil, now + wait);
          this.#sql(
            `UPDATE deliveries SET status = 'retrying', next_attempt_at = ?, last_error_code = ?, last_error_detail = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))`,
          ).run(lane.blockedUntil, code, result.detail, now, ids);
          outcomes.throttled = rows.length;
          this.#logger.warn({ ...log, code, waitMs: wait }, 'robot throttled us; waiting for its window');
          return;
        }
        const headAttempts = (rows[0]?.attempts ?? 0) + 1;
        const delay = Math.max(
          computeBackoffMs(headAttempts, this.#config, this.#random),
          result.retryAfterMs ?? 0,
        );
        const update = this.#sql(
          `UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error_code = ?, last_error_detail = ?, updated_at = ? WHERE id = ?`,
        );
        let dead = 0;
        for (const row of rows) {
          const isDead =
            row.attempts + 1 >= this.#config.maxAttempts || now - row.created_at >= this.#config.maxAgeMs;
          if (isDead) dead++;
          update.run(isDead ? 'dead' : 'retrying', now + delay, code, result.detail, now, row.id);
        }
        if (dead > 0) outcomes.dead = dead;
        if (rows.length > dead) outcomes.retrying = rows.length - dead;
        if (dead > 0)
          this.#logger.error(
            { ...log, code, detail: result.detail, dead },
            'delivery gave up after its last attempt; dead-lettered',
          );
        else
          this.#logger.warn(
            { ...log, code, detail: result.detail, retryInMs: delay },
            'delivery failed; will retry',
          );
      })
      .immediate();
    this.#report({
      sink: rows[0]?.sink ?? '',
      deliveryIds: log.deliveryIds,
      eventIds: log.eventIds,
      ...(attempt.digestId ? { digestId: attempt.digestId } : {}),
      result,
      outcomes,
      latenciesMs: result.ok ? rows.map((r) => now - r.created_at) : [],
    });
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

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────

  #row(id: string): DeliveryRow | undefined {
    const n = parseId(id);
    if (n === undefined) return undefined;
    return this.#sql(`SELECT * FROM deliveries WHERE id = ?`).get(n) as DeliveryRow | undefined;
  }

  /** Robot keys can be the robot's secret (a WeCom key): only a digest of them is stored or logged. */
  #robotKeyOf(resolved: ResolvedSink | undefined): string | undefined {
    if (resolved === undefined) return undefined;
    return createHash('sha256').update(resolved.robotKey).digest('hex').slice(0, 16);
  }

  #loadLimiter(key: string, limits: readonly RateLimit[], now: number): SlidingWindowLimiter {
    const longest = Math.max(1, ...limits.map((l) => l.windowMs));
    const since = now - longest;
    const history = this.#sql(`SELECT at FROM send_log WHERE robot_key = ? AND at >= ? ORDER BY at`).all(
      key,
      since,
    ) as { at: number }[];
    return new SlidingWindowLimiter(
      limits,
      history.map((h) => h.at),
    );
  }

  #pruneSendLog(now: number): void {
    this.#lastPruneAt = now;
    this.#sql(`DELETE FROM send_log WHERE at < ?`).run(now - sendLogRetentionMs);
  }
}

function openOutbox(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // The CLI writes to the same file while the server runs; wait for its short transactions.
    db.pragma('busy_timeout = 5000');
    migrateOutbox(db, path);
    return db;
  } catch (error) {
    if (HookmuxError.is(error)) throw error;
    throw new HookmuxError(
      'HM_ERR_DELIVERY_STORE_OPEN',
      `cannot open the outbox database: ${error instanceof Error ? error.message : String(error)}`,
      {
        at: path,
        hint: 'check storage.path: its folder must be writable, and the file must be a hookmux outbox',
        cause: error,
      },
    );
  }
}

async function runInChunks(
  total: number,
  onProgress: DeliveryProgressListener | undefined,
  step: () => number,
): Promise<number> {
  let done = 0;
  onProgress?.({ done, total });
  for (;;) {
    const changed = step();
    if (changed === 0) break;
    done += changed;
    onProgress?.({ done, total: Math.max(total, done) });
    // Lets the dispatcher and HTTP intake run between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return done;
}

function dedupeLimits(limits: readonly RateLimit[]): RateLimit[] {
  const seen = new Map<string, RateLimit>();
  for (const l of limits) seen.set(`${l.count}/${l.windowMs}`, l);
  return [...seen.values()];
}

function parseId(id: string): number | undefined {
  return /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}

function parseMessage(row: DeliveryRow): Message {
  return JSON.parse(row.message) as Message;
}

function toRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: String(row.id),
    eventId: row.event_id,
    eventName: row.event_name,
    route: row.route,
    sink: row.sink,
    ...(row.robot_key === null ? {} : { robotKey: row.robot_key }),
    message: parseMessage(row),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    ...(row.last_error_detail === null
      ? {}
      : {
          lastError: {
            ...(row.last_error_code === null ? {} : { code: row.last_error_code }),
            detail: row.last_error_detail,
          },
        }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.sent_at === null ? {} : { sentAt: row.sent_at }),
    ...(row.digest_id === null ? {} : { digestId: row.digest_id }),
  };
}
