import type { DeliveryConfig, StorageConfig } from '../config/hookmux-config.js';
import type { Logger } from '../logging/logger.js';
import type { DeliveryStore } from './delivery-store.js';
import type { Queue } from './queue.js';
import type { SinkDirectory } from './sink-directory.js';

export const QueueProvider = Symbol.for('@hookmux/core/QueueProvider');

export interface QueueDeps {
  readonly storage: StorageConfig;
  readonly delivery: DeliveryConfig;
  readonly sinks: SinkDirectory;
  readonly logger: Logger;
}

/**
 * Provides the queue for one `storage.type` (`queue` plugins: `redis`). SQLite is built in; a
 * plugin's queue must keep the same promises: `enqueue` resolves only once durable, per-robot
 * rate limits hold across every instance, and nothing accepted is lost.
 */
export interface QueueProvider {
  /** The `storage.type` it serves. */
  readonly type: string;
  create(deps: QueueDeps): Promise<Queue & DeliveryStore>;
}
