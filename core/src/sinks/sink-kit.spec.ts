import { describe, expect, it } from '@jest/globals';

import { MemoryLogger } from '../logging/memory-logger.js';
import { readRetryAfterMs } from '../http/retry-after.js';
import { maskSecrets } from './mask-secrets.js';
import { readRobotEndpoint, readSinkTimeoutMs, type RobotEndpointSpec } from './robot-endpoint.js';
import { sendToRobot } from './send-to-robot.js';

const spec: RobotEndpointSpec = {
  type: 'demo',
  credentialKey: 'key',
  hint: 'set `webhook` or `key`',
  defaultApiBase: 'https://robot.example',
  urlFor: (base, key) => `${base}/send?key=${key}`,
  credentialInUrl: (url) => url.searchParams.get('key'),
};

describe('readRetryAfterMs', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  const at = (value: string): number | undefined =>
    readRetryAfterMs(new Headers({ 'retry-after': value }), now);

  it('reads delay-seconds and HTTP dates, a past date as 0, and caps both at an hour', () => {
    expect(at('3')).toBe(3000);
    expect(at('0')).toBe(0);
    expect(at('Thu, 03 Dec 2026 10:00:03 GMT')).toBe(3000);
    expect(at('Thu, 03 Dec 2026 09:00:00 GMT')).toBe(0);
    expect(at('86400')).toBe(3_600_000);
    expect(at('Fri, 04 Dec 2026 10:00:00 GMT')).toBe(3_600_000);
  });

  it('ignores what is neither (the caller waits its own time)', () => {
    expect(readRetryAfterMs(new Headers(), now)).toBeUndefined();
    for (const value of ['', 'soon', '3s', '-1', '1.5', '2026-12-03']) expect(at(value)).toBeUndefined();
  });
});

describe('maskSecrets', () => {
  it('masks each secret as written and URL-encoded, longest first, and credential parameters', () => {
    const url = 'https://robot.example/send?key=k3y/+=';
    const text = `POST ${url} failed; key k3y/+= or ${encodeURIComponent('k3y/+=')}; https://x/?access_token=abc&sign=s1g`;
    const masked = maskSecrets(text, ['k3y/+=', url]);
    expect(masked).toBe('POST *** failed; key *** or ***; https://x/?access_token=***&sign=***');
  });
});

describe('readRobotEndpoint', () => {
  it('builds the URL from the key, masks the key found in a webhook URL, and reads timeout', () => {
    const fromKey = readRobotEndpoint({ key: 'a b', apiBase: 'http://127.0.0.1:9/', timeout: '5s' }, spec);
    expect(fromKey).toEqual({
      url: 'http://127.0.0.1:9/send?key=a%20b',
      secret: undefined,
      secrets: ['http://127.0.0.1:9/send?key=a%20b', 'a b'],
      timeoutMs: 5000,
    });
    const fromUrl = readRobotEndpoint({ webhook: 'https://r.example/send?key=s3cr3t', secret: 'SECx' }, spec);
    expect(fromUrl.secrets).toEqual(['https://r.example/send?key=s3cr3t', 'SECx', 's3cr3t']);
    expect(fromUrl.timeoutMs).toBeUndefined();
  });

  it('refuses none or both of webhook and key, without quoting either', () => {
    expect(() => readRobotEndpoint({}, spec)).toThrow('a demo sink needs exactly one of `webhook` and `key`');
    expect(() => readRobotEndpoint({ webhook: 'https://r/send?key=zz9', key: 'zz9' }, spec)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('zz9') as unknown }),
    );
  });

  it("prefers the loaded config's timeoutMs, then timeout; an unreadable one is unset", () => {
    expect(readSinkTimeoutMs({ timeoutMs: 1234, timeout: '5s' })).toBe(1234);
    expect(readSinkTimeoutMs({ timeout: 250 })).toBe(250);
    expect(readSinkTimeoutMs({ timeout: '1m' })).toBe(60_000);
    expect(readSinkTimeoutMs({ timeout: 'soon' })).toBeUndefined();
    expect(readSinkTimeoutMs({ timeout: 0 })).toBeUndefined();
  });
});

describe('sendToRobot', () => {
  it('turns unreadable settings into a permanent config failure, logged at debug only', async () => {
    const logger = new MemoryLogger();
    const result = await sendToRobot(
      { name: 'a', type: 'demo', settings: {} },
      { logger },
      {
        robot: 'demo robot',
        readSettings: (settings) => readRobotEndpoint(settings, spec),
        request: () => {
          throw new Error('not reached');
        },
        classify: () => ({ ok: true }),
      },
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent', code: 'config' });
    expect(logger.lines.map((l) => l.level)).toEqual(['debug']);
  });
});
