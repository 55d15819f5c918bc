import { afterEach, describe, expect, it } from '@jest/globals';

import type { DeliveryAttempt } from '@hookmux/core';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { RedisServer } from '../helpers/redis-server.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'timing-secret';
const key = 'timing-key';

/**
 * What the dispatcher hands a robot sink (`timeoutMs`, `signal`) and what it does with what the
 * sink hands back (`retryAfterMs`), end to end: a signed Gitee push in over HTTP, the real
 * dispatcher of each backend, the WeCom sink, a fake robot on 127.0.0.1 that answers late or
 * with a 429.
 */
describe.each(['sqlite', 'redis'] as const)('robot timing through the %s dispatcher', (backend) => {
  let robot: FakeWeComRobot | undefined;
  let redis: RedisServer | undefined;
  let server: TestHookmux | undefined;

  afterEach(async () => {
    await server?.close();
    await robot?.stop();
    await redis?.destroy();
    server = undefined;
    robot = undefined;
    redis = undefined;
  });

  /** Starts the robot (scripted by `arrange`) and hookmux, then posts one push. */
  async function start(
    delivery: string,
    sink: string,
    arrange: (robot: FakeWeComRobot) => void,
  ): Promise<{ attempts: DeliveryAttempt[] }> {
    robot = await new FakeWeComRobot({ keys: [key] }).start();
    arrange(robot);
    let storage = '{ type: sqlite, path: ./hookmux.db }';
    if (backend === 'redis') {
      redis = await new RedisServer().start();
      storage = `{ type: redis, url: "${redis.url}" }`;
    }
    server = await startTestHookmux(`
storage: ${storage}
delivery: ${delivery}
sources:
  gitee: { secret: "${secret}" }
sinks:
  team-a: { type: wecom, webhook: "${robot.url(key)}", format: markdown${sink} }
routes:
  - when: { source: gitee, event: push }
    to: team-a
`);
    const attempts: DeliveryAttempt[] = [];
    server.hookmux.queue.observe?.((attempt) => attempts.push(attempt));
    const request = giteeRequest(buildPushBody({ repo: 'acme/widget' }), secret);
    const answer = await server.post('/webhooks/gitee', request.body, request.headers);
    expect(answer.status).toBe(200);
    return { attempts };
  }

  it('delivers with `delivery.timeout: 30s` to a robot that answers in 12 s (past the old fixed 10 s)', async () => {
    const { attempts } = await start('{ timeout: 30s }', '', (fake) => fake.script({ delayMs: 12_000 }));
    await waitFor(() => attempts.length >= 1, 25_000, 'the first attempt');
    expect(attempts[0]?.result).toMatchObject({ ok: true, code: 0 });
    expect(robot?.messagesFor(key)).toHaveLength(1);
  }, 40_000);

  it("cuts the send off at the sink's own shorter `timeout:`, and the dispatcher logs the failure once", async () => {
    const { attempts } = await start('{ timeout: 30s, backoff: 60s }', ', timeout: 1s', (fake) =>
      fake.script({ delayMs: 10_000 }),
    );
    await waitFor(() => attempts.length >= 1, 8_000, 'the first attempt');
    expect(attempts[0]?.result).toMatchObject({ ok: false, kind: 'retryable', code: 'timeout' });
    expect(attempts[0]?.outcomes).toEqual({ retrying: 1 });
    const failures = server?.logger.lines.filter((l) => l.level === 'warn' || l.level === 'error') ?? [];
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: 'timeout', msg: 'delivery failed; will retry' });
  }, 20_000);

  it('waits at least the 3 s of a 429 with `Retry-After: 3`, then delivers', async () => {
    const { attempts } = await start('{ timeout: 10s }', '', (fake) =>
      fake.script({ httpStatus: 429, body: '', headers: { 'retry-after': '3' } }),
    );
    await waitFor(() => (robot?.messagesFor(key).length ?? 0) >= 1, 15_000, 'the retried delivery');
    expect(attempts[0]?.result).toMatchObject({
      ok: false,
      kind: 'throttled',
      code: 'http_429',
      retryAfterMs: 3000,
    });
    const [refused, accepted] = robot?.answers ?? [];
    expect(refused?.status).toBe(429);
    expect(accepted?.errcode).toBe(0);
    // A lower bound, not a speed claim: the retry may come later, never sooner.
    expect((accepted?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(3000);
  }, 30_000);
});
