import type { HookmuxConfig } from '../config/hookmux-config.js';
import type { DeliveryStore } from '../contracts/delivery-store.js';
import type { Queue } from '../contracts/queue.js';
import type { QueueProvider } from '../contracts/queue-provider.js';
import type { SinkDirectory } from '../contracts/sink-directory.js';
import { SqliteQueue } from '../delivery/sqlite-queue.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';

/**
 * The queue for `storage:`. `sqlite` (a file) and `memory` (the same outbox in memory, for tests
 * and dry runs) are built in; other types come from `queue` plugins.
 */
export async function createQueue(
  config: HookmuxConfig,
  sinks: SinkDirectory,
  logger: Logger,
  providers: readonly QueueProvider[],
): Promise<Queue & DeliveryStore> {
  const storage = config.storage;
  const queueLogger = logger.child({ component: 'queue' });
  if (storage.type === 'sqlite' || storage.type === 'memory') {
    const path = storage.type === 'sqlite' ? storage.path : ':memory:';
    return new SqliteQueue({ path, sinks, logger: queueLogger, delivery: config.delivery });
  }
  const provider = providers.find((p) => p.type === storage.type);
  if (!provider?.create) {
    throw new HookmuxError('HM_ERR_PLUGIN_NO_SOURCE', `no plugin provides storage type "${storage.type}"`, {
      at: 'storage.type',
      hint: `install the queue plugin for it (@hookmux/queue-${storage.type}), or use storage: { type: sqlite }`,
    });
  }
  return provider.create({ storage, delivery: config.delivery, sinks, logger: queueLogger });
}
