import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeDingTalkRobot } from '../fake-robots/fake-dingtalk-robot.js';
import { FakeFeishuRobot } from '../fake-robots/fake-feishu-robot.js';
import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'fan-out-secret';

describe('one Gitee event to a WeCom, a DingTalk and a Feishu group at once', () => {
  const wecom = new FakeWeComRobot({ keys: ['wecom-key'] });
  const dingtalk = new FakeDingTalkRobot({ tokens: { 'dt-token': { secret: 'SEC-dingtalk-signing' } } });
  const feishu = new FakeFeishuRobot({ bots: { 'fs-token': { secret: 'feishu-signing-secret' } } });
  let server: TestHookmux;

  beforeAll(async () => {
    await Promise.all([wecom.start(), dingtalk.start(), feishu.start()]);
    server = await startTestHookmux(`
storage: { type: sqlite, path: ./outbox.db }
sources:
  gitee: { secret: ${secret} }
sinks:
  wecom-group: { type: wecom, webhook: "${wecom.url('wecom-key')}", format: markdown }
  dingtalk-group: { type: dingtalk, webhook: "${dingtalk.url('dt-token')}", secret: SEC-dingtalk-signing, format: markdown }
  feishu-group: { type: feishu, webhook: "${feishu.url('fs-token')}", secret: feishu-signing-secret, format: post }
routes:
  - name: everywhere
    when: { source: gitee, event: push }
    to: [wecom-group, dingtalk-group, feishu-group]
`);
  });
  afterAll(async () => {
    await server.close();
    await Promise.all([wecom.stop(), dingtalk.stop(), feishu.stop()]);
  });

  it('delivers all three, each in its own format, signed where the robot wants it', async () => {
    const body = buildPushBody({
      repo: 'acme/widget',
      branch: 'main',
      commits: [{ message: 'feat: 三个群同时收到 🎯' }],
    });
    const request = giteeRequest(body, secret);
    const answer = await server.post('/webhooks/gitee', request.body, request.headers);
    expect(answer.json).toMatchObject({ ok: true, deliveries: 3 });

    await waitFor(
      () => wecom.messages.length + dingtalk.messages.length + feishu.messages.length === 3,
      10_000,
      'three robots',
    );
    const [w] = wecom.messagesFor('wecom-key');
    expect(w?.msgtype).toBe('markdown');
    expect(JSON.stringify(w?.body)).toContain('feat: 三个群同时收到 🎯');

    const [d] = dingtalk.messagesFor('dt-token');
    expect(d?.body['msgtype']).toBe('markdown');
    const markdown = d?.body['markdown'] as { title?: string; text?: string };
    expect(markdown.title).toBeTruthy();
    expect(markdown.text).toContain('feat: 三个群同时收到 🎯');
    expect(markdown.text).not.toContain('<font');

    const [f] = feishu.messagesFor('fs-token');
    expect(f?.body['msg_type']).toBe('post');
    expect(typeof f?.body['sign']).toBe('string');
    expect(JSON.stringify(f?.body['content'])).toContain('feat: 三个群同时收到 🎯');

    // Each robot answered success: the fakes check signatures, so a wrong one would show here.
    expect(dingtalk.answers.map((a) => a.errcode)).toEqual([0]);
    expect(feishu.answers.map((a) => a.code)).toEqual([0]);
  });
});
