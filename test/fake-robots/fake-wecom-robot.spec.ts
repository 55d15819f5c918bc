import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot, fakeWeComDefaultKey } from './fake-wecom-robot.js';

interface Answer {
  readonly status: number;
  readonly json: { errcode?: number; errmsg?: string } | undefined;
}

async function post(url: string, body: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

const text = (content: string): unknown => ({ msgtype: 'text', text: { content } });

describe('FakeWeComRobot', () => {
  let robot: FakeWeComRobot;

  beforeEach(async () => {
    robot = await new FakeWeComRobot({ rateLimit: { count: 3, windowMs: 60_000 } }).start();
  });
  afterEach(async () => {
    await robot.stop();
  });

  it('should accept a valid message with HTTP 200 and errcode 0, and record it', async () => {
    const answer = await post(robot.url(), text('你好'));
    expect(answer).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } });
    expect(robot.messages).toHaveLength(1);
    expect(robot.messages[0]).toMatchObject({
      key: fakeWeComDefaultKey,
      msgtype: 'text',
      body: text('你好'),
    });
    expect(robot.answers[0]).toMatchObject({ key: fakeWeComDefaultKey, status: 200, errcode: 0 });
  });

  it('should answer 93000 with HTTP 200 and a WeCom-style suffix for an unknown key', async () => {
    const answer = await post(robot.url('nope'), text('x'));
    expect(answer.status).toBe(200);
    expect(answer.json?.errcode).toBe(93000);
    expect(answer.json?.errmsg).toMatch(
      /^invalid webhook url, hint: \[\d+\], from ip: .+, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=93000$/,
    );
    expect(robot.messages).toHaveLength(0);
  });

  it.each([
    ['an unknown msgtype', { msgtype: 'video', video: {} }, 40008],
    ['a missing msgtype', { text: { content: 'x' } }, 40008],
    ['empty text content', text('   '), 44004],
    ['empty markdown content', { msgtype: 'markdown', markdown: { content: '' } }, 44004],
    ['text over 2048 bytes (683 CJK characters = 2049 bytes)', text('中'.repeat(683)), 40058],
    ['markdown over 4096 bytes', { msgtype: 'markdown', markdown: { content: '😀'.repeat(1025) } }, 40058],
    [
      'markdown_v2 over 4096 bytes',
      { msgtype: 'markdown_v2', markdown_v2: { content: 'a'.repeat(4097) } },
      40058,
    ],
    ['news without articles', { msgtype: 'news', news: { articles: [] } }, 40058],
    [
      'news with 9 articles',
      { msgtype: 'news', news: { articles: Array.from({ length: 9 }, () => ({ title: 't', url: 'u' })) } },
      45008,
    ],
    ['a news article without url', { msgtype: 'news', news: { articles: [{ title: 't' }] } }, 40058],
    [
      'a card without card_action',
      { msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: 't' } } },
      40058,
    ],
    [
      'a card of unknown type',
      { msgtype: 'template_card', template_card: { card_type: 'x', card_action: { type: 1, url: 'u' } } },
      40058,
    ],
    [
      'mentioned_list that is not a list',
      { msgtype: 'text', text: { content: 'x', mentioned_list: 'a' } },
      40058,
    ],
    ['a body that is not JSON', '{"msgtype":', 40058],
  ])('should refuse %s like WeCom does', async (_name, body, errcode) => {
    const answer = await post(robot.url(), body);
    expect(answer.status).toBe(200);
    expect(answer.json?.errcode).toBe(errcode);
    expect(robot.messages).toHaveLength(0);
  });

  it('should count limits in UTF-8 bytes: 682 CJK characters (2046 bytes) fit in text', async () => {
    expect((await post(robot.url(), text('中'.repeat(682)))).json?.errcode).toBe(0);
    expect(
      (await post(robot.url(), { msgtype: 'markdown', markdown: { content: '😀'.repeat(1024) } })).json
        ?.errcode,
    ).toBe(0);
  });

  it('should accept each documented message type in its documented shape', async () => {
    robot.setRateLimit({ count: 20, windowMs: 60_000 });
    const bodies = [
      { msgtype: 'markdown_v2', markdown_v2: { content: '# 标题' } },
      { msgtype: 'news', news: { articles: [{ title: '标题', url: 'https://example.invalid/1' }] } },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'text_notice',
          main_title: { title: 't' },
          card_action: { type: 1, url: 'https://example.invalid' },
        },
      },
      { msgtype: 'image', image: { base64: 'AAAA', md5: 'm' } },
      { msgtype: 'file', file: { media_id: 'm' } },
    ];
    for (const body of bodies) expect((await post(robot.url(), body)).json?.errcode).toBe(0);
    expect(robot.messages.map((m) => m.msgtype)).toEqual([
      'markdown_v2',
      'news',
      'template_card',
      'image',
      'file',
    ]);
  });

  it('should answer 45009 once a key is over its rate limit, and count keys separately', async () => {
    robot.addKey('other');
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) codes.push((await post(robot.url(), text(`m${i}`))).json?.errcode);
    expect(codes).toEqual([0, 0, 0, 45009]);
    expect((await post(robot.url('other'), text('x'))).json?.errcode).toBe(0);
    expect(robot.messagesFor()).toHaveLength(3);
  });

  it('should let a key through again once its window has passed', async () => {
    robot.setRateLimit({ count: 1, windowMs: 50 });
    expect((await post(robot.url(), text('a'))).json?.errcode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await post(robot.url(), text('b'))).json?.errcode).toBe(0);
  });

  it('should play scripted answers in order, then answer normally', async () => {
    robot.script({ errcode: -1, errmsg: 'system busy' });
    robot.script({ httpStatus: 502 }, 2);
    const first = await post(robot.url(), text('a'));
    const second = await post(robot.url(), text('b'));
    const third = await post(robot.url(), text('c'));
    const fourth = await post(robot.url(), text('d'));
    expect(first.json?.errcode).toBe(-1);
    expect(first.json?.errmsg).toMatch(/^system busy, hint:/);
    expect([second.status, third.status]).toEqual([502, 502]);
    expect(second.json).toBeUndefined();
    expect(fourth.json?.errcode).toBe(0);
    expect(robot.answers.map((a) => a.status)).toEqual([200, 502, 502, 200]);
  });

  it('should hang up when scripted to, recording the answer with status 0', async () => {
    robot.script({ hangUp: true });
    await expect(post(robot.url(), text('a'))).rejects.toThrow();
    expect(robot.answers).toEqual([expect.objectContaining({ status: 0 })]);
    expect(robot.messages).toHaveLength(0);
  });

  it('should delay an answer when scripted to, then answer normally', async () => {
    robot.script({ delayMs: 30 });
    const answer = await post(robot.url(), text('late'));
    expect(answer.json?.errcode).toBe(0);
    expect(robot.messages).toHaveLength(1);
  });

  it('should stop promptly while a delayed answer is pending', async () => {
    robot.script({ delayMs: 60_000 });
    const pending = post(robot.url(), text('never'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await robot.stop();
    await expect(pending).rejects.toThrow();
  });

  it('should answer for a key in an outage until the outage ends, leaving other keys alone', async () => {
    robot.addKey('other');
    robot.setOutage(fakeWeComDefaultKey, true);
    expect((await post(robot.url(), text('a'))).status).toBe(503);
    expect((await post(robot.url('other'), text('b'))).json?.errcode).toBe(0);
    robot.setOutage(fakeWeComDefaultKey, false);
    expect((await post(robot.url(), text('c'))).json?.errcode).toBe(0);
  });

  it('should take keys added and removed at runtime into account', async () => {
    expect((await post(robot.url('late-key'), text('a'))).json?.errcode).toBe(93000);
    robot.addKey('late-key');
    expect((await post(robot.url('late-key'), text('a'))).json?.errcode).toBe(0);
    robot.removeKey('late-key');
    expect((await post(robot.url('late-key'), text('a'))).json?.errcode).toBe(93000);
  });

  it('should forget traffic and scripts on reset', async () => {
    await post(robot.url(), text('a'));
    robot.script({ errcode: -1 });
    robot.reset();
    expect(robot.messages).toHaveLength(0);
    expect((await post(robot.url(), text('b'))).json?.errcode).toBe(0);
  });
});
