import { type DeliveryStorage, injectable, type QueueProvider, type StorageDeps } from '@hookmux/core';

import { openRedisStorage } from './redis-storage.js';

/** `storage: { type: redis, url, prefix? }`: core runs its Dispatcher on the storage this opens. */
@injectable()
export class RedisQueueProvider implements QueueProvider {
  readonly type = 'redis';

  async openStorage(deps: StorageDeps): Promise<DeliveryStorage> {
    const { storage } = deps;
    if (storage.type !== 'redis')
      throw new Error(`RedisQueueProvider cannot serve storage type ${storage.type}`);
    return openRedisStorage({
      url: storage.url,
      ...(storage.prefix === undefined ? {} : { prefix: storage.prefix }),
      logger: deps.logger,
    });
  }
}
