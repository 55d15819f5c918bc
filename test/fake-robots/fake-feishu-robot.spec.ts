import { createHmac } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { FakeFeishuRobot } from './fake-feishu-robot.js';

const secret = 'fake-spec-secret';

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

function signed(body: Record<string, unknown>, key = secret, at = Date.now()): Record<string, unknown> {
  const timestamp = String(Math.floor(at / 1000));
  return {
    ...body,
    timestamp,
    sign: createHmac('sha256', `${timestamp}\n${key}`).update('').digest('base64'),
  };
}

describe('FakeFeishuRobot', () => {
  let fake: FakeFeishuRobot;
  const text = { msg_type: 'text', content: { text: '发布 ok' } };

  beforeEach(async () => {
    fake = await new FakeFeishuRobot({
      bots: { open: {}, signed: { secret }, kw: { keywords: ['发布'] } },
    }).start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('should answer like Feishu and record accepted messages', async () => {
    expect(await post(fake.url('open'), text)).toEqual({
      status: 200,
      json: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' },
    });
    expect(fake.messagesFor('open').map((m) => m.msgType)).toEqual(['text']);
  });

  it.each([
    ['an unknown token', 'nope', text, 19001],
    ['bad JSON', 'open', '{', 9499],
    ['over 20 KB', 'open', { msg_type: 'text', content: { text: 'x'.repeat(20 * 1024) } }, 9499],
    ['an unknown msg_type', 'open', { msg_type: 'audio' }, 19002],
    [
      'a post paragraph that is not a list',
      'open',
      { msg_type: 'post', content: { post: { zh_cn: { content: [{}] } } } },
      9499,
    ],
    ['a card in content', 'open', { msg_type: 'interactive', content: { elements: [] } }, 9499],
    ['an unsigned message to a signing bot', 'signed', text, 19021],
    ['the wrong secret', 'signed', signed(text, 'other'), 19021],
    ['a stale signature', 'signed', signed(text, secret, Date.now() - 3700_000), 19021],
    [
      'a keyword only in a link',
      'kw',
      {
        msg_type: 'post',
        content: { post: { zh_cn: { content: [[{ tag: 'a', text: 'x', href: 'https://a/发布' }]] } } },
      },
      19024,
    ],
  ])('should refuse %s', async (_name, token, body, code) => {
    const answer = await post(fake.url(token), body);
    expect(answer).toMatchObject({ status: 200, json: { code } });
    expect(fake.messages).toEqual([]);
  });

  it('should accept a correctly signed message', async () => {
    expect(await post(fake.url('signed'), signed(text))).toMatchObject({ json: { code: 0 } });
  });

  it('should hold every window at once, per token, and answer 11232 past one', async () => {
    // Long windows stand in for Feishu's 100/min and 5/s, so that the test does not race the clock.
    fake.setRateLimits([
      { count: 100, windowMs: 600_000 },
      { count: 5, windowMs: 600_000 },
    ]);
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(((await post(fake.url('open'), text)).json as { code: number }).code);
    expect(codes).toEqual([0, 0, 0, 0, 0, 11232]);
    expect((await post(fake.url('kw'), text)).json).toMatchObject({ code: 0 });
  });

  it('should play scripts: a code, an HTTP status, a hang-up', async () => {
    fake.script({ code: 19022, msg: 'Ip Not Allowed' });
    fake.script({ httpStatus: 502 });
    fake.script({ hangUp: true });
    expect((await post(fake.url('open'), text)).json).toMatchObject({ code: 19022, msg: 'Ip Not Allowed' });
    expect((await fetch(fake.url('open'), { method: 'POST', body: '{}' })).status).toBe(502);
    await expect(post(fake.url('open'), text)).rejects.toThrow();
    expect(fake.messages).toEqual([]);
  });
});
