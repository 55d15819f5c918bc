import { ContainerModule, QueueProvider } from '@hookmux/core';

import { RedisQueueProvider } from './redis-queue-provider.js';

export { RedisLeaseStore } from './redis-lease-store.js';
export { RedisOnceStore } from './redis-once-store.js';
export { RedisOutboxStore } from './redis-outbox-store.js';
export { RedisRateWindowStore } from './redis-rate-window-store.js';
export { openRedisStorage, RedisStorage, type RedisStorageOptions } from './redis-storage.js';
export { RedisQueueProvider };

export default new ContainerModule(({ bind }) => {
  bind(RedisQueueProvider).toSelf().inSingletonScope();
  bind(QueueProvider).toService(RedisQueueProvider);
});
