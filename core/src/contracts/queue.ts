import type { DeliveryObserver } from './delivery-observer.js';
import type { StorageHealth } from './delivery-storage.js';
import type { HookEvent } from './hook-event.js';
import type { Message } from './message.js';

export const Queue = Symbol.for('@hookmux/core/Queue');

/** One accepted event for one sink, ready to be queued (rendered later, when it is sent). */
export interface DeliveryRequest {
  readonly eventId: string;
  readonly eventName: string;
  readonly route: string;
  readonly sink: string;
  /** The route's own template folder, when it has one. */
  readonly routeDir?: string;
  /** The route's quiet period (`routes[].batch`), ms: the delivery is held that long, then sent in a digest. */
  readonly batchMs?: number;
  /** The event itself (payload redacted by its source): the outbox keeps it, not a rendered string. */
  readonly event: HookEvent;
}

export interface EnqueueResult {
  /** Deliveries newly queued; pairs already queued for the same (event, sink) are skipped. */
  readonly queued: number;
  readonly duplicates: number;
}

/**
 * Where intake hands accepted events. `enqueue` resolves only once the deliveries are
 * durable (for a durable queue), so the HTTP answer can follow. Dispatching to sinks is the
 * queue's business.
 */
export interface Queue {
  enqueue(deliveries: readonly DeliveryRequest[]): Promise<EnqueueResult>;
  /** Start dispatching. */
  start(): Promise<void>;
  /** Stop dispatching: finish or release in-flight sends. */
  stop(): Promise<void>;
  /**
   * Records `key` until `expiresAt` (epoch ms) in storage every instance shares; false when it was
   * recorded already and has not expired. Sources use it for replay protection across instances
   * (Redis); without it each process remembers in memory, which is enough for one process.
   */
  rememberOnce?(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Whether the storage can keep what it is given (`/readyz`; intake answers 503 otherwise). */
  health?(): Promise<StorageHealth>;
  /** Whether the dispatcher is started and alive (`/readyz`). */
  isRunning?(): boolean;
  /** Be told about every send once it is recorded (metrics). */
  observe?(observer: DeliveryObserver): void;
}

/** A delivery rendered before it is queued: what queues of the older shape (`QueueProvider.create`) take. */
export interface RenderedDeliveryRequest extends DeliveryRequest {
  readonly message: Message;
}

/**
 * @deprecated The older queue shape (a whole dispatcher in the plugin, messages rendered at
 * intake). Core wraps it so that it still works; new backends implement `DeliveryStorage`.
 */
export interface LegacyQueue extends Omit<Queue, 'enqueue'> {
  enqueue(deliveries: readonly RenderedDeliveryRequest[]): Promise<EnqueueResult>;
}
