import { describe, expect, it } from '@jest/globals';

import { robotAnswer } from '@hookmux/core';

import { classifyDingTalkAnswer } from './classify-dingtalk-answer.js';

const body = (errcode: number): string => JSON.stringify({ errcode, errmsg: 'x' });

describe('classifyDingTalkAnswer', () => {
  it('waits its own time for 130101 and 410100, or what Retry-After says', () => {
    expect(classifyDingTalkAnswer(robotAnswer(200, body(130101)))).toMatchObject({
      kind: 'throttled',
      retryAfterMs: 60_000,
    });
    expect(classifyDingTalkAnswer(robotAnswer(200, body(410100)))).toMatchObject({
      kind: 'throttled',
      retryAfterMs: 600_000,
    });
    expect(classifyDingTalkAnswer(robotAnswer(200, body(130101), { 'retry-after': '3' }))).toMatchObject({
      kind: 'throttled',
      code: 130101,
      retryAfterMs: 3000,
    });
    expect(classifyDingTalkAnswer(robotAnswer(429, '', { 'retry-after': '3' }))).toMatchObject({
      kind: 'throttled',
      code: 'http_429',
      retryAfterMs: 3000,
    });
  });

  it('keeps the body in charge otherwise', () => {
    expect(classifyDingTalkAnswer(robotAnswer(200, body(0)))).toEqual({ ok: true, code: 0 });
    expect(classifyDingTalkAnswer(robotAnswer(200, body(310000)))).toMatchObject({ kind: 'permanent' });
    expect(classifyDingTalkAnswer(robotAnswer(502, ''))).toMatchObject({
      kind: 'retryable',
      code: 'http_502',
    });
  });
});
