import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'e2e-secret-do-not-share';

describe('Gitee push → WeCom robot, end to end over real HTTP', () => {
  const robot = new FakeWeComRobot({ keys: ['team-a', 'team-b'] });
  let server: TestHookmux;

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(`
server: { bodyLimit: 64kb }
storage: { type: sqlite, path: ./hookmux.db }
sources:
  gitee: { secret: "${secret}" }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}", format: markdown }
routes:
  - when: { source: gitee, event: push }
    to: team-a
`);
  });
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });
  beforeEach(() => robot.reset());

  const body = buildPushBody({
    repo: 'acme/widget',
    branch: 'main',
    pusher: 'zhangsan',
    pusherName: '张三',
    commits: [
      { message: 'feat: 支持企业微信 markdown 🚀\n\nlong body' },
      { message: 'fix: handle null commits' },
    ],
  });

  for (const mode of ['signature', 'password'] as const) {
    it(`delivers one markdown message for a push signed in ${mode} mode`, async () => {
      const request = giteeRequest({ ...body, hook_id: mode === 'signature' ? 1 : 2 }, secret, { mode });
      const answer = await server.post('/webhooks/gitee', request.body, request.headers);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ ok: true, event: 'gitee.push.update', deliveries: 1 });

      await waitFor(() => robot.messagesFor('team-a').length >= 1, 10_000, 'the robot to get the message');
      const messages = robot.messagesFor('team-a');
      expect(messages).toHaveLength(1);
      expect(messages[0]?.msgtype).toBe('markdown');
      const content = String((messages[0]?.body['markdown'] as { content: string }).content);
      for (const fact of [
        'acme/widget',
        'main',
        '张三',
        'feat: 支持企业微信 markdown 🚀',
        'fix: handle null commits',
      ]) {
        expect(content).toContain(fact);
      }
      expect(content).not.toContain('long body');
    });
  }

  it('delivers the same delivery posted twice only once', async () => {
    const request = giteeRequest({ ...body, hook_id: 3 }, secret, { mode: 'password' });
    const first = await server.post('/webhooks/gitee', request.body, request.headers);
    const second = await server.post('/webhooks/gitee', request.body, request.headers);
    expect(first.json).toMatchObject({ deliveries: 1 });
    expect(second.json).toMatchObject({ deliveries: 0, duplicate: true });
    await waitFor(() => robot.messagesFor('team-a').length >= 1);
    // A later, distinct push still goes through, so the first wait did not simply end early.
    const other = giteeRequest({ ...body, hook_id: 4 }, secret, { mode: 'password' });
    await server.post('/webhooks/gitee', other.body, other.headers);
    await waitFor(() => robot.messagesFor('team-a').length >= 2);
    expect(robot.messagesFor('team-a')).toHaveLength(2);
  });

  describe('rejects bad requests without reaching the robot, and keeps serving', () => {
    const cases: Array<[string, () => { body: string; headers: Record<string, string> }, number]> = [
      ['a wrong token', () => giteeRequest(body, 'not-the-secret'), 401],
      ['a wrong password', () => giteeRequest(body, 'not-the-secret', { mode: 'password' }), 401],
      [
        'a stale timestamp (> 1 h)',
        () => giteeRequest(body, secret, { timestamp: Date.now() - 2 * 3600_000 }),
        401,
      ],
      [
        'a body that is not JSON',
        () => {
          const r = giteeRequest(body, secret);
          return {
            body: 'hook=%7B%7D',
            headers: { ...r.headers, 'content-type': 'application/x-www-form-urlencoded' },
          };
        },
        415,
      ],
      [
        'truncated JSON',
        () => {
          const r = giteeRequest(body, secret);
          return { body: r.body.slice(0, 200), headers: r.headers };
        },
        400,
      ],
      [
        'a body over server.bodyLimit',
        () => giteeRequest({ ...body, padding: 'x'.repeat(70 * 1024) }, secret),
        413,
      ],
    ];
    let probes = 0;
    for (const [name, build, status] of cases) {
      it(`answers ${status} to ${name}`, async () => {
        const { body: sent, headers } = build();
        const answer = await server.post('/webhooks/gitee', sent, headers);
        expect(answer.status).toBe(status);
        expect(JSON.stringify(answer.json)).not.toContain(secret);
        const health = await fetch(`${server.url}/healthz`);
        expect(health.status).toBe(200);
        // Give a wrongly accepted event time to be dispatched before checking nothing arrived.
        probes += 1;
        const probe = giteeRequest({ ...body, hook_id: 1000 + probes }, secret);
        await server.post('/webhooks/gitee', probe.body, probe.headers);
        await waitFor(() => robot.messagesFor('team-a').length >= 1);
        expect(robot.messagesFor('team-a')).toHaveLength(1);
      });
    }
  });

  it('answers a ping (the test button) 200 after verifying it, and forwards nothing', async () => {
    const request = giteeRequest({ ...body, hook_id: 77 }, secret);
    const answer = await server.post('/webhooks/gitee', request.body, {
      ...request.headers,
      'x-gitee-ping': 'true',
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ ok: true, ping: true, deliveries: 0 });
    const wrong = giteeRequest({ ...body, hook_id: 78 }, 'not-the-secret');
    expect(
      (await server.post('/webhooks/gitee', wrong.body, { ...wrong.headers, 'x-gitee-ping': 'true' })).status,
    ).toBe(401);
    // A real push after it is delivered alone: the ping was not queued.
    const push = giteeRequest({ ...body, hook_id: 79 }, secret);
    await server.post('/webhooks/gitee', push.body, push.headers);
    await waitFor(() => robot.messagesFor('team-a').length >= 1);
    expect(robot.messagesFor('team-a')).toHaveLength(1);
  });

  it('logs the reason for a 401 and never the secret', async () => {
    const request = giteeRequest(body, 'wrong-secret-value');
    await server.post('/webhooks/gitee', request.body, request.headers);
    const text = server.logger.text();
    expect(text).toMatch(/HM_ERR_SRC_SIGNATURE/);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('wrong-secret-value');
  });
});

describe('a Gitee source without a secret', () => {
  it('runs only when the config says `secret: none`, and warns at start-up', async () => {
    const server = await startTestHookmux(`
storage: { type: memory }
sources:
  gitee: { secret: none }
sinks:
  log: { type: console, stream: stderr }
routes: []
`);
    try {
      expect(server.logger.lines.some((l) => l.level === 'warn' && l.msg.includes('sources.gitee'))).toBe(
        true,
      );
      const unsigned = { ...buildPushBody({ hookId: 5 }) };
      const answer = await server.post('/webhooks/gitee', JSON.stringify(unsigned), {
        'content-type': 'application/json',
        'x-gitee-event': 'Push Hook',
      });
      expect(answer.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
