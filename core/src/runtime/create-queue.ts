import type { HookmuxConfig } from '../config/hookmux-config.js';
import type { Queue } from '../contracts/queue.js';
import { SqliteQueue } from '../delivery/sqlite-queue.js';
import type { Logger } from '../logging/logger.js';
import type { Container } from '../shared/inversify.js';
import type { RuntimeHolder } from './runtime-holder.js';

/** The durable queue for `storage:`; SQLite is built in, other types come from `queue` plugins. */
export function createQueue(
  config: HookmuxConfig,
  holder: RuntimeHolder,
  logger: Logger,
  _container: Container,
): Promise<Queue> {
  const storage = config.storage;
  if (storage.type !== 'sqlite') {
    throw new Error(`storage type ${storage.type} needs its plugin (later)`);
  }
  return Promise.resolve(
    new SqliteQueue({
      path: storage.path,
      sinks: holder,
      logger: logger.child({ component: 'queue' }),
      delivery: config.delivery,
    }),
  );
}
