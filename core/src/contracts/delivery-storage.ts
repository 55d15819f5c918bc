import type { StorageConfig } from '../config/hookmux-config.js';
import type { Logger } from '../logging/logger.js';
import type {
  DeliveryProgressListener,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryStatus,
  PurgeFilter,
} from './delivery-store.js';
import type { HookEvent } from './hook-event.js';

/*
 * Storage interfaces of the delivery kernel.
 *
 * Every policy (lanes, rate admission, digests, rendering, timeouts, backoff, what an answer does
 * to a row, dead letters, metrics) lives in core's `Dispatcher`. A backend (SQLite in core, Redis
 * in `@hookmux/queue-redis`) implements only these narrow stores: it keeps rows and answers
 * questions about them, atomically, and decides nothing. All times are epoch ms and are passed in
 * by the caller (one injectable clock in the dispatcher); a store never reads the clock for a
 * value it writes, except where a method says so.
 *
 * Ids are backend-assigned strings, sortable "newer is greater" within one backend (SQLite: the
 * integer row id as decimal; Redis: a zero-padded counter), so that "oldest first" is "smallest
 * id first".
 *
 * Rows are in one of the `DeliveryStatus` states:
 *   pending  → queued, due at `nextAttemptAt` (new rows: now)
 *   sending  → claimed by the dispatcher holding the lease; a request is (maybe) out
 *   retrying → a send failed or was throttled; due again at `nextAttemptAt`
 *   sent     → the robot accepted it (alone or inside digest `digestId`)
 *   dead     → given up; only a replay brings it back
 * "Unsent" means pending or retrying.
 */

/** One target of an accepted event: one delivery row. */
export interface OutboxTarget {
  /** The route that matched (`routes[i].name`). */
  readonly route: string;
  /** The sink's name in the config. */
  readonly sink: string;
  /** The route's own template folder, when it has one (kept so a send renders as the route says). */
  readonly routeDir?: string;
  /** A digest of the robot identity (never the robot's key itself), for stats; may be absent. */
  readonly robotKey?: string;
  /** When the row is first due (quiet mode holds rows); default: the insert's `now`. */
  readonly dueAt?: number;
  /** The quiet period it was held for, ms (kept on the row: `DeliveryRecord.batchMs`). */
  readonly batchMs?: number;
}

export interface OutboxInsertResult {
  /** Rows newly queued. */
  readonly queued: number;
  /** Targets skipped because a row for the same (event id, sink) exists already (any status). */
  readonly duplicates: number;
}

/** What a claim asks for: the due run at the head of one lane (one robot, one or more sinks). */
export interface ClaimRequest {
  /** The sinks of the lane (the dispatcher groups sinks by robot). */
  readonly sinks: readonly string[];
  /** Recorded on the claimed rows (`robotKey` of the lane). */
  readonly robotKey: string;
  readonly now: number;
  /** At most this many rows (≥ 1). */
  readonly max: number;
  /**
   * Rows after the head are taken while due by this time (default `now`; quiet mode looks ahead
   * so that one digest takes every held row). The head itself must be due at `now`.
   */
  readonly dueBy?: number;
}

export type ClaimResult =
  /** Rows now `sending`, oldest first: the head and the due rows right after it. */
  | { readonly rows: readonly DeliveryRecord[] }
  /** Nothing claimed: the lane has no unsent row (`nextDueAt` absent) or its head is not due yet. */
  | { readonly rows: readonly []; readonly nextDueAt?: number };

/** The new state of one claimed row after a send (the dispatcher computes every field). */
export interface Settlement {
  readonly id: string;
  readonly status: 'sent' | 'retrying' | 'dead';
  /** Added to `attempts` (0 for sent and throttled rows, 1 for a failed send). */
  readonly attemptsDelta: 0 | 1;
  /** For `retrying`: when it is due again. */
  readonly nextAttemptAt?: number;
  /** For `retrying`/`dead`: the last failure. */
  readonly error?: { readonly code?: string; readonly detail: string };
  /** For `sent`: the digest it went out in, when it was merged. */
  readonly digestId?: string;
}

/** Counts behind `hookmux deliveries stats`, per sink and status. */
export interface OutboxCount {
  readonly sink: string;
  readonly status: DeliveryStatus;
  readonly count: number;
  /** `createdAt` of the oldest row in this group. */
  readonly oldestCreatedAt: number;
}

/**
 * The outbox: accepted events and one delivery row per (event, sink).
 *
 * Stored rows carry the event (`DeliveryRecord.event`), not a rendered message; rows written by
 * an older hookmux carry `message` instead, and are sent as stored.
 */
export interface OutboxStore {
  /**
   * Stores the event (payload already redacted by the source) and one `pending` row per target,
   * due at `target.dueAt ?? now`, skipping targets whose (event.id, sink) row exists. Resolves only once durable
   * (a backend may group concurrent calls into one commit). Rejects (core answers the webhook
   * `HM_ERR_HTTP_UNAVAILABLE`, 503) when it cannot keep it.
   */
  insert(event: HookEvent, targets: readonly OutboxTarget[], now: number): Promise<OutboxInsertResult>;

  /** Names of sinks with unsent rows (whatever the config says; a scan, call it now and then). */
  sinksWithWork(): Promise<readonly string[]>;

  /** Whether any of these sinks has an unsent row (cheap: one index probe per sink). */
  hasWork(sinks: readonly string[]): Promise<boolean>;

  /**
   * How many unsent rows of these sinks are due at `now`, counting no further than `limit` (the
   * dispatcher only asks "more than N?").
   */
  countDue(sinks: readonly string[], now: number, limit: number): Promise<number>;

  /**
   * Atomically: finds the oldest unsent row of the lane (the head); if it is due, marks it and the
   * unsent rows right after it **of the same sink** (by id, stopping at the first row not due by
   * `dueBy`, at most `max` in all) `sending` with `robotKey`, and returns them oldest first. A head not
   * yet due blocks the lane (order per robot): nothing is claimed and `nextDueAt` says when.
   */
  claim(request: ClaimRequest): Promise<ClaimResult>;

  /** Applies the outcome of one send to its claimed rows, in one transaction. */
  settle(settlements: readonly Settlement[], now: number): Promise<void>;

  /**
   * Claimed (`sending`) rows back to unsent, attempts and `nextAttemptAt` unchanged (`retrying`
   * when they failed before, else `pending`): a digest that did not include them, or a send
   * abandoned at shutdown. Rows no longer `sending` are left alone.
   */
  release(ids: readonly string[], now: number): Promise<void>;

  /** Every `sending` row back to `pending`, due at `now` (crash leftovers; call holding the lease). Resolves to how many. */
  recover(now: number): Promise<number>;

  /** Newest first. */
  list(query?: DeliveryQuery): Promise<readonly DeliveryRecord[]>;
  get(id: string): Promise<DeliveryRecord | undefined>;

  /**
   * `dead`/`sent` → `pending` with attempts 0, `sentAt`/`digestId` cleared; `retrying`/`pending` →
   * due at `now`. Resolves to the updated row; `undefined` when there is no such row; throws
   * `HM_ERR_DELIVERY_IN_FLIGHT` for a `sending` row.
   */
  replay(id: string, now: number): Promise<DeliveryRecord | undefined>;

  /** Every dead row (of one sink) back to pending as `replay` does; resolves to how many. */
  replayDead(
    filter: { readonly sink?: string },
    now: number,
    onProgress?: DeliveryProgressListener,
  ): Promise<number>;

  /**
   * Deletes rows of `filter.status` last updated before `now - filter.olderThanMs`, and events no
   * row refers to any more; resolves to how many rows.
   */
  purge(filter: PurgeFilter, now: number, onProgress?: DeliveryProgressListener): Promise<number>;

  /** Row counts per sink and status. */
  counts(): Promise<readonly OutboxCount[]>;
}

/**
 * Every request made to a robot (a digest is one), per robot key: the sliding-window limiter in
 * core is rebuilt from it, so limits hold across restarts and dispatcher take-overs. Admission
 * itself (does one more send fit every window?) is computed by core from `sendsSince`.
 */
export interface RateWindowStore {
  /** Records a send to `robotKey` at `at`; resolves to an id for `restamp`. Durable before it resolves. */
  record(robotKey: string, at: number): Promise<string>;
  /** Moves a recorded send to `at` (the dispatcher stamps the answer's time, not the request's). */
  restamp(id: string, at: number): Promise<void>;
  /** Send times to `robotKey` at or after `since`, ascending. */
  sendsSince(robotKey: string, since: number): Promise<readonly number[]>;
  /** Forgets sends before `before` (the dispatcher keeps a day). */
  prune(before: number): Promise<void>;
}

/** Who holds the dispatcher lease of one storage. */
export interface LeaseHolder {
  readonly owner: string;
  readonly expiresAt: number;
}

/**
 * One dispatcher per storage: two would each send up to the robot's limit and take each other's
 * in-flight rows for crash leftovers. The holder renews; others stand by.
 */
export interface LeaseStore {
  /**
   * Atomically takes or renews the lease until `now + ttlMs`: succeeds when there is no holder,
   * the holder is `owner`, or the holder's lease expired at or before `now`.
   */
  tryAcquire(owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Drops the lease if `owner` holds it (also used to clear a holder known to be gone). */
  release(owner: string): Promise<void>;
  holder(): Promise<LeaseHolder | undefined>;
}

/**
 * A once-only memory shared by every process on the storage and kept across restarts (replay
 * protection of signed webhooks).
 */
export interface OnceStore {
  /**
   * Records `key` until `expiresAt`; false when it is recorded already and not expired at `now`.
   * Durable before it resolves. Expired keys may be forgotten at any time.
   */
  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** Whether the storage can keep what it is given right now (`/readyz`, intake). */
export type StorageHealth =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** `deleted`, `replaced`, `full`, `readonly`, `io`, `down`. */
      readonly reason: string;
      readonly detail: string;
    };

/** One opened backend: its stores, its health and its life cycle. */
export interface DeliveryStorage {
  /** `storage.type` (`sqlite`, `memory`, `redis`). */
  readonly type: string;
  readonly outbox: OutboxStore;
  readonly rates: RateWindowStore;
  readonly lease: LeaseStore;
  readonly once: OnceStore;
  /**
   * Checks the storage (a file still in place, writable; a server reachable). Cheap enough to call
   * per `/readyz` probe; a failed write seen by any store also makes it unhealthy until a check
   * passes again.
   */
  health(): Promise<StorageHealth>;
  /** Gives freed space back after purges (SQLite: incremental vacuum); optional. */
  compact?(): Promise<void>;
  /** Closes connections; the stores must not be used after. */
  close(): Promise<void>;
}

export interface StorageDeps {
  readonly storage: StorageConfig;
  readonly logger: Logger;
}

/** Opens one `storage.type` (core provides `sqlite` and `memory`; plugins others). */
export interface DeliveryStorageOpener {
  readonly type: string;
  openStorage(deps: StorageDeps): Promise<DeliveryStorage>;
}
