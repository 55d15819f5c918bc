import { createHash, randomBytes } from 'node:crypto';

import {
  buildDigest,
  capacityPerWindow,
  computeBackoffMs,
  type DeliveryAttempt,
  type DeliveryConfig,
  type DeliveryError,
  type DeliveryObserver,
  type DeliveryOutcome,
  type DeliveryProgressListener,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryRequest,
  type DeliveryResult,
  type DeliveryStatus,
  type DeliveryStore,
  type EnqueueResult,
  HookmuxError,
  type Logger,
  type Message,
  type PurgeFilter,
  type Queue,
  type ResolvedSink,
  type SinkDeliveryStats,
  type SinkDirectory,
} from '@hookmux/core';
import { type Job, Queue as BullQueue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';

import { DeliveryIndex, hashPair, type IndexEntry } from './delivery-index.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { toLaneName, toSinkName } from './to-lane-name.js';

export interface RedisQueueOptions {
  readonly url: string;
  /** Key prefix of everything hookmux keeps in Redis (default `hookmux`). */
  readonly prefix?: string;
  readonly sinks: SinkDirectory;
  readonly logger: Logger;
  readonly delivery: DeliveryConfig;
  /** Fallback poll, ms: new lanes, replayed rows, sinks that resolve again. */
  readonly pollMs?: number;
  /** How long `stop()` waits for in-flight sends before releasing them, ms. */
  readonly stopTimeoutMs?: number;
  /**
   * The lease on a message being sent, ms: an instance that dies holding one lets another
   * instance send it this long (plus `stalledIntervalMs`) later.
   */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** How long `enqueue` may wait for Redis before it answers 503, ms. */
  readonly commandTimeoutMs?: number;
  /** Jitter source (tests pin it). */
  readonly random?: () => number;
}

/** What a BullMQ job carries: the outbox row. */
interface JobData {
  readonly id: string;
  readonly eventId: string;
  readonly eventName: string;
  readonly route: string;
  readonly sink: string;
  readonly robotKey?: string;
  readonly message: Message;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError?: DeliveryError;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly sentAt?: number;
  readonly digestId?: string;
}

interface Lane {
  readonly name: string;
  readonly queue: BullQueue<JobData>;
  /** Set once `setGlobalConcurrency(1)` is in Redis: one send per sink at a time, across instances. */
  ready: Promise<void> | undefined;
  worker: Worker<JobData> | undefined;
}

interface Row {
  readonly lane: Lane;
  readonly data: JobData;
}

const jobPrefix = 'd';
const pageSize = 200;
/** A sink that ignores its abort signal still frees its lane this long after its timeout. */
const hardTimeoutGraceMs = 1000;

/**
 * The scale-out outbox and dispatcher (`storage: {type: redis}`), on BullMQ.
 *
 * - One BullMQ queue per sink (a "lane"), with a global concurrency of 1: whichever instance holds
 *   the lane's active job is the only one sending to that sink, so messages stay in order and a
 *   digest can take the queued messages behind the head without another instance racing for them.
 * - Retries and rate-limit waits keep the head job active (its lock renewed) instead of moving it
 *   to BullMQ's delayed set, which would let younger messages overtake it.
 * - The lock is the lease: an instance that dies stops renewing it, BullMQ's stalled-job check on
 *   another instance moves the job back to the head of the lane, and it is sent again. A send the
 *   robot accepted is recorded (`sentAt`) in the same round trip that completes it, so a job that
 *   comes back after that is completed without a second send.
 * - The rate limit is per robot in Redis (`RedisRateLimiter`), so N instances together stay
 *   within it.
 */
export class RedisQueue implements Queue, DeliveryStore {
  readonly #url: string;
  readonly #prefix: string;
  readonly #sinks: SinkDirectory;
  readonly #logger: Logger;
  readonly #config: DeliveryConfig;
  readonly #random: () => number;
  readonly #pollMs: number;
  readonly #stopTimeoutMs: number;
  readonly #lockDurationMs: number;
  readonly #stalledIntervalMs: number;

  /** Fails fast (no offline queue, short timeout): `enqueue` must answer 503, not hang. */
  readonly #client: Redis;
  /** Waits out outages (BullMQ workers need `maxRetriesPerRequest: null`): the dispatcher recovers by itself. */
  #dispatchClient: Redis | undefined;
  readonly #index: DeliveryIndex;
  #limiter: RedisRateLimiter | undefined;
  readonly #lanes = new Map<string, Lane>();
  readonly #observers: DeliveryObserver[] = [];
  readonly #warnedSinks = new Set<string>();
  readonly #sends = new Set<{ abort: AbortController; done: Promise<unknown> }>();
  readonly #stopping = new AbortController();
  #state: 'idle' | 'running' | 'stopped' = 'idle';
  #laneTimer: NodeJS.Timeout | undefined;
  #lastRedisErrorLogAt = 0;

  constructor(options: RedisQueueOptions) {
    this.#url = options.url;
    this.#prefix = options.prefix ?? 'hookmux';
    this.#sinks = options.sinks;
    this.#logger = options.logger.child({ component: 'outbox', storage: 'redis' });
    this.#config = options.delivery;
    this.#random = options.random ?? Math.random;
    this.#pollMs = options.pollMs ?? 1000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.#lockDurationMs = options.lockDurationMs ?? 10_000;
    this.#stalledIntervalMs = options.stalledIntervalMs ?? 5000;
    const timeout = options.commandTimeoutMs ?? 2000;
    this.#client = new Redis(this.#url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: timeout,
      connectTimeout: timeout,
      enableAutoPipelining: true,
      retryStrategy: reconnectDelay,
    });
    this.#client.on('error', (error: Error) => this.#logRedisError(error));
    this.#index = new DeliveryIndex(this.#client, this.#prefix);
  }

  /** Connects, so that a wrong URL fails at start rather than at the first webhook. */
  async open(): Promise<void> {
    try {
      await this.#client.connect();
      await this.#client.ping();
    } catch (error) {
      this.#client.disconnect();
      throw new HookmuxError(
        'HM_ERR_DELIVERY_STORE_OPEN',
        `cannot reach Redis: ${error instanceof Error ? error.message : String(error)}`,
        {
          at: 'storage.url',
          hint: 'check storage.url and that redis-server is running and reachable from this host',
          cause: error,
        },
      );
    }
  }

  // ── Queue ───────────────────────────────────────────────────────────────────────────────

  async enqueue(deliveries: readonly DeliveryRequest[]): Promise<EnqueueResult> {
    if (this.#state === 'stopped') {
      throw new HookmuxError('HM_ERR_HTTP_UNAVAILABLE', 'the outbox is stopped', {
        hint: 'hookmux is shutting down; the source will retry',
      });
    }
    if (deliveries.length === 0) return { queued: 0, duplicates: 0 };
    const now = Date.now();
    const prepared = deliveries.map((d) => ({
      request: d,
      lane: this.#lane(toLaneName(d.sink)),
      pair: hashPair(d.eventId, d.sink),
      robotKey: robotKeyOf(this.#sinks.resolve(d.sink)),
      // Serialised here so that an unserialisable message fails before anything is written.
      message: JSON.parse(JSON.stringify(d.message)) as Message,
    }));
    try {
      const ids = await this.#index.assign(
        prepared.map((p) => ({ pair: p.pair, lane: p.lane.name, jobKeyPrefix: p.lane.queue.toKey('') })),
      );
      const byLane = new Map<Lane, { name: string; data: JobData; opts: { jobId: string } }[]>();
      prepared.forEach((p, i) => {
        const assigned = ids[i];
        if (assigned === undefined || !assigned.isNew) return;
        const data: JobData = {
          id: assigned.id,
          eventId: p.request.eventId,
          eventName: p.request.eventName,
          route: p.request.route,
          sink: p.request.sink,
          ...(p.robotKey === undefined ? {} : { robotKey: p.robotKey }),
          message: p.message,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
          updatedAt: now,
        };
        const jobs = byLane.get(p.lane) ?? [];
        jobs.push({ name: 'delivery', data, opts: { jobId: `${jobPrefix}${assigned.id}` } });
        byLane.set(p.lane, jobs);
      });
      // Resolves once Redis has answered every write: with appendfsync always, once it is on disk.
      await Promise.all(
        [...byLane].map(async ([lane, jobs]) => {
          await this.#ensureLaneReady(lane);
          await lane.queue.addBulk(jobs);
        }),
      );
      const queued = ids.filter((a) => a.isNew).length;
      return { queued, duplicates: deliveries.length - queued };
    } catch (error) {
      this.#logger.error(
        { err: error, deliveries: deliveries.length },
        'could not queue deliveries in Redis',
      );
      throw new HookmuxError('HM_ERR_HTTP_UNAVAILABLE', undefined, {
        cause: error,
        hint: 'check that Redis (storage.url) is up and reachable; the source will retry',
      });
    }
  }

  /**
   * Replay protection shared by every instance: `SET NX PX` on a hash of the key (the key holds a
   * signature; Redis need not). Unreachable Redis is a 503, like an enqueue: an unchecked request
   * is not accepted.
   */
  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    const hashed = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
    try {
      const set = await this.#client.set(
        `${this.#prefix}:once:${hashed}`,
        '1',
        'PX',
        Math.max(1, expiresAt - now),
        'NX',
      );
      return set === 'OK';
    } catch (error) {
      throw new HookmuxError(
        'HM_ERR_HTTP_UNAVAILABLE',
        'cannot reach Redis to check for a replayed request',
        {
          cause: error,
          hint: 'check that Redis (storage.url) is up and reachable; the source will retry',
        },
      );
    }
  }

  async start(): Promise<void> {
    if (this.#state === 'running') return;
    if (this.#state === 'stopped')
      throw new Error('RedisQueue cannot be restarted once stopped; create a new one');
    this.#state = 'running';
    const dispatchClient = new Redis(this.#url, {
      maxRetriesPerRequest: null,
      retryStrategy: reconnectDelay,
    });
    dispatchClient.on('error', (error: Error) => this.#logRedisError(error));
    this.#dispatchClient = dispatchClient;
    this.#limiter = new RedisRateLimiter(dispatchClient, this.#prefix);
    await this.#refreshLanes();
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    clearTimeout(this.#laneTimer);
    // Waits in processors end at once; their jobs go back to the head of their lane.
    this.#stopping.abort();
    if (this.#sends.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#stopTimeoutMs)));
      await Promise.race([Promise.allSettled([...this.#sends].map((s) => s.done)), bound]);
      clearTimeout(timer);
      for (const send of this.#sends) send.abort.abort();
    }
    const workers = [...this.#lanes.values()].flatMap((l) => (l.worker ? [l.worker] : []));
    // Bounded: with Redis down a worker's close would wait for it forever; its jobs' locks then
    // expire and another instance takes them over.
    // force: our own sends were awaited (bounded) above; BullMQ's wait for "current jobs" could hang
    // on a connection that lost Redis mid-job, and would leave its lock-renewal timer running.
    await withTimeout(Promise.allSettled(workers.map((w) => w.close(true))), this.#stopTimeoutMs + 2000);
    await withTimeout(Promise.allSettled([...this.#lanes.values()].map((l) => l.queue.close())), 2000);
    // A close that timed out (Redis went away and came back mid-shutdown) leaves BullMQ's own
    // connections reconnecting forever: cut them.
    await withTimeout(
      Promise.allSettled([
        ...workers.map((w) => w.disconnect()),
        ...[...this.#lanes.values()].map((l) => l.queue.disconnect()),
      ]),
      2000,
    );
    this.#dispatchClient?.disconnect();
    this.#client.disconnect();
  }

  /** `/readyz`: storage is checked through `stats()`, which fails fast while Redis is down. */
  isRunning(): boolean {
    return this.#state === 'running';
  }

  /** For processes that only inspect the outbox (the CLI). */
  close(): Promise<void> {
    return this.stop();
  }

  observe(observer: DeliveryObserver): void {
    this.#observers.push(observer);
  }

  // ── DeliveryStore ───────────────────────────────────────────────────────────────────────

  async list(query: DeliveryQuery = {}): Promise<readonly DeliveryRecord[]> {
    const limit = Math.max(1, Math.min(query.limit ?? 50, 10_000));
    const lane = query.sink === undefined ? undefined : toLaneName(query.sink);
    let before = query.before === undefined ? undefined : Number(query.before);
    if (before !== undefined && !Number.isFinite(before)) return [];
    const found: DeliveryRecord[] = [];
    for (;;) {
      const entries = await this.#index.page(before, pageSize);
      const last = entries[entries.length - 1];
      if (last === undefined) break;
      before = Number(last.id);
      const wanted = lane === undefined ? entries : entries.filter((e) => e.lane === lane);
      const records = await this.#records(wanted);
      for (const record of records) {
        if (query.status !== undefined && record.status !== query.status) continue;
        found.push(record);
        if (found.length >= limit) return found;
      }
      if (entries.length < pageSize) break;
    }
    return found;
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const entry = await this.#index.locate(id);
    if (entry === undefined) return undefined;
    const [record] = await this.#records([entry]);
    return record;
  }

  async replay(id: string): Promise<DeliveryRecord> {
    const entry = await this.#index.locate(id);
    const lane = entry === undefined ? undefined : this.#lane(entry.lane);
    const job = lane === undefined ? undefined : await lane.queue.getJob(`${jobPrefix}${id}`);
    if (lane === undefined || job === undefined) {
      throw new HookmuxError('HM_ERR_DELIVERY_NOT_FOUND', `no delivery with id ${id}`, {
        hint: 'list them with `hookmux deliveries list`',
      });
    }
    const state = await job.getState();
    const data = job.data;
    if (state === 'active' && data.status === 'sending') {
      throw new HookmuxError('HM_ERR_DELIVERY_IN_FLIGHT', `delivery ${id} is being sent right now`, {
        hint: 'wait for its answer, then look again',
      });
    }
    const now = Date.now();
    const finished = state === 'completed' || state === 'failed';
    const settled = finished || data.sentAt !== undefined || data.status === 'dead';
    await job.updateData(
      settled
        ? { ...withoutOutcome(data), status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now }
        : { ...data, nextAttemptAt: now, updatedAt: now },
    );
    if (finished) {
      await this.#ensureLaneReady(lane);
      await job.retry(state);
    }
    this.#logger.info({ delivery: id, sink: data.sink, from: data.status }, 'delivery replayed');
    return (await this.get(id)) ?? this.#toRecord(entry ?? { id, lane: lane.name, pair: '' }, job.data, {});
  }

  async replayDead(
    filter: { readonly sink?: string } = {},
    onProgress?: DeliveryProgressListener,
  ): Promise<number> {
    const lanes = await this.#knownLanes(filter.sink);
    const counts = await Promise.all(lanes.map((l) => l.queue.getJobCountByTypes('failed')));
    const total = counts.reduce((a, b) => a + b, 0);
    let done = 0;
    onProgress?.({ done, total });
    for (const lane of lanes) {
      await this.#ensureLaneReady(lane);
      for (;;) {
        const jobs = await lane.queue.getJobs(['failed'], 0, 99, true);
        if (jobs.length === 0) break;
        const now = Date.now();
        let moved = 0;
        for (const job of jobs) {
          const data = job.data;
          try {
            await job.updateData({
              ...withoutOutcome(data),
              status: 'pending',
              attempts: 0,
              nextAttemptAt: now,
              updatedAt: now,
            });
            await job.retry('failed');
            moved++;
          } catch (error) {
            // Another process replayed it first: it is no longer failed.
            this.#logger.debug({ err: error, delivery: data.id }, 'dead delivery not replayed');
          }
        }
        done += moved;
        onProgress?.({ done, total: Math.max(total, done) });
        if (moved === 0) break;
      }
    }
    if (done > 0) this.#logger.info({ replayed: done, sink: filter.sink }, 'dead deliveries replayed');
    return done;
  }

  async purge(filter: PurgeFilter, onProgress?: DeliveryProgressListener): Promise<number> {
    if (filter.status !== 'sent' && filter.status !== 'dead') {
      throw new HookmuxError('HM_ERR_CLI_USAGE', `cannot purge ${String(filter.status)} deliveries`, {
        hint: 'only sent and dead deliveries can be purged',
      });
    }
    const type = filter.status === 'sent' ? 'completed' : 'failed';
    const lanes = await this.#knownLanes(undefined);
    const counts = await Promise.all(lanes.map((l) => l.queue.getJobCountByTypes(type)));
    const total = counts.reduce((a, b) => a + b, 0);
    let done = 0;
    onProgress?.({ done, total });
    for (const lane of lanes) {
      for (;;) {
        const removed = await lane.queue.clean(Math.max(0, filter.olderThanMs), 500, type);
        if (removed.length === 0) break;
        await this.#index.forget(removed.map((jobId) => jobId.slice(jobPrefix.length)));
        done += removed.length;
        onProgress?.({ done, total: Math.max(total, done) });
      }
    }
    if (done > 0) this.#logger.info({ purged: done, status: filter.status }, 'deliveries purged');
    return done;
  }

  async stats(): Promise<readonly SinkDeliveryStats[]> {
    const laneNames = await this.#index.lanes();
    const names = [
      ...new Set([
        ...this.#sinks.names(),
        ...laneNames.map(toSinkName).filter((n): n is string => n !== undefined),
      ]),
    ].sort();
    const limiter = this.#limiter ?? new RedisRateLimiter(this.#client, this.#prefix);
    return Promise.all(
      names.map(async (sink): Promise<SinkDeliveryStats> => {
        const lane = this.#lane(toLaneName(sink));
        const c = await lane.queue.getJobCounts(
          'wait',
          'prioritized',
          'delayed',
          'active',
          'completed',
          'failed',
        );
        const counts: Record<DeliveryStatus, number> = {
          pending: (c['wait'] ?? 0) + (c['prioritized'] ?? 0) + (c['delayed'] ?? 0),
          sending: c['active'] ?? 0,
          sent: c['completed'] ?? 0,
          retrying: 0,
          dead: c['failed'] ?? 0,
        };
        let oldest: number | undefined;
        if (counts.sending > 0) {
          // The head of a lane waits as an active job: show it as what it is waiting for.
          const [active] = await lane.queue.getJobs(['active'], 0, 0);
          const status = active?.data?.status;
          if (status === 'retrying' || status === 'pending') {
            counts.sending--;
            counts[status]++;
            oldest = active?.data.createdAt;
          }
        }
        const [head] = await lane.queue.getJobs(['wait'], 0, 0, true);
        if (head !== undefined) oldest = Math.min(oldest ?? head.timestamp, head.timestamp);
        const stats: SinkDeliveryStats = {
          sink,
          counts,
          ...(oldest === undefined ? {} : { oldestPendingAgeMs: Math.max(0, Date.now() - oldest) }),
        };
        const resolved = this.#sinks.resolve(sink);
        if (resolved === undefined) return stats;
        const robotKey = robotKeyOf(resolved) ?? sink;
        const state = await limiter.peek(robotKey, resolved.rateLimits);
        return {
          ...stats,
          rateLimit: { robotKey, limits: state.limits, nextFreeAt: Date.now() + state.waitMs },
        };
      }),
    );
  }

  // ── Lanes ───────────────────────────────────────────────────────────────────────────────

  #lane(name: string): Lane {
    let lane = this.#lanes.get(name);
    if (lane === undefined) {
      const queue = new BullQueue<JobData>(name, {
        connection: this.#client,
        prefix: this.#prefix,
        // The outbox rows are the record; BullMQ's event stream is only for its own listeners.
        streams: { events: { maxLen: 100 } },
      });
      queue.on('error', (error: Error) => this.#logRedisError(error));
      lane = { name, queue, ready: undefined, worker: undefined };
      this.#lanes.set(name, lane);
    }
    return lane;
  }

  #ensureLaneReady(lane: Lane): Promise<void> {
    lane.ready ??= lane.queue.setGlobalConcurrency(1).then(
      () => undefined,
      (error: unknown) => {
        lane.ready = undefined;
        throw error;
      },
    );
    return lane.ready;
  }

  /** Lanes of the given sink, or every lane this config or Redis knows. */
  async #knownLanes(sink: string | undefined): Promise<Lane[]> {
    if (sink !== undefined) return [this.#lane(toLaneName(sink))];
    const names = new Set([...this.#sinks.names().map(toLaneName), ...(await this.#index.lanes())]);
    return [...names].map((n) => this.#lane(n));
  }

  /** Starts a worker for each lane: sinks in the config, and lanes other instances queued to. */
  async #refreshLanes(): Promise<void> {
    if (this.#state !== 'running') return;
    try {
      for (const lane of await this.#knownLanes(undefined)) {
        if (lane.worker !== undefined) continue;
        await this.#ensureLaneReady(lane);
        if (this.#state !== 'running') return;
        lane.worker = this.#startWorker(lane);
      }
    } catch (error) {
      this.#logRedisError(error);
    }
    clearTimeout(this.#laneTimer);
    if (this.#state === 'running')
      this.#laneTimer = setTimeout(() => void this.#refreshLanes(), this.#pollMs);
  }

  #startWorker(lane: Lane): Worker<JobData> {
    const connection = this.#dispatchClient;
    if (connection === undefined) throw new Error('RedisQueue: start() first');
    const worker = new Worker<JobData>(lane.name, (job, token) => this.#process(job, token, lane), {
      connection,
      prefix: this.#prefix,
      concurrency: 1,
      lockDuration: this.#lockDurationMs,
      stalledInterval: this.#stalledIntervalMs,
      // A message is never dead-lettered for having been held by instances that died.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      drainDelay: 1,
    });
    worker.on('error', (error: Error) => this.#logRedisError(error));
    return worker;
  }

  // ── Dispatcher ──────────────────────────────────────────────────────────────────────────

  async #process(job: Job<JobData>, token: string | undefined, lane: Lane): Promise<string> {
    let data = job.data;
    // Sent in a digest, or sent before a crash that came after recording it: never again.
    if (data.sentAt !== undefined) return 'sent';
    if (data.status === 'dead') throw new UnrecoverableError(data.lastError?.detail ?? 'dead-lettered');
    for (;;) {
      if (this.#state !== 'running') return this.#release(job, token);
      let send: { robotKey: string; sendId: string; rows: Row[]; result: DeliveryResult; digestId?: string };
      try {
        const resolved = this.#sinks.resolve(data.sink);
        if (resolved === undefined) {
          if (!this.#warnedSinks.has(data.sink)) {
            this.#warnedSinks.add(data.sink);
            this.#logger.warn(
              { sink: data.sink },
              'sink is not in the config in force; its deliveries stay queued until it is back',
            );
          }
          await this.#sleep(this.#pollMs);
          continue;
        }
        this.#warnedSinks.delete(data.sink);
        const now = Date.now();
        if (data.nextAttemptAt > now) {
          await this.#sleep(Math.min(data.nextAttemptAt - now, this.#pollMs));
          // A replay from another process may have made it due now.
          data = (await this.#reload(lane, job.id)) ?? data;
          continue;
        }
        const robotKey = robotKeyOf(resolved) ?? data.sink;
        const sendId = `${data.id}.${randomBytes(4).toString('hex')}`;
        const limiter = this.#limiter;
        if (limiter === undefined) throw new Error('RedisQueue: start() first');
        const admission = await limiter.take(robotKey, resolved.rateLimits, sendId);
        if (!admission.admitted) {
          await this.#sleep(Math.min(admission.waitMs, 10_000));
          continue;
        }
        const { rows, message, digestId } = await this.#compose(lane, data, resolved);
        data = { ...data, status: 'sending', robotKey, updatedAt: Date.now() };
        await job.updateData(data);
        const result = await this.#send(rows, message, resolved, digestId);
        send = {
          robotKey,
          sendId,
          rows: [{ lane, data }, ...rows.slice(1)],
          result,
          ...(digestId ? { digestId } : {}),
        };
      } catch (error) {
        if (error instanceof UnrecoverableError || error instanceof WaitingError) throw error;
        this.#logRedisError(error);
        await this.#sleep(this.#pollMs);
        continue;
      }
      const next = await this.#record(job, send);
      if (next === 'sent') return 'sent';
      if (next === 'released') return this.#release(job, token);
      if (next === 'dead') throw new UnrecoverableError(send.result.ok ? 'dead' : send.result.detail);
      data = next;
    }
  }

  /** The head alone, or, when the lane's backlog is more than the limit lets out, a digest. */
  async #compose(
    lane: Lane,
    head: JobData,
    resolved: ResolvedSink,
  ): Promise<{ rows: Row[]; message: Message; digestId?: string }> {
    const single = { rows: [{ lane, data: head }], message: head.message };
    if (!resolved.merge) return single;
    const waiting = await lane.queue.getWaitingCount();
    if (waiting + 1 <= capacityPerWindow(resolved.rateLimits)) return single;
    const now = Date.now();
    const jobs = await lane.queue.getJobs(['wait'], 0, 498, true);
    const behind = jobs
      .map((j) => j.data)
      .filter((d) => d !== undefined && d.sentAt === undefined && d.status !== 'dead')
      .sort((a, b) => Number(a.id) - Number(b.id));
    const run: JobData[] = [head];
    for (const d of behind) {
      if (d.nextAttemptAt > now || d.message.format !== head.message.format) break;
      run.push(d);
    }
    if (run.length < 2) return single;
    const digestId = `dg-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
    const digest = buildDigest(
      run.map((d) => d.message),
      { maxTextBytes: resolved.sink.maxTextBytes(resolved.target), digestId },
    );
    if (digest.included < 2) return single;
    return {
      rows: run.slice(0, digest.included).map((data) => ({ lane, data })),
      message: digest.message,
      digestId,
    };
  }

  async #send(
    rows: readonly Row[],
    message: Message,
    resolved: ResolvedSink,
    digestId: string | undefined,
  ): Promise<DeliveryResult> {
    const timeoutMs = resolved.timeoutMs > 0 ? resolved.timeoutMs : this.#config.timeoutMs;
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]);
    const logger = this.#logger.child({
      sink: resolved.target.name,
      deliveries: rows.map((r) => r.data.id),
      ...(digestId ? { digest: digestId } : {}),
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
      abort.signal.addEventListener(
        'abort',
        () => resolve({ ok: false, kind: 'retryable', code: 'stopped', detail: 'released at shutdown' }),
        { once: true },
      );
    });
    const done = Promise.race([
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
    const entry = { abort, done };
    this.#sends.add(entry);
    try {
      return await done;
    } finally {
      clearTimeout(timer);
      this.#sends.delete(entry);
    }
  }

  /**
   * Writes the robot's answer. Retried until Redis takes it: after a send the robot accepted,
   * giving up would send it again.
   */
  async #record(
    job: Job<JobData>,
    send: { robotKey: string; sendId: string; rows: Row[]; result: DeliveryResult; digestId?: string },
  ): Promise<'sent' | 'dead' | 'released' | JobData> {
    const { result, rows, robotKey } = send;
    const head = rows[0]?.data ?? job.data;
    const outcomes: Partial<Record<DeliveryOutcome, number>> = {};
    const now = Date.now();
    const log = {
      sink: head.sink,
      deliveryIds: rows.map((r) => r.data.id),
      eventIds: rows.map((r) => r.data.eventId),
      digest: send.digestId,
    };
    if (!result.ok && result.code === 'stopped') return 'released';
    let next: 'sent' | 'dead' | JobData;
    let updates: Row[];
    if (result.ok) {
      updates = rows.map((r) => ({
        lane: r.lane,
        data: {
          ...r.data,
          status: 'sent',
          sentAt: now,
          updatedAt: now,
          ...(send.digestId ? { digestId: send.digestId } : {}),
        },
      }));
      outcomes.sent = rows.length;
      next = 'sent';
      this.#logger.info({ ...log, code: result.code }, 'delivered');
    } else {
      const code = result.code === undefined ? undefined : String(result.code);
      const lastError: DeliveryError = { ...(code === undefined ? {} : { code }), detail: result.detail };
      if (result.kind === 'permanent') {
        updates = rows.map((r) => ({
          lane: r.lane,
          data: { ...r.data, status: 'dead', lastError, updatedAt: now },
        }));
        outcomes.dead = rows.length;
        next = 'dead';
        this.#logger.error(
          { ...log, code, detail: result.detail },
          'robot refused the message for good; dead-lettered (replay with `hookmux deliveries replay`)',
        );
      } else if (result.kind === 'throttled') {
        // Not the message's fault: no attempt counted, and every instance holds this robot.
        const resolved = this.#sinks.resolve(head.sink);
        const longest = Math.max(0, ...(resolved?.rateLimits ?? []).map((l) => l.windowMs));
        const wait = result.retryAfterMs ?? (longest || 60_000);
        await this.#retryRedis(() => this.#limiter?.block(robotKey, wait) ?? Promise.resolve(0));
        const data: JobData = {
          ...head,
          status: 'retrying',
          nextAttemptAt: now + wait,
          lastError,
          updatedAt: now,
        };
        updates = [{ lane: rows[0]?.lane ?? this.#lane(toLaneName(head.sink)), data }];
        outcomes.throttled = rows.length;
        next = data;
        this.#logger.warn({ ...log, code, waitMs: wait }, 'robot throttled us; waiting for its window');
      } else {
        // A digest's other rows stay queued untouched; the next try rebuilds the digest.
        const attempts = head.attempts + 1;
        const isDead = attempts >= this.#config.maxAttempts || now - head.createdAt >= this.#config.maxAgeMs;
        const delay = Math.max(
          computeBackoffMs(attempts, this.#config, this.#random),
          result.retryAfterMs ?? 0,
        );
        const data: JobData = {
          ...head,
          status: isDead ? 'dead' : 'retrying',
          attempts,
          nextAttemptAt: now + delay,
          lastError,
          updatedAt: now,
        };
        updates = [{ lane: rows[0]?.lane ?? this.#lane(toLaneName(head.sink)), data }];
        if (isDead) outcomes.dead = 1;
        else outcomes.retrying = 1;
        if (rows.length > 1) outcomes.retrying = (outcomes.retrying ?? 0) + rows.length - 1;
        next = isDead ? 'dead' : data;
        if (isDead)
          this.#logger.error(
            { ...log, code, detail: result.detail },
            'delivery gave up after its last attempt; dead-lettered',
          );
        else
          this.#logger.warn(
            { ...log, code, detail: result.detail, retryInMs: delay },
            'delivery failed; will retry',
          );
      }
    }
    const written = await this.#retryRedis(async () => {
      const multi = this.#client.multi();
      for (const u of updates)
        multi.hset(u.lane.queue.toKey(`${jobPrefix}${u.data.id}`), 'data', JSON.stringify(u.data));
      const results = await multi.exec();
      const failed = results?.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
    });
    // The mark moves to the answer's time; a failure here only shortens our window by one send's latency.
    await this.#limiter
      ?.complete(robotKey, send.sendId)
      .catch((error: unknown) => this.#logRedisError(error));
    if (!written) return 'released';
    this.#report({
      sink: head.sink,
      deliveryIds: log.deliveryIds,
      eventIds: log.eventIds,
      ...(send.digestId ? { digestId: send.digestId } : {}),
      result,
      outcomes,
      latenciesMs: result.ok ? rows.map((r) => now - r.data.createdAt) : [],
    });
    return next;
  }

  /** Back to the head of its lane, for another instance (or the next start) to send. */
  async #release(job: Job<JobData>, token: string | undefined): Promise<never> {
    try {
      await job.moveToWait(token);
    } catch (error) {
      // Redis is down: the lock expires and the stalled-job check gives the job back instead.
      this.#logRedisError(error);
    }
    throw new WaitingError();
  }

  async #reload(lane: Lane, jobId: string | undefined): Promise<JobData | undefined> {
    if (jobId === undefined) return undefined;
    const raw = await this.#client.hget(lane.queue.toKey(jobId), 'data');
    return raw === null ? undefined : (JSON.parse(raw) as JobData);
  }

  /** Until it works; false when the queue stops first. */
  async #retryRedis(write: () => Promise<unknown>): Promise<boolean> {
    for (;;) {
      try {
        await write();
        return true;
      } catch (error) {
        this.#logRedisError(error);
        if (this.#state !== 'running') return false;
        await this.#sleep(this.#pollMs);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(1, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#stopping.signal.addEventListener('abort', done, { once: true });
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

  /** Redis outages make every connection complain at once: one line per few seconds is enough. */
  #logRedisError(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastRedisErrorLogAt < 5000) return;
    this.#lastRedisErrorLogAt = now;
    this.#logger.error({ err: error }, 'Redis error; deliveries wait until it is back');
  }

  // ── Records ─────────────────────────────────────────────────────────────────────────────

  async #records(entries: readonly IndexEntry[]): Promise<DeliveryRecord[]> {
    if (entries.length === 0) return [];
    const pipeline = this.#client.pipeline();
    for (const e of entries) pipeline.hgetall(this.#lane(e.lane).queue.toKey(`${jobPrefix}${e.id}`));
    const results = (await pipeline.exec()) ?? [];
    const records: DeliveryRecord[] = [];
    entries.forEach((entry, i) => {
      const [error, fields] = results[i] ?? [];
      if (error || fields === null || typeof fields !== 'object') return;
      const hash = fields as Record<string, string>;
      if (hash['data'] === undefined) return;
      records.push(this.#toRecord(entry, JSON.parse(hash['data']) as JobData, hash));
    });
    return records;
  }

  #toRecord(entry: IndexEntry, data: JobData, hash: Record<string, string>): DeliveryRecord {
    const finishedOn = hash['finishedOn'] === undefined ? undefined : Number(hash['finishedOn']);
    let status = data.status;
    if (finishedOn !== undefined) status = hash['failedReason'] !== undefined ? 'dead' : 'sent';
    return {
      id: entry.id,
      eventId: data.eventId,
      eventName: data.eventName,
      route: data.route,
      sink: data.sink,
      ...(data.robotKey === undefined ? {} : { robotKey: data.robotKey }),
      message: data.message,
      status,
      attempts: data.attempts,
      nextAttemptAt: data.nextAttemptAt,
      ...(data.lastError === undefined ? {} : { lastError: data.lastError }),
      createdAt: data.createdAt,
      updatedAt: Math.max(data.updatedAt, finishedOn ?? 0),
      ...(data.sentAt === undefined ? {} : { sentAt: data.sentAt }),
      ...(data.digestId === undefined ? {} : { digestId: data.digestId }),
    };
  }
}

/** Robot keys can be the robot's secret (a WeCom key): only a digest of them is stored or logged. */
function robotKeyOf(resolved: ResolvedSink | undefined): string | undefined {
  if (resolved === undefined) return undefined;
  return createHash('sha256').update(resolved.robotKey).digest('hex').slice(0, 16);
}

function withoutOutcome(data: JobData): JobData {
  const rest: { -readonly [K in keyof JobData]?: JobData[K] } = { ...data };
  delete rest.sentAt;
  delete rest.digestId;
  delete rest.lastError;
  return rest as JobData;
}

/** Reconnect quickly and keep trying: an outage ends by itself, and the dispatcher should notice soon. */
function reconnectDelay(times: number): number {
  return Math.min(100 * times, 1000);
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
