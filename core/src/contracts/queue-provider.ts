import type { DeliveryConfig, StorageConfig } from '../config/hookmux-config.js';
import type { Logger } from '../logging/logger.js';
import type { DeliveryStorage, StorageDeps } from './delivery-storage.js';
import type { DeliveryStore } from './delivery-store.js';
import type { LegacyQueue } from './queue.js';
import type { SinkDirectory } from './sink-directory.js';

export const QueueProvider = Symbol.for('@hookmux/core/QueueProvider');

export interface QueueDeps {
  readonly storage: StorageConfig;
  readonly delivery: DeliveryConfig;
  readonly sinks: SinkDirectory;
  readonly logger: Logger;
}

/**
 * Provides storage for one `storage.type` (built in: `sqlite`, `memory`; plugins: `redis`).
 *
 * A provider implements `openStorage`: the narrow stores of `delivery-storage.ts`, on which core's
 * one `Dispatcher` runs (every policy lives there). `create` (a whole queue with its own
 * dispatcher) is the older shape, still accepted while plugins move to `openStorage`; a provider
 * offering both is used through `openStorage`.
 */
export interface QueueProvider {
  /** The `storage.type` it serves. */
  readonly type: string;
  openStorage?(deps: StorageDeps): Promise<DeliveryStorage>;
  /** @deprecated implement `openStorage`. */
  create?(deps: QueueDeps): Promise<LegacyQueue & DeliveryStore>;
}
