import { ContainerModule, QueueProvider } from '@hookmux/core';

import { RedisQueueProvider } from './redis-queue-provider.js';

export { RedisQueue, type RedisQueueOptions } from './redis-queue.js';
export { RedisRateLimiter, type Admission } from './redis-rate-limiter.js';
export { RedisQueueProvider };

export default new ContainerModule(({ bind }) => {
  bind(RedisQueueProvider).toSelf().inSingletonScope();
  bind(QueueProvider).toService(RedisQueueProvider);
});
