import { describe, expect, it } from '@jest/globals';

import type { Sink } from '../contracts/sink.js';
import type { Source } from '../contracts/source.js';
import { collectSecrets, maskSecrets } from './collect-secrets.js';
import type { HookmuxConfig } from './hookmux-config.js';
import { parseConfig } from './load-config.js';

function fakeSink(type: string, secretKeys: string[]): Sink {
  return { type, configSchema: {}, secretKeys, rateLimits: [] } as unknown as Sink;
}

function fakeSource(id: string, secretKeys: string[]): Source {
  return { id, configSchema: {}, secretKeys } as unknown as Source;
}

const plugins = {
  sinks: [fakeSink('robot', ['webhook', 'key']), fakeSink('console', [])],
  sources: [fakeSource('hook', ['secret']), fakeSource('chatbot', ['robots.*.secret'])],
};

function load(text: string, env: Record<string, string> = {}): HookmuxConfig {
  const { config, errors } = parseConfig(text, '/srv/hookmux.yaml', { env });
  if (config === undefined) throw new Error(errors.map((e) => e.describe()).join('\n'));
  return config;
}

const config = load(
  `
admin: { token: admin-token-0001 }
storage: { type: redis, url: "redis://:redis-pass-01@127.0.0.1:6379/0" }
sources:
  hook: { secret: "\${HOOK_SECRET}", path: /hook }
  chatbot:
    robots:
      ci-alerts-token-01: { secret: SECabcdef123, keywords: [CI] }
      other-robot-token: { secret: none }
sinks:
  team-a: { type: robot, webhook: "https://qyapi.test/cgi-bin/webhook/send?key=wecom-key-0001", format: markdown }
  ops: { type: robot, key: ops-key-0002 }
  log: { type: console, format: md }
  mystery: { type: unknown-plugin, password: mystery-pass-3, label: visible-label }
`,
  { HOOK_SECRET: 'gitee-secret-0003' },
);

describe('collectSecrets', () => {
  const secrets = collectSecrets(config, plugins);

  it('should collect every secret value in force, longest first', () => {
    expect([...secrets].sort()).toEqual(
      [
        'admin-token-0001',
        'redis-pass-01',
        'gitee-secret-0003',
        'ci-alerts-token-01',
        'SECabcdef123',
        'other-robot-token',
        'https://qyapi.test/cgi-bin/webhook/send?key=wecom-key-0001',
        'wecom-key-0001',
        'ops-key-0002',
        'mystery-pass-3',
      ].sort(),
    );
    expect(secrets[0]).toBe('https://qyapi.test/cgi-bin/webhook/send?key=wecom-key-0001');
    for (let i = 1; i < secrets.length; i++)
      expect(secrets[i - 1]!.length).toBeGreaterThanOrEqual(secrets[i]!.length);
  });

  it('should leave out placeholders too short to be secrets, and ordinary settings', () => {
    expect(secrets).not.toContain('none');
    expect(secrets).not.toContain('markdown');
    expect(secrets).not.toContain('visible-label');
    expect(secrets).not.toContain('/hook');
  });

  it('should follow a Feishu-style hook URL to its token', () => {
    const feishu = load(
      'sinks:\n  fs: { type: robot, webhook: "https://open.feishu.test/open-apis/bot/v2/hook/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" }',
    );
    expect(collectSecrets(feishu, plugins)).toContain('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
  });

  it('should find nothing in a config without secrets', () => {
    expect(collectSecrets(load('sinks:\n  log: { type: console }'), plugins)).toEqual([]);
  });
});

describe('maskSecrets', () => {
  const secrets = collectSecrets(config, plugins);

  it('should replace every occurrence of every secret with ***', () => {
    const line =
      'POST https://qyapi.test/cgi-bin/webhook/send?key=wecom-key-0001 failed; retry with ops-key-0002 and ops-key-0002';
    expect(maskSecrets(line, secrets)).toBe('POST *** failed; retry with *** and ***');
  });

  it('should mask a secret that appears on its own or URL-encoded', () => {
    expect(maskSecrets('key=wecom-key-0001&x=1', secrets)).toBe('key=***&x=1');
    expect(maskSecrets(`p=${encodeURIComponent('a b/c+d')}`, ['a b/c+d'])).toBe('p=***');
  });

  it('should mask the longer secret whole when one contains another', () => {
    expect(maskSecrets('token abcdef-123456 and abcdef', ['abcdef', 'abcdef-123456'])).toBe(
      'token *** and ***',
    );
  });

  it('should leave trivially short values and text without secrets alone', () => {
    expect(maskSecrets('none of this is secret', ['none', 'is'])).toBe('none of this is secret');
    expect(maskSecrets('plain text', secrets)).toBe('plain text');
  });
});
