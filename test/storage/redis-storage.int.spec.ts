import { afterAll, beforeAll } from '@jest/globals';
import { openRedisStorage } from '@hookmux/queue-redis';
import { Redis } from 'ioredis';

import { RedisServer } from '../helpers/redis-server.js';
import { storageContract } from './storage-contract.js';

/** One redis-server (AOF on) for the file; each test's site is its own key prefix. */
const server = new RedisServer({ appendOnly: true });
let site = 0;

beforeAll(async () => {
  await server.start();
}, 20_000);
afterAll(async () => {
  await server.destroy();
});

storageContract({
  name: 'redis',
  newSite: () => {
    site++;
    return Promise.resolve();
  },
  open: (logger) => openRedisStorage({ url: server.url, prefix: `contract${site}`, logger }),
  storedEventIds: async () => {
    const redis = new Redis(server.url);
    const keys = await redis.keys(`contract${site}:e:*`);
    redis.disconnect();
    return keys.map((k) => k.slice(`contract${site}:e:`.length));
  },
  storeAsPlainJson: async (eventId, json) => {
    const redis = new Redis(server.url);
    await redis.set(`contract${site}:e:${eventId}`, json);
    redis.disconnect();
  },
  cleanup: () => Promise.resolve(),
});
