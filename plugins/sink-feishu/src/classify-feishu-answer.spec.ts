import { describe, expect, it } from '@jest/globals';

import { robotAnswer } from '@hookmux/core';

import { classifyFeishuAnswer } from './classify-feishu-answer.js';

const body = (code: number): string => JSON.stringify({ code, msg: 'x', data: {} });

describe('classifyFeishuAnswer', () => {
  it('waits 10 s after 11232 or a 429, or what Retry-After says', () => {
    expect(classifyFeishuAnswer(robotAnswer(200, body(11232)))).toMatchObject({
      kind: 'throttled',
      code: 11232,
      retryAfterMs: 10_000,
    });
    expect(classifyFeishuAnswer(robotAnswer(200, body(11232), { 'retry-after': '3' }))).toMatchObject({
      kind: 'throttled',
      retryAfterMs: 3000,
    });
    expect(classifyFeishuAnswer(robotAnswer(429, '', { 'retry-after': '3' }))).toMatchObject({
      kind: 'throttled',
      code: 'http_429',
      retryAfterMs: 3000,
    });
    // A 429 that carries a Feishu code is still "too fast".
    expect(classifyFeishuAnswer(robotAnswer(429, body(9499)))).toMatchObject({
      kind: 'throttled',
      code: 9499,
    });
    expect(classifyFeishuAnswer(robotAnswer(503, '', { 'retry-after': '5' }))).toMatchObject({
      kind: 'retryable',
      retryAfterMs: 5000,
    });
  });

  it('keeps the body in charge otherwise', () => {
    expect(classifyFeishuAnswer(robotAnswer(200, body(0)))).toEqual({ ok: true, code: 0 });
    expect(classifyFeishuAnswer(robotAnswer(200, body(19021)))).toMatchObject({
      kind: 'permanent',
      code: 19021,
    });
    expect(classifyFeishuAnswer(robotAnswer(400, body(0)))).toMatchObject({
      kind: 'permanent',
      code: 'http_400',
    });
  });
});
