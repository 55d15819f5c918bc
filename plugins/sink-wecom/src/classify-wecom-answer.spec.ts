import { describe, expect, it } from '@jest/globals';

import { robotAnswer, type DeliveryResult } from '@hookmux/core';

import { classifyWeComAnswer } from './classify-wecom-answer.js';

const answer = (errcode: number, errmsg = 'x'): string => JSON.stringify({ errcode, errmsg });
const classifyAt = (status: number, text: string, headers: Record<string, string> = {}): DeliveryResult =>
  classifyWeComAnswer(robotAnswer(status, text, headers));

describe('classifyWeComAnswer', () => {
  it('should read success from the body', () => {
    expect(classifyAt(200, answer(0, 'ok'))).toEqual({ ok: true, code: 0 });
  });

  it('should make 45009 throttled with a one-minute wait', () => {
    expect(classifyAt(200, answer(45009, 'api freq out of limit'))).toMatchObject({
      ok: false,
      kind: 'throttled',
      code: 45009,
      retryAfterMs: 60_000,
    });
  });

  it.each([-1, 45033])('should make %i retryable', (code) => {
    expect(classifyAt(200, answer(code))).toMatchObject({ ok: false, kind: 'retryable', code });
  });

  it.each([93000, 93004, 93006, 93008, 40008, 44004, 40058, 45002, 45008, 12345])(
    'should make %i permanent, with code and errmsg in detail',
    (code) => {
      const result = classifyAt(200, answer(code, `message for ${code}`));
      expect(result).toMatchObject({ ok: false, kind: 'permanent', code });
      expect(result.ok ? '' : result.detail).toContain(`message for ${code}`);
    },
  );

  it('should make 5xx retryable whatever the body says', () => {
    expect(classifyAt(502, '<html>bad gateway</html>')).toMatchObject({
      ok: false,
      kind: 'retryable',
      code: 'http_502',
    });
    expect(classifyAt(503, answer(0))).toMatchObject({ ok: false, kind: 'retryable' });
  });

  it('should make a 200 without a WeCom body retryable, and a 404 without one permanent', () => {
    expect(classifyAt(200, 'not json')).toMatchObject({
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
    });
    expect(classifyAt(200, '{"ok":true}')).toMatchObject({
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
    });
    expect(classifyAt(404, 'not found')).toMatchObject({
      ok: false,
      kind: 'permanent',
      code: 'http_404',
    });
    expect(classifyAt(429, '')).toMatchObject({ ok: false, kind: 'throttled', code: 'http_429' });
  });

  it('should take the wait from Retry-After on a 429, a 5xx or 45009, in seconds or as an HTTP date', () => {
    expect(classifyAt(429, '', { 'retry-after': '3' })).toMatchObject({
      kind: 'throttled',
      code: 'http_429',
      retryAfterMs: 3000,
    });
    expect(classifyAt(429, answer(0), { 'retry-after': '3' })).toMatchObject({
      kind: 'throttled',
      retryAfterMs: 3000,
    });
    expect(classifyAt(200, answer(45009), { 'Retry-After': '3' })).toMatchObject({
      kind: 'throttled',
      code: 45009,
      retryAfterMs: 3000,
    });
    expect(classifyAt(503, '', { 'retry-after': '7' })).toMatchObject({
      kind: 'retryable',
      retryAfterMs: 7000,
    });
    const date = classifyAt(429, '', { 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
    expect(date.ok ? 0 : (date.retryAfterMs ?? 0)).toBeGreaterThan(25_000);
    expect(date.ok ? 0 : (date.retryAfterMs ?? 0)).toBeLessThanOrEqual(30_000);
    // Nonsense is ignored, the robot's own wait applies.
    expect(classifyAt(429, '', { 'retry-after': 'soon' })).toMatchObject({ retryAfterMs: 60_000 });
    expect(classifyAt(502, '')).not.toHaveProperty('retryAfterMs');
  });
});
