import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'metrics-secret-value';

/** The value of one sample line, e.g. `hookmux_deliveries_total{sink="team-a",outcome="sent"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelPart = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    const have = labelPart.split(',');
    if (wanted.every((w) => have.includes(w))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('GET /metrics after a scripted run', () => {
  const robot = new FakeWeComRobot({ keys: ['team-a'] });
  let server: TestHookmux;

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(`
storage: { type: sqlite, path: ./outbox.db }
delivery: { maxAttempts: 2, backoff: 10ms, maxBackoff: 20ms }
sources:
  gitee: { secret: ${secret} }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}", merge: false }
  gone: { type: wecom, webhook: "${robot.url('removed-key')}", merge: false }
routes:
  - when: { event: push, branch: main }
    to: team-a
  - when: { event: push, branch: release }
    to: gone
`);
  });
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });

  it('counts what the run did', async () => {
    const post = (body: Record<string, unknown>, key = secret) => {
      const request = giteeRequest(body, key);
      return server.post('/webhooks/gitee', request.body, request.headers);
    };
    // 3 pushes to main (one posted twice), 1 to release (the robot says 93000), 2 bad signatures, 1 too-stale.
    expect((await post(buildPushBody({ hookId: 1 }))).status).toBe(200);
    expect((await post(buildPushBody({ hookId: 2 }))).status).toBe(200);
    expect((await post(buildPushBody({ hookId: 3 }))).status).toBe(200);
    expect((await post(buildPushBody({ hookId: 3 }))).status).toBe(200);
    expect((await post(buildPushBody({ hookId: 4, branch: 'release' }))).status).toBe(200);
    expect((await post(buildPushBody({ hookId: 5 }), 'wrong')).status).toBe(401);
    expect((await post(buildPushBody({ hookId: 6 }), 'wrong')).status).toBe(401);
    await waitFor(() => robot.messagesFor('team-a').length === 3, 10_000, 'three deliveries');
    await waitFor(() => robot.answers.some((a) => a.errcode === 93000), 10_000, 'the 93000 answer');

    let text = '';
    // The dead letter is recorded right after the robot's answer: poll the endpoint until it shows.
    for (let i = 0; i < 100; i += 1) {
      text = await (await fetch(`${server.url}/metrics`)).text();
      if (sample(text, 'hookmux_deliveries_total', { sink: 'gone', outcome: 'dead' }) === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sample(text, 'hookmux_events_received_total', { source: 'gitee', type: 'push' })).toBe(5);
    expect(sample(text, 'hookmux_events_duplicate_total', { source: 'gitee' })).toBe(1);
    expect(
      sample(text, 'hookmux_events_rejected_total', { source: 'gitee', reason: 'HM_ERR_SRC_SIGNATURE' }),
    ).toBe(2);
    expect(sample(text, 'hookmux_deliveries_total', { sink: 'team-a', outcome: 'sent' })).toBe(3);
    expect(sample(text, 'hookmux_deliveries_total', { sink: 'gone', outcome: 'dead' })).toBe(1);
    expect(sample(text, 'hookmux_robot_errors_total', { sink: 'gone', code: '93000' })).toBe(1);
    expect(sample(text, 'hookmux_delivery_latency_seconds_count', { sink: 'team-a' })).toBe(3);
    expect(sample(text, 'hookmux_queue_depth', { sink: 'gone', status: 'dead' })).toBe(1);
    expect(sample(text, 'hookmux_queue_depth', { sink: 'team-a', status: 'pending' })).toBe(0);
    expect(text).toContain('# TYPE hookmux_delivery_latency_seconds histogram');
    expect(text).not.toContain(robot.url('team-a'));
  });

  it('is ready when storage answers and the dispatcher runs', async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      checks: { config: true, storage: true, dispatcher: true },
    });
  });

  it('is not ready once the queue has stopped', async () => {
    await server.hookmux.queue.stop();
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ok: false, checks: { dispatcher: false } });
  });
});
