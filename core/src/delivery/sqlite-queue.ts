import type { DeliveryConfig } from '../config/hookmux-config.js';
import type { SinkDirectory } from '../contracts/sink-directory.js';
import type { Logger } from '../logging/logger.js';
import { Dispatcher } from './dispatcher.js';
import type { SendRenderer } from './send-renderer.js';
import { SqliteStorage } from './sqlite-storage.js';

export interface SqliteQueueOptions {
  readonly path: string;
  readonly sinks: SinkDirectory;
  readonly logger: Logger;
  readonly delivery: DeliveryConfig;
  readonly renderer?: SendRenderer;
  readonly now?: () => number;
  readonly pollMs?: number;
  readonly random?: () => number;
  readonly stopTimeoutMs?: number;
  readonly leaseMs?: number;
}

/**
 * The embedded outbox: core's `Dispatcher` over `SqliteStorage` (`storage: {type: sqlite}`, or
 * `memory`). Opening is synchronous (SQLite is), so this is a class rather than a factory.
 */
export class SqliteQueue extends Dispatcher {
  readonly #storage: SqliteStorage;

  constructor(options: SqliteQueueOptions) {
    const storage = new SqliteStorage({ path: options.path, logger: options.logger });
    super({ ...options, storage });
    this.#storage = storage;
  }

  /** Transactions committed by `enqueue` so far (group commit makes it fewer than the calls). */
  get commitCount(): number {
    return this.#storage.commitCount;
  }
}
