import { describe, expect, it } from '@jest/globals';

import { MemoryLogger, noMentions, type Message, type SinkTarget } from '@hookmux/core';

import { FakeWeComRobot } from '../../../test/fake-robots/fake-wecom-robot.js';
import {
  buildContractMessage,
  describeSinkContract,
  findClosedUrl,
  type SinkContractCase,
} from '../../../test/helpers/sink-contract.js';
import { WeComSink } from './wecom-sink.js';

// Shaped like a real key (a UUID), so that a leak would be as findable as a real one.
const key = '6f1c2a4e-93d1-4b7a-8c55-0e2b9d7f1a3c';

const textMessage = buildContractMessage({
  format: 'txt',
  text: 'zhangsan 推送了 2 个提交',
  mentions: { userIds: ['ZhangSan'], mobiles: ['13800000000'], all: false },
});
const cardMessage = buildContractMessage({
  fields: {
    title: '合并请求已合并',
    description: '!42 修复登录',
    url: 'https://gitee.example/acme/widgets/pulls/42',
  },
});

const formatCases: SinkContractCase<FakeWeComRobot>[] = (
  ['text', 'markdown', 'markdown_v2', 'news', 'template_card'] as const
).map((format) => ({
  name: `${format}: accepted (errcode 0)`,
  arrange: () => ({ format }),
  ...(format === 'text'
    ? { message: textMessage }
    : format === 'template_card'
      ? { message: cardMessage }
      : {}),
  expected: { ok: true },
  verify: (fake) => expect(fake.messages.map((m) => m.msgtype)).toEqual([format]),
}));

const failureCases: SinkContractCase<FakeWeComRobot>[] = [
  {
    name: '45009 api freq out of limit: throttled, wait a minute',
    arrange: (fake) => fake.setRateLimit({ count: 0, windowMs: 60_000 }),
    expected: { ok: false, kind: 'throttled', code: 45009 },
    verify: (_fake, result) => expect(result).toMatchObject({ retryAfterMs: 60_000 }),
  },
  {
    name: '-1 system busy: retryable',
    arrange: (fake) => fake.script({ errcode: -1, errmsg: 'system busy' }),
    expected: { ok: false, kind: 'retryable', code: -1 },
  },
  {
    name: '93000 invalid webhook url (key removed): permanent, errmsg in detail',
    arrange: (fake) => fake.removeKey(key),
    expected: { ok: false, kind: 'permanent', code: 93000 },
    verify: (_fake, result) => expect(result.ok ? '' : result.detail).toMatch(/93000.*invalid webhook url/),
  },
  {
    name: '40008 invalid message type: permanent',
    arrange: (fake) => fake.script({ errcode: 40008, errmsg: 'invalid message type' }),
    expected: { ok: false, kind: 'permanent', code: 40008 },
  },
  {
    name: '44004 empty content (from an empty template): permanent',
    message: buildContractMessage({ text: '' }),
    expected: { ok: false, kind: 'permanent', code: 44004 },
  },
  {
    name: 'an unknown errcode: permanent, said to be unknown',
    arrange: (fake) => fake.script({ errcode: 48002, errmsg: 'api forbidden' }),
    expected: { ok: false, kind: 'permanent', code: 48002 },
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
    arrange: async () => ({ webhook: await findClosedUrl(`/cgi-bin/webhook/send?key=${key}`) }),
    expected: { ok: false, kind: 'retryable', code: 'ECONNREFUSED' },
  },
];

describeSinkContract<FakeWeComRobot>({
  name: 'wecom (webhook)',
  createSink: () => new WeComSink(),
  startFake: () => new FakeWeComRobot({ keys: [key] }).start(),
  stopFake: (fake) => fake.stop(),
  script: (fake, answer) => fake.script(answer),
  target: (fake) => ({ name: 'team-a', type: 'wecom', settings: { type: 'wecom', webhook: fake.url(key) } }),
  secrets: (target) => [key, String(target.settings['webhook'])],
  cases: [...formatCases, ...failureCases],
});

describeSinkContract<FakeWeComRobot>({
  name: 'wecom (key + apiBase)',
  createSink: () => new WeComSink(),
  startFake: () => new FakeWeComRobot({ keys: [key] }).start(),
  stopFake: (fake) => fake.stop(),
  target: (fake) => ({
    name: 'ops',
    type: 'wecom',
    settings: { type: 'wecom', key, apiBase: fake.baseUrl, format: 'text' },
  }),
  secrets: () => [key],
  cases: [
    { name: 'text: accepted', message: textMessage, expected: { ok: true } },
    {
      name: '93000 for a wrong key: permanent',
      arrange: () => ({ key: 'wrong-key-0000' }),
      expected: { ok: false, kind: 'permanent', code: 93000 },
    },
    {
      name: '45009: throttled',
      arrange: (fake) => fake.script({ errcode: 45009, errmsg: 'api freq out of limit' }),
      expected: { ok: false, kind: 'throttled', code: 45009 },
    },
  ],
});

describe('WeComSink against the fake robot', () => {
  const sink = new WeComSink();
  const huge = {
    chinese: '提交信息：修复了登录页在弱网下超时的问题。'.repeat(400),
    emoji: '🚀🔥👨‍👩‍👧‍👦🇨🇳✅'.repeat(600),
    markup: Array.from(
      { length: 300 },
      (_, i) =>
        `> <font color="warning">第${i}条</font> [提交 ${i}](https://gitee.example/acme/widgets/commit/${i}) <@ZhangSan> **加粗${i}** \`code\` 😀`,
    ).join('\n'),
    mixed: Array.from({ length: 2000 }, (_, i) => ['中', '😀', 'a', 'é', '\n', '👍🏽'][i % 6]).join(''),
  };

  it.each(['text', 'markdown', 'markdown_v2', 'news', 'template_card'] as const)(
    'should never be refused for size: huge Chinese and emoji input as %s',
    async (format) => {
      const fake = await new FakeWeComRobot({
        keys: [key],
        rateLimit: { count: 1000, windowMs: 60_000 },
      }).start();
      try {
        const target: SinkTarget = {
          name: 'team-a',
          type: 'wecom',
          settings: { type: 'wecom', webhook: fake.url(key), format },
        };
        for (const [name, text] of Object.entries(huge)) {
          for (const url of [undefined, 'https://gitee.example/acme/widgets/compare/abc...def']) {
            const message: { -readonly [K in keyof Message]: Message[K] } = buildContractMessage({
              text,
              summary: text,
              fields: { title: text, description: text, url: 'https://gitee.example/x' },
            });
            if (url === undefined) delete message.url;
            else message.url = url;
            const result = await sink.send(message, target, {
              logger: new MemoryLogger(),
            });
            expect({ name, result }).toEqual({ name, result: { ok: true, code: 0 } });
          }
        }
        expect(fake.answers.filter((a) => a.errcode !== 0)).toEqual([]);
        expect(fake.messages).toHaveLength(Object.keys(huge).length * 2);
      } finally {
        await fake.stop();
      }
    },
  );

  it('should send mention lists for text and leave them out when mentions are off', async () => {
    const fake = await new FakeWeComRobot({ keys: [key] }).start();
    try {
      const message = buildContractMessage({
        format: 'txt',
        text: '请 @ZhangSan 看一下',
        mentions: { userIds: ['ZhangSan'], mobiles: ['13800000000'], all: true },
      });
      const settings = { type: 'wecom', webhook: fake.url(key), format: 'text' };
      await sink.send(message, { name: 'a', type: 'wecom', settings }, { logger: new MemoryLogger() });
      await sink.send(
        message,
        { name: 'b', type: 'wecom', settings: { ...settings, mentions: false } },
        { logger: new MemoryLogger() },
      );
      expect(fake.messages.map((m) => m.body)).toEqual([
        {
          msgtype: 'text',
          text: {
            content: '请 @ZhangSan 看一下',
            mentioned_list: ['ZhangSan', '@all'],
            mentioned_mobile_list: ['13800000000'],
          },
        },
        { msgtype: 'text', text: { content: '请 @ZhangSan 看一下' } },
      ]);
    } finally {
      await fake.stop();
    }
  });

  it('should answer retryable, not throw, when the caller aborts the send', async () => {
    const fake = await new FakeWeComRobot({ keys: [key] }).start();
    try {
      fake.script({ delayMs: 5_000 });
      const controller = new AbortController();
      const sending = sink.send(
        buildContractMessage({ mentions: noMentions }),
        { name: 'a', type: 'wecom', settings: { type: 'wecom', webhook: fake.url(key) } },
        { logger: new MemoryLogger(), signal: controller.signal },
      );
      controller.abort();
      await expect(sending).resolves.toMatchObject({ ok: false, kind: 'retryable', code: 'aborted' });
    } finally {
      await fake.stop();
    }
  });
});
