import { describe, expect, it } from '@jest/globals';
import type { Message, TemplateFormat } from '../contracts/message.js';
import { buildDigest, byteLength, truncateUtf8 } from './build-digest.js';

function makeMessage(
  i: number,
  text: string,
  overrides: Partial<Message> = {},
  format: TemplateFormat = 'md',
): Message {
  return {
    eventId: `ev-${i}`,
    eventName: 'gitee.push',
    sink: 'team-a',
    format,
    text,
    fields: {},
    mentions: { userIds: [], mobiles: [], all: false },
    url: `https://gitee.com/acme/app/commit/${i}`,
    summary: `张三 pushed 3 commits to main #${i}`,
    count: 1,
    ...overrides,
  };
}

describe('buildDigest', () => {
  it('holds every message in full when they fit, with a count header', () => {
    const messages = [1, 2, 3].map((i) =>
      makeMessage(i, `**push ${i}** 🚀 [详情](https://gitee.com/acme/app/commit/${i})`),
    );
    const digest = buildDigest(messages, { maxTextBytes: 4096, digestId: 'dg-1' });
    expect(digest.included).toBe(3);
    expect(digest.message.count).toBe(3);
    expect(digest.message.text.split('\n')[0]).toBe('**hookmux: 3 events**');
    for (const m of messages) expect(digest.message.text).toContain(m.text);
    expect(digest.message.eventId).toBe('dg-1');
    expect(digest.message.summary).toBe('hookmux: 3 events');
  });

  it('uses a plain header and plain links for txt', () => {
    const messages = [1, 2].map((i) => makeMessage(i, 'x'.repeat(300), {}, 'txt'));
    const digest = buildDigest(messages, { maxTextBytes: 400, digestId: 'dg-2' });
    expect(digest.message.text.split('\n')[0]).toBe('hookmux: 2 events');
    expect(digest.message.text).toContain(
      `- 张三 pushed 3 commits to main #2 https://gitee.com/acme/app/commit/2`,
    );
  });

  it('falls back to summary and link when the full text does not fit, and never exceeds the byte limit', () => {
    // Chinese (3 bytes) and emoji (4 bytes) make characters and bytes disagree.
    const long = '提交说明🚀'.repeat(120);
    const messages = Array.from({ length: 40 }, (_, i) => makeMessage(i, long));
    const digest = buildDigest(messages, { maxTextBytes: 2048, digestId: 'dg-3' });
    expect(byteLength(digest.message.text)).toBeLessThanOrEqual(2048);
    expect(digest.included).toBeGreaterThan(1);
    expect(digest.included).toBeLessThan(40);
    expect(digest.message.count).toBe(digest.included);
    expect(digest.message.text.split('\n')[0]).toBe(`**hookmux: ${digest.included} events**`);
    for (const m of messages.slice(0, digest.included)) expect(digest.message.text).toContain(m.url);
    expect(digest.message.text).not.toContain(messages[digest.included]?.url);
    expect(digest.message.text).not.toContain('\uFFFD');
  });

  it('gives left-over room to full texts, oldest first', () => {
    const text = '合并请求🚀'.repeat(40); // 640 bytes
    const messages = [1, 2, 3, 4].map((i) => makeMessage(i, `${text} ${i}`));
    const digest = buildDigest(messages, { maxTextBytes: 1500, digestId: 'dg-8' });
    expect(digest.included).toBe(4);
    expect(digest.message.text).toContain(`${text} 1`);
    expect(digest.message.text).not.toContain(`${text} 4`);
    expect(digest.message.text).toContain(messages[3]?.url);
    expect(byteLength(digest.message.text)).toBeLessThanOrEqual(1500);
  });

  it('keeps a first message that fits nowhere, cut, with its link', () => {
    const huge = makeMessage(1, 'a'.repeat(5000), { summary: '很长的摘要'.repeat(200) });
    const digest = buildDigest([huge, makeMessage(2, 'short')], { maxTextBytes: 300, digestId: 'dg-4' });
    expect(digest.included).toBeGreaterThanOrEqual(1);
    expect(byteLength(digest.message.text)).toBeLessThanOrEqual(300);
    expect(digest.message.text).toContain(huge.url);
    expect(digest.message.text).not.toContain('\uFFFD');
  });

  it('unions mentions and sums the counts of what it holds', () => {
    const a = makeMessage(1, 'a', {
      mentions: { userIds: ['ZhangSan'], mobiles: ['13800000000'], all: false },
    });
    const b = makeMessage(2, 'b', {
      mentions: { userIds: ['ZhangSan', 'LiSi'], mobiles: [], all: true },
      count: 2,
    });
    const digest = buildDigest([a, b], { maxTextBytes: 4096, digestId: 'dg-5' });
    expect(digest.message.mentions).toEqual({
      userIds: ['ZhangSan', 'LiSi'],
      mobiles: ['13800000000'],
      all: true,
    });
    expect(digest.message.count).toBe(3);
    expect(digest.message.text.split('\n')[0]).toBe('**hookmux: 3 events**');
  });

  it('stops at the first message that does not fit, keeping order', () => {
    const messages = [
      makeMessage(1, 'a'.repeat(100)),
      makeMessage(2, 'b'.repeat(100)),
      makeMessage(3, 'c'.repeat(100)),
    ];
    const digest = buildDigest(messages, { maxTextBytes: 200, digestId: 'dg-6' });
    expect(digest.included).toBe(2);
    expect(digest.message.text).toContain(messages[0]?.url);
    expect(digest.message.text).toContain(messages[1]?.url);
    expect(digest.message.text).not.toContain(messages[2]?.url);
    expect(byteLength(digest.message.text)).toBeLessThanOrEqual(200);
  });

  it('adds the link to a full text that lacks it', () => {
    const digest = buildDigest([makeMessage(1, 'pushed'), makeMessage(2, 'pushed again')], {
      maxTextBytes: 4096,
      digestId: 'dg-7',
    });
    expect(digest.message.text).toContain(
      'pushed\n[https://gitee.com/acme/app/commit/1](https://gitee.com/acme/app/commit/1)',
    );
    expect(digest.message.text).toContain('pushed again');
  });
});

describe('truncateUtf8', () => {
  it('never splits a character', () => {
    expect(truncateUtf8('你好🚀', 5)).toBe('你');
    expect(truncateUtf8('你好🚀', 9)).toBe('你好');
    expect(truncateUtf8('你好🚀', 10)).toBe('你好🚀');
    expect(truncateUtf8('abc', 0)).toBe('');
  });
});
