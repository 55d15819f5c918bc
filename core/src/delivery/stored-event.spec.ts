import { describe, expect, it } from '@jest/globals';

import type { HookEvent } from '../contracts/hook-event.js';
import { decodeStoredEvent, defineStoredEvent, encodeStoredEvent, storedEventBody } from './stored-event.js';

/** A push the size of a real one: five commits with Chinese messages (7–10 kB of JSON). */
function push(): HookEvent {
  const commits = Array.from({ length: 5 }, (_, i) => ({
    id: `${i}`.repeat(40),
    message: `feat: 第 ${i} 次提交\n\n${'详细说明，'.repeat(30)}`,
    url: `https://gitee.com/acme/app/commit/${`${i}`.repeat(40)}`,
    author: { name: '张三', email: 'zhangsan@example.com', username: 'zhangsan' },
    added: ['src/a.ts'],
    modified: ['README.md'],
  }));
  return {
    id: 'gitee:7001:abc',
    source: 'gitee',
    type: 'push',
    name: 'gitee.push',
    repo: 'acme/app',
    branch: 'main',
    ping: false,
    receivedAt: 1_700_000_000_000,
    summary: '张三 pushed 5 commits to acme/app main',
    payload: {
      ref: 'refs/heads/main',
      commits,
      head_commit: commits[4],
      repository: { full_name: 'acme/app' },
    },
    data: { commits: commits.map((c) => ({ title: c.message.split('\n')[0], url: c.url })) },
  };
}

describe('stored events', () => {
  it('come back whole from their deflated form, at a fraction of the JSON', () => {
    const event = push();
    const stored = encodeStoredEvent(event);
    expect(decodeStoredEvent(stored)).toEqual(event);
    expect(stored.length).toBeLessThan(Buffer.byteLength(JSON.stringify(event)) / 3);
  });

  it('read the plain JSON an earlier version stored, as text (SQLite) or bytes (Redis)', () => {
    const event = push();
    const json = JSON.stringify(event);
    expect(decodeStoredEvent(json)).toEqual(event);
    expect(decodeStoredEvent(Buffer.from(json))).toEqual(event);
  });

  it('refuse bytes that are neither JSON nor a whole deflated event', () => {
    const stored = encodeStoredEvent(push());
    expect(() => decodeStoredEvent(stored.subarray(0, stored.length - 10))).toThrow();
    expect(() => decodeStoredEvent(Buffer.from([0x78, 0x01, 0xff, 0x00]))).toThrow();
  });

  it('are decoded once, on first read, and keep their stored form for the render thread', () => {
    const stored = encodeStoredEvent(push());
    const record = defineStoredEvent({ id: '1' }, stored);
    expect(storedEventBody(record)).toBe(stored);
    const first = record.event;
    expect(first.repo).toBe('acme/app');
    expect(record.event).toBe(first);
    expect(Object.keys(record)).toEqual(['id', 'event']);
  });
});
