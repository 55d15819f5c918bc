import { describe, expect, it } from '@jest/globals';
import { MemoryLogger } from '@hookmux/core';

import { classifySlackAnswer, escapeSlackText, SlackSink } from './slack-sink.js';

describe('classifySlackAnswer', () => {
  it('reads 200 ok as sent', () => {
    expect(classifySlackAnswer(200, 'ok', null)).toEqual({ ok: true });
  });

  it('waits on 429 for Retry-After seconds', () => {
    expect(classifySlackAnswer(429, 'rate_limited', '3')).toEqual({
      ok: false,
      kind: 'throttled',
      code: 429,
      detail: 'Slack answered 429 rate_limited',
      retryAfterMs: 3000,
    });
    expect(classifySlackAnswer(429, '', 'soon')).not.toHaveProperty('retryAfterMs');
  });

  it('retries 5xx and 408, dead-letters what a retry cannot fix, with Slack’s code', () => {
    expect(classifySlackAnswer(503, '', null)).toMatchObject({ ok: false, kind: 'retryable', code: 503 });
    expect(classifySlackAnswer(408, '', null)).toMatchObject({ ok: false, kind: 'retryable' });
    for (const [status, text] of [
      [400, 'invalid_payload'],
      [403, 'invalid_token'],
      [404, 'no_service'],
      [410, 'channel_is_archived'],
    ] as const)
      expect(classifySlackAnswer(status, text, null)).toMatchObject({
        ok: false,
        kind: 'permanent',
        code: text,
      });
  });
});

describe('escapeSlackText', () => {
  it('keeps mentions and links in payload text literal', () => {
    expect(escapeSlackText('<!channel> a & b <https://x|y>')).toBe(
      '&lt;!channel&gt; a &amp; b &lt;https://x|y&gt;',
    );
  });
});

describe('SlackSink', () => {
  const sink = new SlackSink();
  const target = {
    name: 's',
    type: 'slack',
    settings: { webhook: 'https://hooks.slack.com/services/T/B/secret' },
  };

  it('keys the rate limit by a hash of the webhook, never the URL itself', () => {
    const key = sink.robotKey(target);
    expect(key).toMatch(/^slack:[0-9a-f]{16}$/);
    expect(key).not.toContain('secret');
    expect(sink.secretKeys).toEqual(['webhook']);
  });

  it('says a network failure without the URL', async () => {
    const result = await sink.send(
      {
        eventId: 'e',
        eventName: 'gitee.push.update',
        sink: 's',
        format: 'txt',
        text: 'hi',
        fields: {},
        mentions: { userIds: [], mobiles: [], all: false },
        summary: 'hi',
        count: 1,
      },
      { ...target, settings: { webhook: 'http://127.0.0.1:9/services/T/B/secret' } },
      { logger: new MemoryLogger(), timeoutMs: 2000 },
    );
    expect(result).toMatchObject({ ok: false, kind: 'retryable' });
    expect(JSON.stringify(result)).not.toContain('secret');
  });
});
