import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { RedisServer } from '../helpers/redis-server.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'redis-health-secret';

describe('storage health (Redis), through hookmux', () => {
  const redis = new RedisServer({ appendOnly: true });
  const robot = new FakeWeComRobot({ keys: ['team-a'] });
  let admin: Redis;
  let server: TestHookmux;
  let seq = 0;

  const post = async (text: string): Promise<number> => {
    const request = giteeRequest(buildPushBody({ seq: ++seq, commits: [{ message: text }] }), secret);
    return (await server.post('/webhooks/gitee', request.body, request.headers)).status;
  };
  const ready = async (): Promise<{ status: number; body: unknown }> => {
    const answer = await fetch(`${server.url}/readyz`);
    return { status: answer.status, body: await answer.json() };
  };

  beforeAll(async () => {
    await Promise.all([redis.start(), robot.start()]);
    admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
    server = await startTestHookmux(`
storage: { type: redis, url: "${redis.url}", prefix: health }
sources:
  gitee: { secret: ${secret} }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}", rateLimit: 100/min }
routes:
  - when: { event: push }
    to: team-a
`);
  }, 30_000);
  afterEach(async () => {
    await admin.replicaof('NO', 'ONE').catch(() => undefined);
    await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
  });
  afterAll(async () => {
    await server.close();
    admin.disconnect();
    await Promise.all([redis.destroy(), robot.stop()]);
  }, 30_000);

  it('answers 503 to webhooks and on /readyz while Redis refuses writes (replica, out of memory), and recovers', async () => {
    expect((await ready()).status).toBe(200);
    expect(await post('accepted 1')).toBe(200);

    await admin.replicaof('127.0.0.1', '1');
    expect(await post('refused readonly')).toBe(503);
    expect(await ready()).toMatchObject({ status: 503, body: { ok: false, checks: { storage: false } } });
    await admin.replicaof('NO', 'ONE');
    expect((await ready()).status).toBe(200);
    expect(await post('accepted 2')).toBe(200);

    await admin.config('SET', 'maxmemory', '1');
    expect(await post('refused full')).toBe(503);
    expect((await ready()).status).toBe(503);
    await admin.config('SET', 'maxmemory', '0');
    expect((await ready()).status).toBe(200);
    expect(await post('accepted 3')).toBe(200);

    await waitFor(() => robot.messagesFor('team-a').length >= 3, 20_000, 'the three accepted events');
    const sent = JSON.stringify(robot.messages);
    for (const text of ['accepted 1', 'accepted 2', 'accepted 3']) expect(sent).toContain(text);
    expect(sent).not.toContain('refused');
  }, 40_000);

  it('answers 503 on /readyz while Redis is down, and 200 again once it is back', async () => {
    await redis.kill();
    try {
      expect(await post('refused down')).toBe(503);
      expect((await ready()).status).toBe(503);
    } finally {
      await redis.start();
    }
    let status = 0;
    const deadline = Date.now() + 15_000;
    while (status !== 200 && Date.now() < deadline) {
      status = (await ready()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect(await post('accepted 4')).toBe(200);
    await waitFor(
      () => JSON.stringify(robot.messages).includes('accepted 4'),
      20_000,
      'the event after the restart',
    );
  }, 40_000);
});
