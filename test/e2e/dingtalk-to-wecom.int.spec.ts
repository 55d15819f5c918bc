import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { signDingTalkTimestamp } from '@hookmux/source-dingtalk';

import { FakeWeComRobot, type FakeWeComMessage } from '../fake-robots/fake-wecom-robot.js';
import {
  hasSharedFixtures,
  listSharedFixtures,
  noteSkipped,
  readSharedFixture,
} from '../helpers/shared-fixtures.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

// Our own robot credentials, shaped like DingTalk's (64 hex token, SEC… secret).
const token = 'a3f1c9e27b4d8f06a5e3c1b9d7f2e4a6c8b0d2f4e6a8c0b2d4f6e8a0c2b4d6f8';
const secret = 'SECe2e0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab';
const keywordToken = 'kw-robot-0123456789';
const openToken = 'open-robot-0123456789';

function signedPath(options: { token?: string; ts?: number; secret?: string } = {}): string {
  const ts = String(options.ts ?? Date.now());
  const sign = encodeURIComponent(signDingTalkTimestamp(ts, options.secret ?? secret));
  return `/dingtalk/robot/send?access_token=${options.token ?? token}&timestamp=${ts}&sign=${sign}`;
}

const json = { 'content-type': 'application/json' };

describe('DingTalk-compatible endpoint → WeCom robot, over real HTTP', () => {
  // More messages than WeCom's 20 a minute: both sides lift the limit, as in the Feishu suite.
  const robot = new FakeWeComRobot({
    keys: ['md', 'txt', 'news'],
    rateLimit: { count: 1000, windowMs: 60_000 },
  });
  let server: TestHookmux;

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(`
storage: { type: sqlite, path: ./hookmux.db }
sources:
  dingtalk:
    robots:
      ${token}: { secret: "${secret}" }
      ${keywordToken}: { keywords: [告警, 部署] }
      ${openToken}: {}
sinks:
  md: { type: wecom, webhook: "${robot.url('md')}", format: markdown, rateLimit: 1000/min }
  txt: { type: wecom, webhook: "${robot.url('txt')}", format: text, rateLimit: 1000/min }
  news: { type: wecom, webhook: "${robot.url('news')}", format: news }
people:
  - { dingtalk: dt-zhang, wecom: ZhangSan }
  - { wecom: LiSi, mobile: "15000000001" }
routes:
  - when: { source: dingtalk, robot: ${token}, event: message, action: "!link" }
    to: [md, txt]
  - when: { source: dingtalk, robot: ${token}, event: message.link }
    to: news
  - when: { source: dingtalk, robot: [${keywordToken}, ${openToken}] }
    to: md
`);
  });
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });
  beforeEach(() => robot.reset());

  async function postSigned(body: unknown): Promise<{ status: number; json: unknown }> {
    return server.post(signedPath(), JSON.stringify(body), json);
  }

  function contentOf(message: FakeWeComMessage | undefined): string {
    const body = message?.body ?? {};
    const inner = (body['markdown'] ?? body['text']) as { content?: string } | undefined;
    return inner?.content ?? '';
  }

  describe('every real DingTalk request body (../shared/fixtures/robots/dingtalk-req-*.json)', () => {
    const files = listSharedFixtures('robots', /^dingtalk-req-.*\.json$/);
    if (!hasSharedFixtures() || files.length === 0) {
      noteSkipped('dingtalk-to-wecom fixtures');
      it.skip('needs ../shared', () => undefined);
      return;
    }
    const expectations: Record<string, { sinks: string[]; facts: string[]; absent?: string[] }> = {
      'dingtalk-req-text.json': { sinks: ['md', 'txt'], facts: ['我就是我, 是不一样的烟火'] },
      'dingtalk-req-markdown.json': {
        sinks: ['md', 'txt'],
        facts: ['杭州天气', '9度，西北风1级', '[天气](https://www.dingtalk.com)'],
        absent: ['![screenshot]'],
      },
      'dingtalk-req-link.json': { sinks: ['news'], facts: [] },
      'dingtalk-req-actionCard-single.json': {
        sinks: ['md', 'txt'],
        facts: [
          '**乔布斯 20 年前想打造一间苹果咖啡厅',
          '### 乔布斯 20 年前想打造的苹果咖啡厅',
          '[阅读全文](https://www.dingtalk.com/)',
        ],
      },
      'dingtalk-req-actionCard-multi-btn.json': {
        sinks: ['md', 'txt'],
        facts: ['[内容不错](https://www.dingtalk.com/)', '[不感兴趣](https://www.dingtalk.com/)'],
      },
      'dingtalk-req-feedCard.json': {
        sinks: ['md', 'txt'],
        facts: [
          '[时代的火车向前开](https://www.dingtalk.com/s?__biz=',
          '[时代的火车向前开2](https://www.dingtalk.com/s?',
        ],
      },
    };

    it('covers every fixture', () => {
      expect(files.sort()).toEqual(Object.keys(expectations).sort());
    });

    it.each(files)('%s: accepted with errcode 0 and delivered with its content', async (file) => {
      const raw = readSharedFixture('robots', file);
      const answer = await server.post(signedPath(), raw, json);
      expect(answer).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } });

      const expected = expectations[file] ?? { sinks: [], facts: [] };
      await waitFor(
        () => expected.sinks.every((sink) => robot.messagesFor(sink).length >= 1),
        10_000,
        `${file} at ${expected.sinks.join(', ')}`,
      );
      if (expected.sinks.includes('md')) {
        const markdown = robot.messagesFor('md');
        expect(markdown.map((m) => m.msgtype)).toEqual(['markdown']);
        const content = contentOf(markdown[0]);
        for (const fact of expected.facts) expect(content).toContain(fact);
        for (const gone of expected.absent ?? []) expect(content).not.toContain(gone);
      }
      if (expected.sinks.includes('txt')) {
        const text = contentOf(robot.messagesFor('txt')[0]);
        expect(text).not.toMatch(/\*\*|\]\(/);
      }
      expect(robot.messagesFor('news')).toHaveLength(expected.sinks.includes('news') ? 1 : 0);
    });

    it('a link message reaches a WeCom news robot as one article', async () => {
      const raw = readSharedFixture('robots', 'dingtalk-req-link.json');
      const link = (JSON.parse(raw.toString('utf8')) as { link: Record<string, string> }).link;
      // Another body than the test above, so that de-duplication does not swallow it.
      const body = { msgtype: 'link', link: { ...link, picUrl: 'https://img.example/p.png' } };
      expect((await postSigned(body)).json).toEqual({ errcode: 0, errmsg: 'ok' });
      await waitFor(() => robot.messagesFor('news').length >= 1);
      const news = robot.messagesFor('news')[0]?.body['news'] as { articles: Record<string, string>[] };
      expect(news.articles).toEqual([
        {
          title: '时代的火车向前开',
          description: expect.stringContaining('这个即将发布的新版本') as unknown as string,
          url: link['messageUrl'],
          picurl: 'https://img.example/p.png',
        },
      ]);
      expect(robot.messagesFor('md')).toHaveLength(0);
    });
  });

  it('the text robot gets plain text with the link written out', async () => {
    const body = {
      msgtype: 'markdown',
      markdown: {
        title: '构建失败',
        text: '#### 构建失败\n> 分支 **main**，[查看日志](https://ci.example/42)',
      },
    };
    expect((await postSigned(body)).json).toEqual({ errcode: 0, errmsg: 'ok' });
    await waitFor(() => robot.messagesFor('txt').length >= 1 && robot.messagesFor('md').length >= 1);
    const text = contentOf(robot.messagesFor('txt')[0]);
    expect(text).toContain('构建失败');
    expect(text).toContain('分支 main，查看日志 (https://ci.example/42)');
    // The text starts with the title, so the title is not repeated as a headline.
    expect(contentOf(robot.messagesFor('md')[0]).match(/构建失败/g)).toHaveLength(1);
  });

  it('@all carries over; ids and phones become WeCom mentions only through people', async () => {
    const body = {
      msgtype: 'text',
      text: { content: '发布完成 @dt-zhang @dt-wang @15000000001 @15000000002' },
      at: {
        atUserIds: ['dt-zhang', 'dt-wang'],
        atMobiles: ['15000000001', '15000000002'],
        isAtAll: true,
      },
    };
    expect((await postSigned(body)).json).toEqual({ errcode: 0, errmsg: 'ok' });
    await waitFor(() => robot.messagesFor('md').length >= 1 && robot.messagesFor('txt').length >= 1);

    const markdown = contentOf(robot.messagesFor('md')[0]);
    expect(markdown).toContain('发布完成');
    expect(markdown).toContain('<@ZhangSan>');
    expect(markdown).toContain('<@LiSi>');
    // Unmapped: named, not mentioned (DingTalk ids mean nothing to WeCom).
    expect(markdown).toContain('@dt-wang');
    expect(markdown).not.toContain('<@dt-wang>');
    expect(markdown).not.toContain('<@15000000002>');
    expect(markdown).toContain('@all');

    const text = robot.messagesFor('txt')[0]?.body['text'] as Record<string, unknown>;
    expect(text['mentioned_list']).toEqual(['ZhangSan', 'LiSi', '@all']);
    // The WeCom userids ping through the list; the content never shows them (issue 13).
    expect(text['content']).not.toMatch(/ZhangSan|LiSi/);
    expect(text['mentioned_list']).not.toContain('dt-wang');
    // A phone number is the same in both apps: WeCom text mentions it by mobile (robots.md §5).
    expect(text['mentioned_mobile_list']).toEqual(['15000000002']);
  });

  describe('DingtalkChatbot (the common Python client) wraps every markdown link in dingtalk://', () => {
    // What DingtalkChatbot(webhook, pc_slide=True).send_markdown / send_action_card post: each
    // `(url)` in the text becomes `(dingtalk://dingtalkclient/page/link?url=<quote_plus>&pc_slide=true)`.
    const wrap = (url: string): string =>
      `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url).replace(/%20/g, '+')}&pc_slide=true`;
    const target = 'https://ci.example/build/7?job=api&tab=log';

    it('unwraps the links inside markdown text', async () => {
      const body = {
        msgtype: 'markdown',
        markdown: { title: '构建失败', text: `#### 构建失败\n> [查看日志](${wrap(target)})\n` },
        at: { atMobiles: [], isAtAll: false },
      };
      expect((await postSigned(body)).json).toEqual({ errcode: 0, errmsg: 'ok' });
      await waitFor(() => robot.messagesFor('md').length >= 1 && robot.messagesFor('txt').length >= 1);
      const markdown = contentOf(robot.messagesFor('md')[0]);
      expect(markdown).toContain(`[查看日志](${target})`);
      expect(markdown).not.toContain('dingtalk://');
      expect(contentOf(robot.messagesFor('txt')[0])).toContain(`查看日志 (${target})`);
    });

    it('unwraps the links inside actionCard text and its buttons', async () => {
      const body = {
        msgtype: 'actionCard',
        actionCard: {
          title: '发布审批',
          text: `### 发布审批\n请先看 [变更说明](${wrap('https://ci.example/changes/9')})`,
          btnOrientation: '0',
          btns: [{ title: '批准', actionURL: wrap('https://ci.example/approve/9') }],
        },
      };
      expect((await postSigned(body)).json).toEqual({ errcode: 0, errmsg: 'ok' });
      await waitFor(() => robot.messagesFor('md').length >= 1);
      const markdown = contentOf(robot.messagesFor('md')[0]);
      expect(markdown).toContain('[变更说明](https://ci.example/changes/9)');
      expect(markdown).toContain('[批准](https://ci.example/approve/9)');
      expect(markdown).not.toContain('dingtalk://');
    });

    it('shows mention tags and non-http links a client wrote as text', async () => {
      const body = {
        msgtype: 'markdown',
        markdown: { title: '通知', text: '通知 <@all> <@ZhangSan> [点我](javascript:alert(1))' },
      };
      expect((await postSigned(body)).json).toEqual({ errcode: 0, errmsg: 'ok' });
      await waitFor(() => robot.messagesFor('md').length >= 1 && robot.messagesFor('txt').length >= 1);
      const markdown = contentOf(robot.messagesFor('md')[0]);
      expect(markdown).not.toMatch(/<@all>|<@ZhangSan>|\]\(javascript/);
      expect(markdown.split('\u200B').join('')).toContain('通知 <@all> <@ZhangSan> 点我');
      const text = robot.messagesFor('txt')[0]?.body['text'] as Record<string, unknown>;
      expect(text['mentioned_list']).toBeUndefined();
    });
  });

  it('the same signed request posted twice is delivered once', async () => {
    const body = { msgtype: 'text', text: { content: '重复的请求' } };
    const path = signedPath();
    expect((await server.post(path, JSON.stringify(body), json)).json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await server.post(path, JSON.stringify(body), json)).json).toEqual({ errcode: 0, errmsg: 'ok' });
    await waitFor(() => robot.messagesFor('md').length >= 1);
    // A newly signed message with the same text is a new message.
    await server.post(signedPath({ ts: Date.now() + 1 }), JSON.stringify(body), json);
    await waitFor(() => robot.messagesFor('md').length >= 2);
    expect(robot.messagesFor('md')).toHaveLength(2);
  });

  describe('refusals answer like DingTalk, and nothing is delivered', () => {
    const body = { msgtype: 'text', text: { content: '告警：磁盘已满' } };
    const raw = JSON.stringify(body);
    const cases: [string, () => Promise<{ status: number; json: unknown }>, number, string][] = [
      [
        'wrong signature',
        () => server.post(signedPath({ secret: 'SECwrong' }), raw, json),
        310000,
        'sign not match',
      ],
      [
        'stale timestamp (2 h old)',
        () => server.post(signedPath({ ts: Date.now() - 2 * 3_600_000 }), raw, json),
        310000,
        'invalid timestamp',
      ],
      [
        'no signature at all',
        () => server.post(`/dingtalk/robot/send?access_token=${token}`, raw, json),
        310000,
        'invalid timestamp',
      ],
      [
        'missing keyword',
        () =>
          server.post(
            `/dingtalk/robot/send?access_token=${keywordToken}`,
            JSON.stringify({ msgtype: 'text', text: { content: '磁盘已满' } }),
            json,
          ),
        310000,
        'keywords not in content',
      ],
      [
        'a keyword only inside a link URL (keywords are checked against text, not URLs)',
        () =>
          server.post(
            `/dingtalk/robot/send?access_token=${keywordToken}`,
            JSON.stringify({
              msgtype: 'markdown',
              markdown: {
                title: '磁盘',
                text: '磁盘 [详情](https://ci.example/告警/1) https://ci.example/部署',
              },
            }),
            json,
          ),
        310000,
        'keywords not in content',
      ],
      [
        'access_token given twice, with different values',
        () =>
          server.post(
            `/dingtalk/robot/send?access_token=${openToken}&access_token=${keywordToken}`,
            raw,
            json,
          ),
        300005,
        'token is not exist',
      ],
      [
        'a body nested 100 000 levels deep',
        () =>
          server.post(
            `/dingtalk/robot/send?access_token=${openToken}`,
            `{"msgtype":"text","text":{"content":"x"},"extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
            json,
          ),
        400402,
        '错误描述:参数 json',
      ],
      [
        'unknown token',
        () => server.post('/dingtalk/robot/send?access_token=nope-0000', raw, json),
        300005,
        'token is not exist',
      ],
      [
        'no access_token',
        () => server.post('/dingtalk/robot/send', raw, json),
        40035,
        '缺少参数 access_token',
      ],
      [
        'non-JSON content type',
        () =>
          server.post(`/dingtalk/robot/send?access_token=${openToken}`, raw, {
            'content-type': 'text/plain',
          }),
        43004,
        '无效的HTTP HEADER Content-Type',
      ],
      [
        'bad JSON',
        () => server.post(`/dingtalk/robot/send?access_token=${openToken}`, '{"msgtype":', json),
        40035,
        '缺少参数 json',
      ],
      [
        'unknown msgtype',
        () =>
          server.post(
            `/dingtalk/robot/send?access_token=${openToken}`,
            JSON.stringify({ msgtype: 'image', image: {} }),
            json,
          ),
        400105,
        '不支持的消息类型',
      ],
      [
        'markdown without a title',
        () =>
          server.post(
            `/dingtalk/robot/send?access_token=${openToken}`,
            JSON.stringify({ msgtype: 'markdown', markdown: { text: 'x' } }),
            json,
          ),
        400402,
        '错误描述:参数 markdown --》 title 缺失',
      ],
    ];

    it.each(cases)('%s', async (name, send, errcode, prefix) => {
      const answer = await send();
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ errcode });
      expect(String((answer.json as { errmsg: string }).errmsg).startsWith(prefix)).toBe(true);
      // A message that is accepted afterwards arrives alone: the refused one was never queued.
      const ok = { msgtype: 'text', text: { content: `告警：之后的消息（${name}）` } };
      expect(
        (await server.post(`/dingtalk/robot/send?access_token=${keywordToken}`, JSON.stringify(ok), json))
          .json,
      ).toEqual({
        errcode: 0,
        errmsg: 'ok',
      });
      await waitFor(() => robot.messagesFor('md').length >= 1);
      expect(robot.messagesFor('md')).toHaveLength(1);
      expect(contentOf(robot.messagesFor('md')[0])).toContain('之后的消息');
    });

    it('never logs the access token or the secret', () => {
      const log = server.logger.text();
      expect(log).not.toContain(token);
      expect(log).not.toContain(secret);
    });
  });
});
