import { describe, expect, it } from '@jest/globals';

import type { HookEvent } from '../contracts/hook-event.js';
import type { Sink, SinkTarget } from '../contracts/sink.js';
import { fallbackMessage } from './send-renderer.js';

const event = (summary: string, url?: string): HookEvent => ({
  id: 'gitee:1',
  source: 'gitee',
  type: 'push',
  name: 'gitee.push',
  ping: false,
  receivedAt: 0,
  summary,
  ...(url === undefined ? {} : { url }),
  payload: {},
  data: {},
});

const target: SinkTarget = { name: 'team', type: 'fake', settings: {} };
const sinkWith = (format: 'md' | 'txt'): Sink => ({ templateFormat: () => format }) as unknown as Sink;

describe('fallbackMessage (a template failed or timed out)', () => {
  it('prints the summary as text in the sink dialect, not as mentions or markup', () => {
    const message = fallbackMessage(event('<@all> <font color="warning">DOWN</font>\n# HUGE'), {
      sink: sinkWith('md'),
      target,
    });
    expect(message.text).not.toContain('<@all>');
    expect(message.text).not.toContain('<font');
    expect(message.text).not.toMatch(/^#/m);
    expect(message.text.replaceAll('\u200b', '')).toContain('DOWN');
    expect(message.mentions).toEqual({ userIds: [], mobiles: [], all: false });
  });

  it('links only to http(s)', () => {
    const bad = fallbackMessage(event('push', 'javascript:alert(1)'), { sink: sinkWith('txt'), target });
    expect(bad.text).toBe('push');
    expect(bad.url).toBeUndefined();
    const good = fallbackMessage(event('push', 'https://gitee.com/a/b'), { sink: sinkWith('txt'), target });
    expect(good.text).toBe('push\nhttps://gitee.com/a/b');
  });
});
