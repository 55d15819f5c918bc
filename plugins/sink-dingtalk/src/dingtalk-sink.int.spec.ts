import { describe, expect, it } from '@jest/globals';

import { MemoryLogger } from '@hookmux/core';

import { FakeDingTalkRobot } from '../../../test/fake-robots/fake-dingtalk-robot.js';
import {
  buildContractMessage,
  describeSinkContract,
  findClosedUrl,
  type SinkContractCase,
} from '../../../test/helpers/sink-contract.js';
import { DingTalkSink } from './dingtalk-sink.js';

// Shaped like real credentials (64 hex, SEC…), so that a leak would be as findable as a real one.
const token = '9f2c4e1a7b3d5f6e8a0c2b4d6f8e0a1c3b5d7f9e1a3c5b7d9f1e3a5c7b9d1f3e';
const secret = 'SECa1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6';

const mentionMessage = buildContractMessage({
  text: '**zhangsan** 推送了 2 个提交 <@dt-zhang>',
  mentions: { userIds: ['dt-zhang'], mobiles: ['13800000000'], all: false },
});

const formatCases: SinkContractCase<FakeDingTalkRobot>[] = (
  ['text', 'markdown', 'link', 'actionCard', 'feedCard'] as const
).map((format) => ({
  name: `${format}: accepted (errcode 0), signed`,
  arrange: () => ({ format }),
  expected: { ok: true },
  verify: (fake) => {
    const [message] = fake.messages;
    expect(fake.messages.map((m) => m.msgtype)).toEqual([format]);
    expect(message?.signed).toBe(true);
    expect(JSON.stringify(message?.body)).toContain(
      format === 'feedCard' ? 'acme/widgets: 2 个新提交' : 'acme/widgets',
    );
  },
}));

const failureCases: SinkContractCase<FakeDingTalkRobot>[] = [
  {
    name: 'markdown with mentions: @ids inline and in at.atUserIds / at.atMobiles',
    message: mentionMessage,
    expected: { ok: true },
    verify: (fake) => {
      const body = fake.messages[0]?.body as { markdown: { text: string }; at: Record<string, unknown> };
      expect(body.at).toEqual({ atMobiles: ['13800000000'], atUserIds: ['dt-zhang'] });
      expect(body.markdown.text).toContain('@dt-zhang');
      expect(body.markdown.text).toContain('@13800000000');
      expect(body.markdown.text).not.toContain('<@');
    },
  },
  {
    name: '310000 sign not match (wrong secret): permanent',
    arrange: () => ({ secret: 'SECwrong0000000000000000000000000000000000000000000000000000000000' }),
    expected: { ok: false, kind: 'permanent', code: 310000 },
    verify: (fake, result) => {
      expect(fake.messages).toHaveLength(0);
      expect(result.ok ? '' : result.detail).toMatch(/310000.*sign not match/);
    },
  },
  {
    name: '310000 keywords not in content: permanent',
    arrange: (fake) => fake.addToken(token, { secret, keywords: ['部署'] }),
    expected: { ok: false, kind: 'permanent', code: 310000 },
  },
  {
    name: '130101 send too fast: throttled, wait a minute',
    arrange: (fake) => fake.setRateLimit({ count: 0, windowMs: 60_000 }),
    expected: { ok: false, kind: 'throttled', code: 130101 },
    verify: (_fake, result) => expect(result).toMatchObject({ retryAfterMs: 60_000 }),
  },
  {
    name: '410100 throttled for 10 minutes',
    arrange: (fake) => fake.script({ errcode: 410100, errmsg: '发送速度太快而限流' }),
    expected: { ok: false, kind: 'throttled', code: 410100 },
    verify: (_fake, result) => expect(result).toMatchObject({ retryAfterMs: 600_000 }),
  },
  {
    name: '-1 system busy: retryable',
    arrange: (fake) => fake.script({ errcode: -1, errmsg: '系统繁忙' }),
    expected: { ok: false, kind: 'retryable', code: -1 },
  },
  {
    name: '300005 token is not exist (robot deleted): permanent',
    arrange: (fake) => fake.removeToken(token),
    expected: { ok: false, kind: 'permanent', code: 300005 },
  },
  ...[300001, 400101, 400102, 400105, 400106, 400013, 40035, 43004, 430101, 430104].map(
    (errcode): SinkContractCase<FakeDingTalkRobot> => ({
      name: `${errcode}: permanent`,
      arrange: (fake) => fake.script({ errcode, errmsg: `scripted ${errcode}` }),
      expected: { ok: false, kind: 'permanent', code: errcode },
      verify: (_fake, result) => expect(result.ok ? '' : result.detail).not.toMatch(/unknown/),
    }),
  ),
  {
    name: '400402 from an empty title: permanent',
    message: buildContractMessage({ fields: {}, summary: '' }),
    expected: { ok: false, kind: 'permanent', code: 400402 },
  },
  {
    name: 'an unknown errcode: permanent, said to be unknown',
    arrange: (fake) => fake.script({ errcode: 88888, errmsg: 'what' }),
    expected: { ok: false, kind: 'permanent', code: 88888 },
    verify: (_fake, result) => expect(result.ok ? '' : result.detail).toMatch(/unknown/),
  },
  {
    name: 'HTTP 502 from a proxy: retryable',
    arrange: (fake) => fake.script({ httpStatus: 502 }),
    expected: { ok: false, kind: 'retryable', code: 'http_502' },
  },
  {
    name: 'HTTP 200 with a body that is not JSON: retryable',
    arrange: (fake) => fake.script({ httpStatus: 200, body: '<html>maintenance</html>' }),
    expected: { ok: false, kind: 'retryable', code: 'bad_body' },
  },
  {
    name: 'socket hang-up: retryable',
    arrange: (fake) => fake.script({ hangUp: true }),
    expected: { ok: false, kind: 'retryable' },
  },
  {
    name: 'no answer within the timeout setting: retryable',
    arrange: (fake) => {
      fake.script({ delayMs: 5_000 });
      return { timeout: '100ms' };
    },
    expected: { ok: false, kind: 'retryable', code: 'timeout' },
  },
  {
    name: 'connection refused: retryable',
    arrange: async () => ({ webhook: await findClosedUrl(`/robot/send?access_token=${token}`) }),
    expected: { ok: false, kind: 'retryable', code: 'ECONNREFUSED' },
  },
];

describeSinkContract<FakeDingTalkRobot>({
  name: 'dingtalk (webhook + secret)',
  createSink: () => new DingTalkSink(),
  startFake: () => new FakeDingTalkRobot({ tokens: { [token]: { secret } } }).start(),
  stopFake: (fake) => fake.stop(),
  script: (fake, answer) => fake.script(answer),
  target: (fake) => ({
    name: 'dt-team',
    type: 'dingtalk',
    settings: { type: 'dingtalk', webhook: fake.url(token), secret },
  }),
  secrets: (target) => [token, secret, String(target.settings['webhook']), String(target.settings['secret'])],
  cases: [...formatCases, ...failureCases],
});

describeSinkContract<FakeDingTalkRobot>({
  name: 'dingtalk (accessToken + apiBase, keywords)',
  createSink: () => new DingTalkSink(),
  startFake: () => new FakeDingTalkRobot({ tokens: { [token]: { keywords: ['推送'] } } }).start(),
  stopFake: (fake) => fake.stop(),
  target: (fake) => ({
    name: 'dt-ops',
    type: 'dingtalk',
    settings: { type: 'dingtalk', accessToken: token, apiBase: fake.baseUrl, format: 'text' },
  }),
  secrets: () => [token],
  cases: [
    {
      name: 'text with the keyword: accepted, unsigned',
      expected: { ok: true },
      verify: (fake) => {
        expect(fake.messages[0]?.signed).toBe(false);
        expect(fake.messages[0]?.body).toMatchObject({
          msgtype: 'text',
          text: { content: expect.stringContaining('推送了 2 个提交') },
        });
      },
    },
    {
      name: 'a robot with a secret, sent unsigned: 310000, permanent',
      arrange: (fake) => fake.addToken(token, { secret }),
      expected: { ok: false, kind: 'permanent', code: 310000 },
    },
    {
      name: '300005 for a wrong token: permanent',
      arrange: () => ({ accessToken: 'wrong-token-0000' }),
      expected: { ok: false, kind: 'permanent', code: 300005 },
    },
  ],
});

describe('DingTalkSink', () => {
  it('cuts a huge markdown message under the byte cap, and the fake accepts it', async () => {
    const fake = await new FakeDingTalkRobot({ tokens: { [token]: {} } }).start();
    try {
      const sink = new DingTalkSink();
      const text = '提交信息：修复了登录页在弱网下超时的问题。'.repeat(2000);
      const target = {
        name: 'x',
        type: 'dingtalk',
        settings: { type: 'dingtalk', webhook: fake.url(token) },
      };
      const result = await sink.send(buildContractMessage({ text }), target, { logger: new MemoryLogger() });
      expect(result).toMatchObject({ ok: true });
      const sent = (fake.messages[0]?.body as { markdown: { text: string } }).markdown.text;
      expect(Buffer.byteLength(sent, 'utf8')).toBeLessThanOrEqual(20_000);
      expect(sent).toContain('查看全文');
    } finally {
      await fake.stop();
    }
  });
});
