import {
  type DeliveryStore,
  injectable,
  type LegacyQueue,
  type QueueDeps,
  type QueueProvider,
} from '@hookmux/core';

import { RedisQueue } from './redis-queue.js';

/** `storage: { type: redis, url, prefix? }`: core's `createQueue` picks this provider for it. */
@injectable()
export class RedisQueueProvider implements QueueProvider {
  readonly type = 'redis';

  async create(deps: QueueDeps): Promise<LegacyQueue & DeliveryStore> {
    const { storage } = deps;
    if (storage.type !== 'redis')
      throw new Error(`RedisQueueProvider cannot serve storage type ${storage.type}`);
    const queue = new RedisQueue({
      url: storage.url,
      ...(storage.prefix === undefined ? {} : { prefix: storage.prefix }),
      sinks: deps.sinks,
      logger: deps.logger,
      delivery: deps.delivery,
    });
    await queue.open();
    return queue;
  }
}
