import type { HookEvent } from './hook-event.js';
import type { Message } from './message.js';

export const DeliveryStore = Symbol.for('@hookmux/core/DeliveryStore');

export const deliveryStatuses = ['pending', 'sending', 'sent', 'retrying', 'dead'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
  return typeof value === 'string' && (deliveryStatuses as readonly string[]).includes(value);
}

/**
 * One outbox row: one event for one sink. Rows carry the stored event (rendered when sent, from
 * the templates in force); rows queued by hookmux before 0.x carry the rendered `message` instead
 * and are sent as stored.
 */
export interface DeliveryRecord {
  /** Opaque, backend-assigned; sortable as "newer is greater" within one backend. */
  readonly id: string;
  readonly eventId: string;
  readonly eventName: string;
  readonly route: string;
  readonly sink: string;
  /** A digest of the robot identity (never the robot's key itself). */
  readonly robotKey?: string;
  /** The route's own template folder, when it has one. */
  readonly routeDir?: string;
  /** Quiet mode: the period the row was held for, ms (it goes out in one digest with its period). */
  readonly batchMs?: number;
  /** The accepted event (payload redacted); absent only on rows from an older outbox. */
  readonly event?: HookEvent;
  /** A message rendered before it was queued: rows from an older outbox only. */
  readonly message?: Message;
  readonly status: DeliveryStatus;
  /** Sends that failed (throttled answers are not counted). */
  readonly attempts: number;
  /** Epoch ms; meaningful for `pending` and `retrying`. */
  readonly nextAttemptAt: number;
  readonly lastError?: DeliveryError;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly sentAt?: number;
  /** The digest this row was delivered as part of, when it was merged. */
  readonly digestId?: string;
}

export interface DeliveryError {
  /** The robot's code (`45009`, `93000`) or hookmux's (`timeout`, `network`). */
  readonly code?: string;
  readonly detail: string;
}

export interface DeliveryQuery {
  readonly status?: DeliveryStatus;
  readonly sink?: string;
  /** Default 50. */
  readonly limit?: number;
  /** Cursor: only rows older than this id (newest first). */
  readonly before?: string;
}

export interface DeliveryProgress {
  readonly done: number;
  readonly total: number;
}
export type DeliveryProgressListener = (progress: DeliveryProgress) => void;

export interface PurgeFilter {
  /** Only finished rows can be purged. */
  readonly status: 'sent' | 'dead';
  /** Rows last updated longer ago than this. */
  readonly olderThanMs: number;
}

export interface RateLimitState {
  readonly count: number;
  readonly windowMs: number;
  /** Sends to the robot in the trailing window. */
  readonly sentInWindow: number;
}

export interface SinkDeliveryStats {
  readonly sink: string;
  readonly counts: Readonly<Record<DeliveryStatus, number>>;
  /** Age of the oldest `pending`/`retrying` row, ms. */
  readonly oldestPendingAgeMs?: number;
  /** Absent when the sink no longer resolves in the config in force. */
  readonly rateLimit?: {
    readonly robotKey: string;
    readonly limits: readonly RateLimitState[];
    /** Epoch ms when the limiter lets the next send out (now, when free). */
    readonly nextFreeAt: number;
  };
}

/**
 * Inspect and repair the outbox (CLI `hookmux deliveries`, admin API). Backend-agnostic: every
 * method is async so that a Redis queue can implement it too.
 */
export interface DeliveryStore {
  /** Newest first. */
  list(query?: DeliveryQuery): Promise<readonly DeliveryRecord[]>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  /**
   * `dead`/`sent` → `pending` with attempts reset; `retrying` → due now. Throws
   * HM_ERR_DELIVERY_NOT_FOUND, or HM_ERR_DELIVERY_IN_FLIGHT for a row being sent.
   */
  replay(id: string): Promise<DeliveryRecord>;
  /** Every dead row (of one sink) back to pending; resolves to how many. */
  replayDead(filter?: { readonly sink?: string }, onProgress?: DeliveryProgressListener): Promise<number>;
  /** Deletes finished rows; resolves to how many. */
  purge(filter: PurgeFilter, onProgress?: DeliveryProgressListener): Promise<number>;
  stats(): Promise<readonly SinkDeliveryStats[]>;
}
