import { createHmac } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { HookmuxError, MemoryLogger, type InboundRequest } from '@hookmux/core';

import { deriveFeishuEventId } from './derive-feishu-event-id.js';
import { FeishuSource } from './feishu-source.js';
import { normalizeFeishuMessage } from './normalize-feishu-message.js';
import { toFeishuReply } from './to-feishu-reply.js';
import { signFeishuTimestamp } from './verify-feishu-signature.js';

const secret = 'unit-secret-value';
const now = 1_700_000_000_000;
const settings = { robots: { signed: { secret }, open: {}, kw: { keywords: ['发布'] } } };

function request(token: string | undefined, body: unknown): InboundRequest {
  return {
    method: 'POST',
    path: '/',
    headers: {},
    query: {},
    params: token === undefined ? {} : { token },
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    ip: '127.0.0.1',
    receivedAt: now,
  };
}

function receive(token: string | undefined, body: unknown, skipVerification = false) {
  return new FeishuSource().receive(request(token, body), {
    settings,
    logger: new MemoryLogger(),
    now: () => now,
    ...(skipVerification ? { skipVerification } : {}),
  });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return HookmuxError.is(error) ? error.code : 'not a HookmuxError';
  }
  return undefined;
}

describe('signFeishuTimestamp', () => {
  it.each([
    ['mysecret', '1700000000', 'Jp33/xXhCipDEpjyHvEyc7mRSyXWHbNz6J8+C3qQKNo='],
    ['demo', '1599360473', 'l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8='],
  ])('should match the spec vector for %s', (key, ts, expected) => {
    expect(signFeishuTimestamp(ts, key)).toBe(expected);
  });
});

describe('FeishuSource.receive', () => {
  const text = { msg_type: 'text', content: { text: '发布 v1 <at user_id="all">所有人</at>' } };
  const ts = String(now / 1000);

  it('should accept a signed message with the timestamp as a string or a number', () => {
    for (const timestamp of [ts, Number(ts)]) {
      const event = receive('signed', { ...text, timestamp, sign: signFeishuTimestamp(ts, secret) });
      expect(event).toMatchObject({
        name: 'feishu.message.text',
        type: 'message',
        action: 'text',
        robot: 'signed',
      });
      expect(event.payload).not.toHaveProperty('sign');
      expect(event.data).toMatchObject({ mentions: { all: true, people: [] } });
    }
  });

  it('should refuse a sign made the DingTalk way (key and message swapped)', () => {
    const dingtalkWay = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    expect(codeOf(() => receive('signed', { ...text, timestamp: ts, sign: dingtalkWay }))).toBe(
      'HM_ERR_SRC_SIGNATURE',
    );
  });

  it('should refuse milliseconds and stale timestamps', () => {
    const ms = String(now);
    expect(
      codeOf(() => receive('signed', { ...text, timestamp: ms, sign: signFeishuTimestamp(ms, secret) })),
    ).toBe('HM_ERR_SRC_STALE_TIMESTAMP');
    const old = String(now / 1000 - 3601);
    expect(
      codeOf(() => receive('signed', { ...text, timestamp: old, sign: signFeishuTimestamp(old, secret) })),
    ).toBe('HM_ERR_SRC_STALE_TIMESTAMP');
  });

  it('should give the same id to a re-signed retry and a different one to another robot', () => {
    const a = receive('signed', { ...text, timestamp: ts, sign: signFeishuTimestamp(ts, secret) });
    const later = String(now / 1000 - 30);
    const b = receive('signed', { timestamp: later, sign: signFeishuTimestamp(later, secret), ...text });
    expect(b.id).toBe(a.id);
    expect(receive('open', text).id).not.toBe(a.id);
    expect(a.id).not.toContain('signed');
  });

  it('should check keywords against text, not links', () => {
    const link = {
      msg_type: 'post',
      content: { post: { zh_cn: { content: [[{ tag: 'a', text: 'x', href: 'https://a/发布' }]] } } },
    };
    expect(codeOf(() => receive('kw', link))).toBe('HM_ERR_SRC_KEYWORD');
    expect(codeOf(() => receive('kw', text))).toBeUndefined();
  });

  it('should use the first robot in a dry run without a token, and skip checks', () => {
    expect(receive(undefined, text, true).robot).toBe('signed');
  });

  it.each([
    ['an unknown token', 'nope', text, 'HM_ERR_SRC_UNKNOWN_ROBOT'],
    ['bad JSON', 'open', '{', 'HM_ERR_HTTP_BAD_JSON'],
    ['an array', 'open', '[]', 'HM_ERR_SRC_MALFORMED'],
    [
      'over 20 KB',
      'open',
      { msg_type: 'text', content: { text: 'x'.repeat(20_500) } },
      'HM_ERR_HTTP_BODY_TOO_LARGE',
    ],
    ['an unknown msg_type', 'open', { msg_type: 'file' }, 'HM_ERR_SRC_UNSUPPORTED_MESSAGE'],
    ['a card without a card', 'open', { msg_type: 'interactive', content: {} }, 'HM_ERR_SRC_MALFORMED'],
  ])('should refuse %s', (_name, token, body, code) => {
    expect(codeOf(() => receive(token, body))).toBe(code);
  });
});

describe('normalizeFeishuMessage', () => {
  it('should read a post in any locale, and prefer zh_cn', () => {
    const post = (locales: Record<string, unknown>) =>
      normalizeFeishuMessage({ msg_type: 'post', content: { post: locales } }, 't');
    const en = {
      title: 'Hello',
      content: [
        [
          { tag: 'text', text: 'hi ' },
          { tag: 'at', user_id: 'ou_1', user_name: 'Ann' },
        ],
      ],
    };
    expect(post({ en_us: en })).toMatchObject({
      title: 'Hello',
      // The mention is text here (the template mentions through `paragraphs`): `@` carries the escape mark.
      markdown: '**Hello**\nhi @\u200BAnn',
      mentions: { people: [{ login: 'ou_1', name: 'Ann' }] },
    });
    expect(post({ en_us: en, zh_cn: { title: '你好', content: [] } }).title).toBe('你好');
  });

  it('should read a v1 card with lark_md, colours, notes, columns and action buttons', () => {
    const data = normalizeFeishuMessage(
      {
        msg_type: 'interactive',
        card: JSON.stringify({
          header: { title: { tag: 'plain_text', content: '告警' } },
          elements: [
            {
              tag: 'div',
              text: { tag: 'lark_md', content: "<font color='red'>CPU 95%</font> <at id=ou_2></at>" },
            },
            { tag: 'column_set', columns: [{ elements: [{ tag: 'markdown', content: '**主机** a' }] }] },
            { tag: 'note', elements: [{ tag: 'plain_text', content: '来自监控' }] },
            {
              tag: 'action',
              actions: [
                { tag: 'button', text: { tag: 'plain_text', content: '处理' }, url: 'https://ops.example/1' },
              ],
            },
          ],
        }),
      },
      't',
    );
    expect(data.markdown).toBe(
      '**告警**\n<font color="warning">CPU 95%</font> @\u200Bou_2\n**主机** a\n来自监控\n[处理](https://ops.example/1)',
    );
    expect(data.text).toBe('告警\nCPU 95% @ou_2\n主机 a\n来自监控\n处理: https://ops.example/1');
    expect(data.buttons).toEqual([{ title: '处理', url: 'https://ops.example/1' }]);
    expect(data.mentions).toEqual({ all: false, people: [{ login: 'ou_2' }] });
  });

  it('should accept share_open_chat_id as go-lark sends it', () => {
    expect(
      normalizeFeishuMessage({ msg_type: 'share_chat', content: { share_open_chat_id: 'oc_1' } }, 't')
        .shareChatId,
    ).toBe('oc_1');
  });

  it('should list bare URLs of text messages as links', () => {
    expect(
      normalizeFeishuMessage(
        { msg_type: 'text', content: { text: '构建失败 https://ci.example/9，请看' } },
        't',
      ).links,
    ).toEqual([{ title: 'https://ci.example/9', url: 'https://ci.example/9' }]);
  });
});

describe('toFeishuReply', () => {
  it.each([
    ['HM_ERR_HTTP_FORBIDDEN_IP', 200, 19022],
    ['HM_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 200, 9499],
    ['HM_ERR_SRC_STALE_TIMESTAMP', 200, 19021],
  ] as const)('should answer %s with HTTP %i and code %i', (code, status, feishuCode) => {
    expect(toFeishuReply(new HookmuxError(code))).toMatchObject({ status, body: { code: feishuCode } });
  });

  it('should keep a 5xx status for hookmux failures, so clients retry', () => {
    expect(toFeishuReply(new HookmuxError('HM_ERR_HTTP_UNAVAILABLE'))).toMatchObject({
      status: 503,
      body: { code: 503 },
    });
  });
});

describe('deriveFeishuEventId', () => {
  const body = { msg_type: 'text', content: { text: 'build failed' } };
  const at = 1_700_000_000_000;

  it('gives a retry of the same request the same id, re-serialised or not', () => {
    expect(deriveFeishuEventId('tok', { ...body, timestamp: '1700000000', sign: 'a' }, at)).toBe(
      deriveFeishuEventId(
        'tok',
        { timestamp: '1700000000', content: { text: 'build failed' }, msg_type: 'text', sign: 'a' },
        at + 5000,
      ),
    );
    expect(deriveFeishuEventId('tok', body, at)).toBe(deriveFeishuEventId('tok', body, at + 1000));
  });

  it('gives a re-signed retry the same id, and a repeat of the same text an hour later a new one', () => {
    expect(deriveFeishuEventId('tok', { ...body, timestamp: '1700000000', sign: 'a' }, at)).toBe(
      deriveFeishuEventId('tok', { ...body, timestamp: '1700000005', sign: 'b' }, at + 5000),
    );
    expect(deriveFeishuEventId('tok', body, at)).not.toBe(
      deriveFeishuEventId('tok', body, at + 60 * 60 * 1000),
    );
  });

  it('depends on the robot token without showing it', () => {
    const id = deriveFeishuEventId('secret-token-value', body, at);
    expect(id).not.toBe(deriveFeishuEventId('other-token', body, at));
    expect(id).not.toContain('secret-token-value');
  });
});
