import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { RedisServer } from '../helpers/redis-server.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'replay-across-instances-secret';

describe('Gitee replay protection across instances sharing one Redis', () => {
  const redis = new RedisServer();
  const robot = new FakeWeComRobot({ keys: ['team-a'] });
  const instances: TestHookmux[] = [];

  beforeAll(async () => {
    await Promise.all([redis.start(), robot.start()]);
    const yaml = `
storage: { type: redis, url: "${redis.url}", prefix: replay-test }
sources:
  gitee: { secret: ${secret} }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}" }
routes:
  - when: { event: push }
    to: team-a
`;
    instances.push(await startTestHookmux(yaml), await startTestHookmux(yaml));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.close()));
    await Promise.all([redis.destroy(), robot.stop()]);
  }, 30_000);

  it('refuses a (timestamp, signature) pair on instance B that instance A has already accepted', async () => {
    const [a, b] = instances;
    if (!a || !b) throw new Error('two instances expected');
    const timestamp = Date.now();
    const original = giteeRequest(buildPushBody({ hookId: 1 }), secret, { timestamp });
    expect((await a.post('/webhooks/gitee', original.body, original.headers)).status).toBe(200);

    // Same headers (the captured signature), another body: Gitee does not sign the body.
    const forged = giteeRequest(buildPushBody({ hookId: 2, commits: [{ message: 'forged' }] }), secret, {
      timestamp,
    });
    const answer = await b.post('/webhooks/gitee', forged.body, forged.headers);
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: { code: 'HM_ERR_SRC_REPLAY' } });

    // A fresh signature on B is fine.
    const fresh = giteeRequest(buildPushBody({ hookId: 3 }), secret, { timestamp: timestamp + 1 });
    expect((await b.post('/webhooks/gitee', fresh.body, fresh.headers)).status).toBe(200);
    await waitFor(() => robot.messagesFor('team-a').length >= 2, 10_000, 'two deliveries');
    expect(JSON.stringify(robot.messages)).not.toContain('forged');
  });

  it('answers 503 while Redis is down, instead of accepting an unchecked request', async () => {
    const [a] = instances;
    if (!a) throw new Error('an instance expected');
    await redis.stop();
    try {
      const request = giteeRequest(buildPushBody({ hookId: 4 }), secret);
      expect((await a.post('/webhooks/gitee', request.body, request.headers)).status).toBe(503);
    } finally {
      await redis.start();
    }
  }, 30_000);
});
