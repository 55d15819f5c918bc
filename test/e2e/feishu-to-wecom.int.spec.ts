import { createHmac } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import {
  hasSharedFixtures,
  listSharedFixtures,
  noteSkipped,
  readSharedFixture,
} from '../helpers/shared-fixtures.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'fs-e2e-secret-do-not-share';
const hookPath = (token: string): string => `/feishu/open-apis/bot/v2/hook/${token}`;
const json = { 'content-type': 'application/json' };
const success = { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' };

function sign(timestamp: string, key: string = secret): string {
  return createHmac('sha256', `${timestamp}\n${key}`).update('').digest('base64');
}

function signed(body: Record<string, unknown>, options: { at?: number; key?: string } = {}): string {
  const timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
  return JSON.stringify({ ...body, timestamp, sign: sign(timestamp, options.key) });
}

function readFixture(file: string): Record<string, unknown> {
  return JSON.parse(readSharedFixture('robots', file).toString('utf8')) as Record<string, unknown>;
}

function contentOf(message: { body: Record<string, unknown>; msgtype: string } | undefined): string {
  const inner = message?.body[message.msgtype] as { content?: string } | undefined;
  return String(inner?.content);
}

describe('Feishu-compatible endpoint → WeCom robot, end to end over real HTTP', () => {
  const robot = new FakeWeComRobot({ keys: ['md', 'txt'], rateLimit: { count: 1000, windowMs: 60_000 } });
  let server: TestHookmux;

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(`
storage: { type: sqlite, path: ./hookmux.db }
sources:
  feishu:
    robots:
      signed-bot: { secret: "${secret}" }
      open-bot: {}
      keyword-bot: { keywords: [发布, deploy] }
sinks:
  md: { type: wecom, webhook: "${robot.url('md')}", format: markdown, rateLimit: 1000/min }
  txt: { type: wecom, webhook: "${robot.url('txt')}", format: text, rateLimit: 1000/min }
people:
  - { feishu: ou_xxx, wecom: TomW, name: Tom }
routes:
  - when: { source: feishu, robot: [signed-bot, open-bot] }
    to: [md, txt]
  - when: { source: feishu, robot: keyword-bot }
    to: md
`);
  });
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });
  beforeEach(() => robot.reset());

  async function deliver(
    token: string,
    body: string,
  ): Promise<{ md: string; txt: string; txtBody: Record<string, unknown> }> {
    const answer = await server.post(hookPath(token), body, json);
    expect(answer).toEqual({ status: 200, json: success });
    await waitFor(
      () => robot.messagesFor('md').length >= 1 && robot.messagesFor('txt').length >= 1,
      10_000,
      'both robots',
    );
    const txt = robot.messagesFor('txt')[0];
    return {
      md: contentOf(robot.messagesFor('md')[0]),
      txt: contentOf(txt),
      txtBody: (txt?.body['text'] ?? {}) as Record<string, unknown>,
    };
  }

  const run = hasSharedFixtures() ? describe : describe.skip;
  if (!hasSharedFixtures()) noteSkipped('feishu-to-wecom fixtures');

  run('every official Feishu request example', () => {
    it('has the request fixtures this suite expects', () => {
      expect(listSharedFixtures('robots', /^feishu-req-/)).toEqual([
        'feishu-req-image.json',
        'feishu-req-interactive-schema2.json',
        'feishu-req-interactive-v1-at.json',
        'feishu-req-post.json',
        'feishu-req-share_chat.json',
        'feishu-req-text-at.json',
        'feishu-req-text-signed.json',
        'feishu-req-text.json',
      ]);
    });

    const expectations: Record<
      string,
      (got: { md: string; txt: string; txtBody: Record<string, unknown> }) => void
    > = {
      'feishu-req-text.json': ({ md, txt }) => {
        expect(md).toBe('新更新提醒');
        expect(txt).toBe('新更新提醒');
      },
      'feishu-req-text-signed.json': ({ md }) => expect(md).toBe('request example'),
      'feishu-req-text-at.json': ({ md, txt, txtBody }) => {
        // Tom is in people: a real WeCom mention, inline where Feishu had it.
        expect(md).toBe('<@TomW> 新更新提醒');
        // In text the id goes to mentioned_list only; the content names the person (issue 13).
        expect(txt).toBe('@Tom 新更新提醒');
        expect(txtBody['mentioned_list']).toEqual(['TomW']);
      },
      'feishu-req-post.json': ({ md, txt, txtBody }) => {
        // The masked name's `**` is text, not bold: it carries invisible escape marks.
        expect(visible(md)).toBe(
          '**项目更新通知**\n项目有更新: [请查看](http://www.example.com/)@ou_18eac8********17ad4f02e8bbbb',
        );
        expect(md).not.toContain('********');
        // The mention after the link is not glued to the URL (issue 13).
        expect(visible(txt)).toContain(
          '项目更新通知\n项目有更新: 请查看 http://www.example.com/ @ou_18eac8********17ad4f02e8bbbb',
        );
        // Not in people: named, never mentioned.
        expect(txtBody['mentioned_list']).toBeUndefined();
      },
      'feishu-req-interactive-schema2.json': ({ md, txt }) => {
        expect(md).toMatch(/^\*\*今日旅游推荐\*\*\n西湖，位于中国浙江省杭州市/);
        expect(md).toContain('[🌞更多景点介绍](https://baike.baidu.com/item/%E8%A5%BF%E6%B9%96/4668821)');
        expect(txt).toContain('🌞更多景点介绍: https://baike.baidu.com/item/%E8%A5%BF%E6%B9%96/4668821');
      },
      'feishu-req-interactive-v1-at.json': ({ md, txtBody }) => {
        expect(md).toBe('at所有人@all\n at指定人@ou_xxxxxx');
        expect(txtBody['mentioned_list']).toEqual(['@all']);
      },
      'feishu-req-image.json': ({ md, txt }) => {
        expect(md).toContain('飞书图片');
        expect(md).toContain('无法显示');
        expect(txt).toContain('无法显示');
      },
      'feishu-req-share_chat.json': ({ md }) => {
        expect(md).toContain('群名片');
        expect(visible(md)).toContain('oc_f5b1a7eb27ae2****339ff');
      },
    };

    for (const file of listSharedFixtures('robots', /^feishu-req-/)) {
      it(`delivers ${file} as a sensible WeCom message`, async () => {
        const fixture = readFixture(file);
        const isSigned = 'sign' in fixture;
        const body = isSigned ? signed(fixture) : JSON.stringify(fixture);
        const got = await deliver(isSigned ? 'signed-bot' : 'open-bot', body);
        const check = expectations[file];
        expect(check).toBeDefined();
        check?.(got);
      });
    }

    it('delivers a client retry of the same message once', async () => {
      const fixture = readFixture('feishu-req-text-signed.json');
      await deliver('signed-bot', signed({ ...fixture, content: { text: 'retry once' } }));
      const again = await server.post(
        hookPath('signed-bot'),
        signed({ ...fixture, content: { text: 'retry once' } }, { at: Date.now() - 5000 }),
        json,
      );
      expect(again).toEqual({ status: 200, json: success });
      await server.post(
        hookPath('open-bot'),
        JSON.stringify({ msg_type: 'text', content: { text: 'a later one' } }),
        json,
      );
      await waitFor(() => robot.messagesFor('md').length >= 2);
      expect(robot.messagesFor('md').map((m) => contentOf(m))).toEqual(['retry once', 'a later one']);
    });
  });

  describe('refuses like Feishu, and delivers nothing', () => {
    const text = { msg_type: 'text', content: { text: '发布 完成' } };
    const errorCases: Array<[string, string, () => string | Buffer, Record<string, string>, unknown]> = [
      [
        'a wrong signature',
        'signed-bot',
        () => signed(text, { key: 'not-the-secret' }),
        json,
        { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
      ],
      [
        'a stale timestamp (2 h old)',
        'signed-bot',
        () => signed(text, { at: Date.now() - 2 * 3600_000 }),
        json,
        { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
      ],
      [
        'no signature at all',
        'signed-bot',
        () => JSON.stringify(text),
        json,
        { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
      ],
      [
        'a missing keyword (one only in a link)',
        'keyword-bot',
        () =>
          JSON.stringify({
            msg_type: 'post',
            content: {
              post: {
                zh_cn: {
                  title: '通知',
                  content: [[{ tag: 'a', text: '链接', href: 'https://x.example/发布' }]],
                },
              },
            },
          }),
        json,
        { code: 19024, msg: 'Key Words Not Found' },
      ],
      [
        'a keyword only inside URLs of the text and a card link',
        'keyword-bot',
        () =>
          JSON.stringify({
            msg_type: 'interactive',
            card: {
              elements: [
                {
                  tag: 'div',
                  text: {
                    tag: 'lark_md',
                    content: '通知 https://x.example/发布 [详情](https://x.example/deploy)',
                  },
                },
              ],
            },
          }),
        json,
        { code: 19024, msg: 'Key Words Not Found' },
      ],
      [
        'a body nested 5 000 levels deep',
        'open-bot',
        () => `{"msg_type":"text","content":{"text":"x"},"extra":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        json,
        { code: 9499, msg: 'Bad Request', data: {} },
      ],
      [
        'an unknown token',
        'no-such-bot',
        () => JSON.stringify(text),
        json,
        { code: 19001, data: {}, msg: 'param invalid: incoming webhook access token invalid' },
      ],
      [
        'bad JSON',
        'open-bot',
        () => '{"msg_type":"text",',
        json,
        { code: 9499, msg: 'Bad Request', data: {} },
      ],
      [
        'a body over 20 KB',
        'open-bot',
        () => JSON.stringify({ msg_type: 'text', content: { text: 'x'.repeat(21 * 1024) } }),
        json,
        { code: 9499, msg: 'Bad Request', data: {} },
      ],
      [
        'a non-JSON content type',
        'open-bot',
        () => 'msg_type=text',
        { 'content-type': 'application/x-www-form-urlencoded' },
        { code: 9499, msg: 'Bad Request', data: {} },
      ],
      [
        'an unknown msg_type',
        'open-bot',
        () => JSON.stringify({ msg_type: 'audio', content: { file_key: 'x' } }),
        json,
        { code: 19002, data: {}, msg: 'param invalid: msg_type' },
      ],
      [
        'a text message without text',
        'open-bot',
        () => JSON.stringify({ msg_type: 'text', content: {} }),
        json,
        { code: 9499, msg: 'Bad Request', data: {} },
      ],
    ];
    for (const [name, token, build, headers, expected] of errorCases) {
      it(`answers ${JSON.stringify(expected)} to ${name}`, async () => {
        const answer = await server.post(hookPath(token), build(), headers);
        expect(answer).toEqual({ status: 200, json: expected });
        // A probe that must arrive: had the bad request been accepted, it would have arrived first.
        await server.post(
          hookPath('keyword-bot'),
          JSON.stringify({ msg_type: 'text', content: { text: `deploy probe ${name}` } }),
          json,
        );
        await waitFor(() => robot.messagesFor('md').length >= 1);
        expect(robot.messagesFor('md').map((m) => contentOf(m))).toEqual([`deploy probe ${name}`]);
      });
    }

    it('accepts the keyword bot when a keyword is in the text', async () => {
      const answer = await server.post(hookPath('keyword-bot'), JSON.stringify(text), json);
      expect(answer).toEqual({ status: 200, json: success });
      await waitFor(() => robot.messagesFor('md').length >= 1);
      expect(contentOf(robot.messagesFor('md')[0])).toBe('发布 完成');
    });

    it('never logs the secret or the signature', async () => {
      const body = signed(text, { key: 'wrong-secret-value' });
      await server.post(hookPath('signed-bot'), body, json);
      const log = server.logger.text();
      expect(log).toMatch(/HM_ERR_SRC_SIGNATURE/);
      expect(log).not.toContain(secret);
      expect(log).not.toContain(String((JSON.parse(body) as { sign: string }).sign));
    });
  });
});

describe('the IP allow-list answers 19022', () => {
  it('refuses a client outside sources.feishu.allow', async () => {
    const server = await startTestHookmux(`
storage: { type: memory }
sources:
  feishu: { robots: { open-bot: {} }, allow: [203.0.113.7] }
sinks:
  log: { type: console }
routes:
  - when: { source: feishu }
    to: log
`);
    try {
      const answer = await server.post(
        hookPath('open-bot'),
        JSON.stringify({ msg_type: 'text', content: { text: 'x' } }),
        json,
      );
      expect(answer).toEqual({ status: 200, json: { code: 19022, msg: 'Ip Not Allowed' } });
    } finally {
      await server.close();
    }
  });
});

/** The text as a person reads it: the invisible escape marks (U+200B) removed. */
function visible(text: string): string {
  return text.split('\u200B').join('');
}
