import { describe, expect, it } from '@jest/globals';

import { classifyWeComAnswer } from './classify-wecom-answer.js';

const answer = (errcode: number, errmsg = 'x'): string => JSON.stringify({ errcode, errmsg });

describe('classifyWeComAnswer', () => {
  it('should read success from the body', () => {
    expect(classifyWeComAnswer(200, answer(0, 'ok'))).toEqual({ ok: true, code: 0 });
  });

  it('should make 45009 throttled with a one-minute wait', () => {
    expect(classifyWeComAnswer(200, answer(45009, 'api freq out of limit'))).toMatchObject({
      ok: false,
      kind: 'throttled',
      code: 45009,
      retryAfterMs: 60_000,
    });
  });

  it.each([-1, 45033])('should make %i retryable', (code) => {
    expect(classifyWeComAnswer(200, answer(code))).toMatchObject({ ok: false, kind: 'retryable', code });
  });

  it.each([93000, 93004, 93006, 93008, 40008, 44004, 40058, 45002, 45008, 12345])(
    'should make %i permanent, with code and errmsg in detail',
    (code) => {
      const result = classifyWeComAnswer(200, answer(code, `message for ${code}`));
      expect(result).toMatchObject({ ok: false, kind: 'permanent', code });
      expect(result.ok ? '' : result.detail).toContain(`message for ${code}`);
    },
  );

  it('should make 5xx retryable whatever the body says', () => {
    expect(classifyWeComAnswer(502, '<html>bad gateway</html>')).toMatchObject({
      ok: false,
      kind: 'retryable',
      code: 'http_502',
    });
    expect(classifyWeComAnswer(503, answer(0))).toMatchObject({ ok: false, kind: 'retryable' });
  });

  it('should make a 200 without a WeCom body retryable, and a 404 without one permanent', () => {
    expect(classifyWeComAnswer(200, 'not json')).toMatchObject({
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
    });
    expect(classifyWeComAnswer(200, '{"ok":true}')).toMatchObject({
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
    });
    expect(classifyWeComAnswer(404, 'not found')).toMatchObject({
      ok: false,
      kind: 'permanent',
      code: 'http_404',
    });
    expect(classifyWeComAnswer(429, '')).toMatchObject({ ok: false, kind: 'throttled', code: 'http_429' });
  });
});
