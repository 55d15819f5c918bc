import { describe, expect, it } from '@jest/globals';

import { MemoryLogger, type SinkTarget } from '@hookmux/core';

import { FakeFeishuRobot, fakeFeishuMaxBodyBytes } from '../../../test/fake-robots/fake-feishu-robot.js';
import {
  buildContractMessage,
  describeSinkContract,
  findClosedUrl,
  type SinkContractCase,
} from '../../../test/helpers/sink-contract.js';
import { FeishuSink } from './feishu-sink.js';

// Shaped like real ones (a UUID token, a random secret), so that a leak would be as findable.
const token = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const secret = 'kJ8sQw2VnB7xLm4TzR9p';

const textMessage = buildContractMessage({ format: 'txt', text: 'zhangsan 推送了 2 个提交' });
const huge = buildContractMessage({
  text: Array.from(
    { length: 800 },
    (_, i) =>
      `> <font color="warning">第${i}条</font> [提交 ${i}](https://gitee.example/acme/widgets/commit/${i}) 修复😀`,
  ).join('\n'),
});

const formatCases: SinkContractCase<FakeFeishuRobot>[] = (['text', 'post', 'interactive'] as const).map(
  (format) => ({
    name: `${format}: accepted (code 0), signed`,
    arrange: () => ({ format }),
    ...(format === 'text' ? { message: textMessage } : {}),
    expected: { ok: true },
    verify: (fake) => {
      expect(fake.messages.map((m) => m.msgType)).toEqual([format]);
      expect(fake.messages[0]?.body).toMatchObject({
        timestamp: expect.stringMatching(/^\d{10}$/),
        sign: expect.any(String),
      });
    },
  }),
);

const failureCases: SinkContractCase<FakeFeishuRobot>[] = [
  {
    name: '19021 for the wrong secret (checked by the fake): permanent',
    arrange: () => ({ secret: 'not-the-secret-at-all' }),
    expected: { ok: false, kind: 'permanent', code: 19021 },
    verify: (fake, result) => {
      expect(fake.messages).toEqual([]);
      expect(result.ok ? '' : result.detail).toMatch(/sign match fail/);
    },
  },
  {
    name: '19021 when the bot wants a signature and the sink has no secret: permanent',
    arrange: () => ({ secret: undefined }),
    expected: { ok: false, kind: 'permanent', code: 19021 },
  },
  {
    name: '11232 rate limited by the fake: throttled',
    arrange: (fake) => fake.setRateLimits([{ count: 0, windowMs: 60_000 }]),
    expected: { ok: false, kind: 'throttled', code: 11232 },
    verify: (_fake, result) => expect(result).toMatchObject({ retryAfterMs: expect.any(Number) }),
  },
  {
    name: '19001 for a removed bot: permanent, msg in detail',
    arrange: (fake) => fake.removeBot(token),
    expected: { ok: false, kind: 'permanent', code: 19001 },
    verify: (_fake, result) => expect(result.ok ? '' : result.detail).toMatch(/19001.*token invalid/),
  },
  {
    name: '19024 keywords not found: permanent',
    arrange: (fake) => fake.addBot(token, { secret, keywords: ['不会出现的关键词'] }),
    expected: { ok: false, kind: 'permanent', code: 19024 },
  },
  {
    name: '19022 Ip Not Allowed: permanent',
    arrange: (fake) => fake.script({ code: 19022, msg: 'Ip Not Allowed' }),
    expected: { ok: false, kind: 'permanent', code: 19022 },
  },
  {
    name: '19002 msg_type: permanent',
    arrange: (fake) => fake.script({ code: 19002, msg: 'param invalid: msg_type' }),
    expected: { ok: false, kind: 'permanent', code: 19002 },
  },
  {
    name: '9499 Bad Request with HTTP 400: permanent',
    arrange: (fake) => fake.script({ code: 9499, msg: 'Bad Request', httpStatus: 400 }),
    expected: { ok: false, kind: 'permanent', code: 9499 },
  },
  {
    name: 'code 0 with HTTP 500: a failure, retryable',
    arrange: (fake) => fake.script({ code: 0, msg: 'success', httpStatus: 500 }),
    expected: { ok: false, kind: 'retryable', code: 'http_500' },
  },
  {
    name: 'an unknown code: permanent, said to be unknown',
    arrange: (fake) => fake.script({ code: 99991663, msg: 'app ticket invalid' }),
    expected: { ok: false, kind: 'permanent', code: 99991663 },
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
    arrange: async () => ({ webhook: await findClosedUrl(`/open-apis/bot/v2/hook/${token}`) }),
    expected: { ok: false, kind: 'retryable', code: 'ECONNREFUSED' },
  },
];

const sizeCases: SinkContractCase<FakeFeishuRobot>[] = (['text', 'post', 'interactive'] as const).map(
  (format) => ({
    name: `${format}: a message far over 20 KB is cut to fit, never refused`,
    arrange: () => ({ format }),
    message: { ...huge, format: format === 'text' ? 'txt' : 'md' },
    expected: { ok: true },
    verify: (fake) => {
      expect(fake.answers.map((a) => a.code)).toEqual([0]);
      const [sent] = fake.messages;
      expect(sent?.bytes).toBeLessThanOrEqual(fakeFeishuMaxBodyBytes);
      expect(sent?.bytes).toBeGreaterThan(15_000);
      const body = JSON.stringify(sent?.body);
      expect(body).toContain('…');
      expect(body).toContain('https://gitee.example/acme/widgets/compare');
    },
  }),
);

describeSinkContract<FakeFeishuRobot>({
  name: 'feishu (webhook + secret)',
  createSink: () => new FeishuSink(),
  startFake: () => new FakeFeishuRobot({ bots: { [token]: { secret } } }).start(),
  stopFake: (fake) => fake.stop(),
  script: (fake, answer) => fake.script(answer),
  target: (fake) => ({
    name: 'fs',
    type: 'feishu',
    settings: { type: 'feishu', webhook: fake.url(token), secret },
  }),
  secrets: (target) => [token, secret, String(target.settings['webhook'])],
  cases: [...formatCases, ...failureCases, ...sizeCases],
});

describeSinkContract<FakeFeishuRobot>({
  name: 'feishu (token + apiBase, unsigned)',
  createSink: () => new FeishuSink(),
  startFake: () => new FakeFeishuRobot({ bots: { [token]: {} } }).start(),
  stopFake: (fake) => fake.stop(),
  target: (fake) => ({
    name: 'fs',
    type: 'feishu',
    settings: { type: 'feishu', token, apiBase: fake.baseUrl, format: 'text' },
  }),
  secrets: () => [token],
  cases: [
    {
      name: 'text: accepted, no signature fields',
      message: textMessage,
      expected: { ok: true },
      verify: (fake) =>
        expect(Object.keys(fake.messages[0]?.body ?? {}).sort()).toEqual(['content', 'msg_type']),
    },
    {
      name: '19001 for a wrong token: permanent',
      arrange: () => ({ token: 'wrong-token-0000' }),
      expected: { ok: false, kind: 'permanent', code: 19001 },
    },
    {
      name: '11232: throttled',
      arrange: (fake) => fake.script({ code: 11232, msg: 'frequency limited' }),
      expected: { ok: false, kind: 'throttled', code: 11232 },
    },
  ],
});

describe('FeishuSink against the fake bot', () => {
  const sink = new FeishuSink();

  it('should translate WeCom markdown into post paragraphs with links and at tags', async () => {
    const fake = await new FakeFeishuRobot({ bots: { [token]: {} } }).start();
    try {
      const target: SinkTarget = {
        name: 'fs',
        type: 'feishu',
        settings: { type: 'feishu', webhook: fake.url(token) },
      };
      const mention = sink.formatMention('ou_abc', 'md', target);
      const message = buildContractMessage({
        text: `**张三** 推送到 [acme/widgets](https://gitee.example/acme/widgets)\n> <font color="info">main</font> 请 ${mention} 看看 {{x}}\n@all 注意`,
        mentions: { userIds: ['ou_abc'], mobiles: [], all: true },
      });
      expect(await sink.send(message, target, { logger: new MemoryLogger() })).toEqual({ ok: true, code: 0 });
      expect(fake.messages[0]?.body['content']).toEqual({
        post: {
          zh_cn: {
            title: 'acme/widgets: 2 个新提交',
            content: [
              [
                { tag: 'text', text: '张三 推送到 ' },
                { tag: 'a', text: 'acme/widgets', href: 'https://gitee.example/acme/widgets' },
              ],
              [
                { tag: 'text', text: 'main 请 ' },
                { tag: 'at', user_id: 'ou_abc' },
                { tag: 'text', text: ' 看看 {{x}}' },
              ],
              [
                { tag: 'at', user_id: 'all' },
                { tag: 'text', text: ' 注意' },
              ],
            ],
          },
        },
      });
    } finally {
      await fake.stop();
    }
  });

  it('should send a card with the title as header, lark colours, card mentions and buttons', async () => {
    const fake = await new FakeFeishuRobot({ bots: { [token]: {} } }).start();
    try {
      const target: SinkTarget = {
        name: 'fs',
        type: 'feishu',
        settings: { type: 'feishu', webhook: fake.url(token), format: 'interactive', cardColor: 'green' },
      };
      const message = buildContractMessage({
        text: `<font color="warning">失败</font> ${sink.formatMention('ou_abc', 'md', target)}`,
        fields: { title: '构建失败', buttons: [{ title: '查看日志', url: 'https://ci.example/1' }] },
      });
      expect(await sink.send(message, target, { logger: new MemoryLogger() })).toMatchObject({ ok: true });
      expect(fake.messages[0]?.body['card']).toEqual({
        schema: '2.0',
        header: { title: { tag: 'plain_text', content: '构建失败' }, template: 'green' },
        body: {
          elements: [
            { tag: 'markdown', content: "<font color='orange'>失败</font> <at id=ou_abc></at>" },
            {
              tag: 'button',
              text: { tag: 'plain_text', content: '查看日志' },
              type: 'default',
              behaviors: [{ type: 'open_url', default_url: 'https://ci.example/1' }],
            },
          ],
        },
      });
    } finally {
      await fake.stop();
    }
  });
});
