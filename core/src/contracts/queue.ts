import type { DeliveryObserver } from './delivery-observer.js';
import type { Message } from './message.js';

export const Queue = Symbol.for('@hookmux/core/Queue');

/** One message for one sink, ready to be queued. */
export interface DeliveryRequest {
  readonly eventId: string;
  readonly eventName: string;
  readonly route: string;
  readonly sink: string;
  readonly message: Message;
}

export interface EnqueueResult {
  /** Deliveries newly queued; pairs already queued for the same (event, sink) are skipped. */
  readonly queued: number;
  readonly duplicates: number;
}

/**
 * Where the router hands rendered messages. `enqueue` resolves only once the deliveries are
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
  /** Whether the dispatcher is started and alive (`/readyz`). */
  isRunning?(): boolean;
  /** Be told about every send once it is recorded (metrics). */
  observe?(observer: DeliveryObserver): void;
}
