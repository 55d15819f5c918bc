import { describe, expect, it } from '@jest/globals';

import { HookmuxError, MemoryLogger, type InboundRequest, type SourceContext } from '@hookmux/core';

import { toDingTalkAnswer } from './answer-dingtalk-error.js';
import { DingTalkSource } from './dingtalk-source.js';
import { unwrapDingTalkLink } from './read-dingtalk-message.js';
import { signDingTalkTimestamp, verifyDingTalkSignature } from './verify-dingtalk-signature.js';

const now = 1_700_000_000_000;
const secret = 'SECunit0123456789abcdef';
const settings = {
  robots: { signed: { secret }, keyed: { keywords: ['告警'] }, open: {} },
};
const context: SourceContext = { settings, logger: new MemoryLogger(), now: () => now };

function request(body: unknown, query: Record<string, string | undefined>): InboundRequest {
  return {
    method: 'POST',
    path: '/dingtalk/robot/send',
    headers: { 'content-type': 'application/json' },
    query,
    params: {},
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    ip: '127.0.0.1',
    receivedAt: now,
  };
}

function answerFor(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (HookmuxError.is(error)) return toDingTalkAnswer(error);
    throw error;
  }
  return { errcode: 0 };
}

describe('DingTalk signing', () => {
  it('matches the vectors in robots SOURCES.md', () => {
    expect(signDingTalkTimestamp('1700000000000', 'this is secret')).toBe(
      'sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=',
    );
    expect(signDingTalkTimestamp('1700000000000', 'SEC0123456789abcdef')).toBe(
      'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=',
    );
  });

  it('accepts a sign whose unencoded + became a space, and refuses stale or seconds timestamps', () => {
    // The first millisecond whose signature has a `+` in it.
    let offset = 0;
    while (!signDingTalkTimestamp(String(now + offset), secret).includes('+')) offset++;
    const ts = String(now + offset);
    const sign = signDingTalkTimestamp(ts, secret);
    expect(() =>
      verifyDingTalkSignature({ timestamp: ts, sign: sign.replace(/\+/g, ' ') }, { secret, now }),
    ).not.toThrow();
    const stale = String(now - 3_600_001);
    expect(() =>
      verifyDingTalkSignature(
        { timestamp: stale, sign: signDingTalkTimestamp(stale, secret) },
        { secret, now },
      ),
    ).toThrow(expect.objectContaining({ code: 'HM_ERR_SRC_STALE_TIMESTAMP' }));
    const seconds = String(now / 1000);
    expect(() =>
      verifyDingTalkSignature(
        { timestamp: seconds, sign: signDingTalkTimestamp(seconds, secret) },
        { secret, now },
      ),
    ).toThrow(expect.objectContaining({ code: 'HM_ERR_SRC_STALE_TIMESTAMP' }));
    expect(() => verifyDingTalkSignature({ timestamp: ts, sign: `${sign}x` }, { secret, now })).toThrow(
      expect.objectContaining({ code: 'HM_ERR_SRC_SIGNATURE' }),
    );
  });
});

describe('DingTalkSource.receive', () => {
  const source = new DingTalkSource();

  it('reads the spelling variants real clients send', () => {
    const wrapped = `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent('https://ci.example/a?b=1&c=2')}&pc_slide=false`;
    const feed = source.receive(
      request(
        {
          msgtype: 'feedCard',
          feedCard: { links: [{ title: '一', messageUrl: wrapped, picUrl: 'https://img.example/1.png' }] },
        },
        { access_token: 'open' },
      ),
      context,
    );
    expect(feed.data['links']).toEqual([
      { title: '一', url: 'https://ci.example/a?b=1&c=2', picUrl: 'https://img.example/1.png' },
    ]);
    expect(feed.url).toBe('https://ci.example/a?b=1&c=2');

    const card = source.receive(
      request(
        {
          msgtype: 'actionCard',
          actionCard: {
            title: '发布',
            text: '发布 v1',
            btnOrientation: 1,
            hideAvatar: '0',
            btns: [{ title: '查看', actionUrl: 'https://ci.example/r' }],
          },
        },
        { access_token: 'open' },
      ),
      context,
    );
    expect(card).toMatchObject({
      name: 'dingtalk.message.actionCard',
      type: 'message',
      action: 'actionCard',
      robot: 'open',
    });
    expect(card.data['buttons']).toEqual([{ title: '查看', url: 'https://ci.example/r' }]);
  });

  it('builds the neutral data: headline, content without mention anchors, mentions', () => {
    const event = source.receive(
      request(
        {
          msgtype: 'markdown',
          markdown: { title: '构建', text: '### 失败 @dt-zhang\n![图](https://img.example/x.png) *注意*' },
          at: { atUserIds: ['dt-zhang'], atMobiles: [13800000000], isAtAll: 'true' },
        },
        { access_token: 'open' },
      ),
      context,
    );
    expect(event.data).toMatchObject({
      msgtype: 'markdown',
      title: '构建',
      headline: '构建',
      content: '### 失败\n[图](https://img.example/x.png) 注意',
      mentions: { all: true, people: [{ login: 'dt-zhang' }, { mobile: '13800000000' }] },
      robot: 'open',
    });
    expect(event.summary).toBe('构建');
    expect(event.payload).toMatchObject({ msgtype: 'markdown' });
  });

  it.each([
    ['no access_token', {}, { msgtype: 'text', text: { content: 'x' } }, 40035, '缺少参数 access_token'],
    [
      'unknown token',
      { access_token: 'nope' },
      { msgtype: 'text', text: { content: 'x' } },
      300005,
      'token is not exist',
    ],
    [
      'unsigned to a signed robot',
      { access_token: 'signed' },
      { msgtype: 'text', text: { content: 'x' } },
      310000,
      'invalid timestamp',
    ],
    [
      'bad sign',
      { access_token: 'signed', timestamp: String(now), sign: 'AAAA' },
      { msgtype: 'text', text: { content: 'x' } },
      310000,
      'sign not match',
    ],
    [
      'no keyword',
      { access_token: 'keyed' },
      { msgtype: 'text', text: { content: 'x' } },
      310000,
      'keywords not in content',
    ],
    [
      'keyword only in a URL',
      { access_token: 'keyed' },
      { msgtype: 'link', link: { title: 't', text: 'x', messageUrl: 'https://告警.example' } },
      310000,
      'keywords',
    ],
    ['bad json', { access_token: 'open' }, '{', 40035, '缺少参数 json'],
    [
      'unknown msgtype',
      { access_token: 'open' },
      { msgtype: 'image', image: {} },
      400105,
      '不支持的消息类型',
    ],
    [
      'link without messageUrl',
      { access_token: 'open' },
      { msgtype: 'link', link: { title: 't', text: 'x' } },
      400402,
      '错误描述:参数 link --》 messageUrl',
    ],
  ] as const)('%s → %i', (_name, query, body, errcode, prefix) => {
    const answer = answerFor(() => source.receive(request(body, query), context)) as {
      errcode: number;
      errmsg: string;
    };
    expect(answer.errcode).toBe(errcode);
    expect(answer.errmsg.startsWith(prefix)).toBe(true);
  });

  it('accepts a keyword in the title and a correct signature', () => {
    const ts = String(now - 60_000);
    const sign = signDingTalkTimestamp(ts, secret);
    expect(
      answerFor(() =>
        source.receive(
          request({ msgtype: 'markdown', markdown: { title: '告警', text: 'x' } }, { access_token: 'keyed' }),
          context,
        ),
      ),
    ).toEqual({ errcode: 0 });
    expect(
      answerFor(() =>
        source.receive(
          request(
            { msgtype: 'text', text: { content: 'x' } },
            { access_token: 'signed', timestamp: ts, sign },
          ),
          context,
        ),
      ),
    ).toEqual({ errcode: 0 });
  });

  it('answers HTTP 200 for refusals but keeps a 5xx when the event was not queued', () => {
    expect(source.replyError(new HookmuxError('HM_ERR_SRC_SIGNATURE'))).toEqual({
      status: 200,
      body: { errcode: 310000, errmsg: 'sign not match' },
    });
    expect(
      source.replyError(
        new HookmuxError('HM_ERR_HTTP_FORBIDDEN_IP', 'client address 10.0.0.9 is not allowed'),
      ),
    ).toEqual({
      status: 200,
      body: { errcode: 310000, errmsg: 'ip 10.0.0.9 not in whitelist' },
    });
    expect(source.replyError(new HookmuxError('HM_ERR_HTTP_BODY_TOO_LARGE')).body).toEqual({
      errcode: 460101,
      errmsg: 'message too long',
    });
    expect(source.replyError(new HookmuxError('HM_ERR_HTTP_UNAVAILABLE'))).toEqual({
      status: 503,
      body: { errcode: -1, errmsg: '系统繁忙' },
    });
  });

  it('unwraps only dingtalk:// page links', () => {
    expect(unwrapDingTalkLink('https://x.example/?url=y')).toBe('https://x.example/?url=y');
    expect(
      unwrapDingTalkLink('dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fa.example%2F&pc_slide=false'),
    ).toBe('https://a.example/');
  });
});
