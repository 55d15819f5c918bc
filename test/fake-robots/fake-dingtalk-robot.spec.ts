import { createHmac } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import {
  hasSharedFixtures,
  listSharedFixtures,
  noteSkipped,
  readSharedFixture,
} from '../helpers/shared-fixtures.js';
import { FakeDingTalkRobot } from './fake-dingtalk-robot.js';

const secret = 'SECfake0123456789';

function sign(ts: string, key = secret): string {
  return encodeURIComponent(createHmac('sha256', key).update(`${ts}\n${key}`).digest('base64'));
}

describe('FakeDingTalkRobot', () => {
  let fake: FakeDingTalkRobot;
  beforeEach(async () => {
    fake = await new FakeDingTalkRobot({
      tokens: { open: {}, signed: { secret }, keyed: { keywords: ['告警'] } },
      rateLimit: { count: 2, windowMs: 60_000 },
    }).start();
  });
  afterEach(() => fake.stop());

  async function post(
    query: string,
    body: unknown,
    type = 'application/json',
  ): Promise<{ errcode: number; errmsg: string }> {
    const response = await fetch(`${fake.baseUrl}/robot/send?${query}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { errcode: number; errmsg: string };
  }

  const text = { msgtype: 'text', text: { content: '告警' } };

  it('accepts the official request examples', async () => {
    if (!hasSharedFixtures()) return noteSkipped('fake DingTalk robot: official examples');
    fake.setRateLimit({ count: 100, windowMs: 60_000 });
    for (const file of listSharedFixtures('robots', /^dingtalk-req-/)) {
      const body = readSharedFixture('robots', file).toString('utf8');
      expect(await post('access_token=open', body)).toEqual({ errcode: 0, errmsg: 'ok' });
    }
    expect(fake.messagesFor('open').length).toBe(listSharedFixtures('robots', /^dingtalk-req-/).length);
  });

  it('checks the signature like DingTalk', async () => {
    const ts = String(Date.now());
    expect(await post(`access_token=signed&timestamp=${ts}&sign=${sign(ts)}`, text)).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect(fake.messages[0]?.signed).toBe(true);
    expect(
      (await post(`access_token=signed&timestamp=${ts}&sign=${sign(ts, 'SECother')}`, text)).errmsg,
    ).toMatch(/^sign not match/);
    const old = String(Date.now() - 3_700_000);
    const stale = await post(`access_token=signed&timestamp=${old}&sign=${sign(old)}`, text);
    expect(stale).toMatchObject({ errcode: 310000 });
    expect(stale.errmsg).toMatch(/^invalid timestamp/);
  });

  it('answers tokens, content types, shapes and keywords with DingTalk codes', async () => {
    expect((await post('access_token=nope', text)).errcode).toBe(300005);
    expect((await post('x=1', text)).errcode).toBe(40035);
    expect((await post('access_token=open', text, 'text/plain')).errcode).toBe(43004);
    const noTitle = await post('access_token=open', { msgtype: 'markdown', markdown: { text: 'x' } });
    expect(noTitle.errcode).toBe(400402);
    expect(noTitle.errmsg).toContain('markdown --》 title');
    expect((await post('access_token=keyed', { msgtype: 'text', text: { content: '无关' } })).errmsg).toMatch(
      /^keywords not in content/,
    );
    expect(fake.messages).toHaveLength(0);
  });

  it('limits each token and can be scripted', async () => {
    expect((await post('access_token=open', text)).errcode).toBe(0);
    expect((await post('access_token=open', text)).errcode).toBe(0);
    expect(await post('access_token=open', text)).toEqual({
      errcode: 130101,
      errmsg: 'send too fast, exceed 20 times per minute',
    });
    expect((await post('access_token=keyed', text)).errcode).toBe(0);
    fake.script({ errcode: 410100, errmsg: '限流' });
    expect((await post('access_token=keyed', text)).errcode).toBe(410100);
    expect(fake.answers.map((a) => a.errcode)).toEqual([0, 0, 130101, 0, 410100]);
  });
});
