import { describe, expect, it } from '@jest/globals';

import type { Sink } from '../contracts/sink.js';
import type { Source } from '../contracts/source.js';
import type { HookmuxError } from '../errors/hookmux-error.js';
import type { HookmuxConfig } from './hookmux-config.js';
import { parseConfig } from './load-config.js';
import { validatePluginSections } from './validate-plugin-sections.js';

/** Only what validatePluginSections reads; the rest of the contract is never called here. */
function fakeSink(type: string, configSchema: Sink['configSchema'], secretKeys: string[] = []): Sink {
  return { type, configSchema, secretKeys, rateLimits: [] } as unknown as Sink;
}

function fakeSource(id: string, configSchema: Source['configSchema'], secretKeys: string[] = []): Source {
  return { id, configSchema, secretKeys } as unknown as Source;
}

const robotSink = fakeSink(
  'robot',
  {
    type: 'object',
    required: ['type'],
    additionalProperties: false,
    properties: {
      type: { const: 'robot' },
      webhook: { type: 'string', pattern: '^https?://', description: 'robot URL' },
      key: { type: 'string', minLength: 1 },
      format: { enum: ['text', 'markdown'], default: 'markdown' },
      mentions: { type: 'boolean', default: true },
      retries: { type: 'integer', minimum: 0 },
    },
    oneOf: [{ required: ['webhook'] }, { required: ['key'] }],
  },
  ['webhook', 'key'],
);

const hookSource = fakeSource(
  'hook',
  {
    type: 'object',
    required: ['secret'],
    additionalProperties: false,
    properties: {
      path: { type: 'string', pattern: '^/', default: '/webhooks/hook' },
      secret: { type: 'string', minLength: 1 },
      window: {
        anyOf: [
          { type: 'integer', description: 'milliseconds' },
          { type: 'string', pattern: '^[0-9]+[smh]$', description: 'a duration like 90s' },
        ],
      },
    },
  },
  ['secret'],
);

const plugins = { sinks: [robotSink], sources: [hookSource] };

function load(text: string, env: Record<string, string> = {}): HookmuxConfig {
  const { config, errors } = parseConfig(text, '/srv/hookmux.yaml', { env });
  if (config === undefined) throw new Error(errors.map((e) => e.describe()).join('\n'));
  return config;
}

function problems(errors: readonly HookmuxError[]): string[] {
  return errors.map((e) => `${e.at ?? ''}: ${e.message} [${e.code}]`);
}

describe('validatePluginSections', () => {
  it("should accept valid sections and fill in the plugins' defaults", () => {
    const config = load(`
sources:
  hook: { secret: s3cret, allow: [10.0.0.0/8] }
sinks:
  team-a: { type: robot, webhook: "https://robot.test/send?key=k", rateLimit: 20/min, merge: false, timeout: 3s }
`);
    expect(validatePluginSections(config, plugins)).toEqual([]);
    expect(config.sinks['team-a']).toEqual({
      type: 'robot',
      webhook: 'https://robot.test/send?key=k',
      rateLimit: '20/min',
      merge: false,
      timeout: '3s',
      timeoutMs: 3000,
      format: 'markdown',
      mentions: true,
    });
    expect(config.sources['hook']).toEqual({
      secret: 's3cret',
      allow: ['10.0.0.0/8'],
      path: '/webhooks/hook',
    });
  });

  it('should report an unknown sink type at sinks.<name>.type with the known types in the hint', () => {
    const config = load('sinks:\n  chat: { type: slack, url: x }');
    const errors = validatePluginSections(config, {
      sinks: [robotSink, fakeSink('console', {})],
      sources: [],
    });
    expect(problems(errors)).toEqual([
      'sinks.chat.type: no plugin provides sink type "slack" [HM_ERR_PLUGIN_NO_SINK_TYPE]',
    ]);
    expect(errors[0]?.hint).toMatch(/^known types: robot, console;/);
  });

  it('should report a source no plugin provides', () => {
    const errors = validatePluginSections(load('sources:\n  gitlab: { token: t }'), {
      sinks: [],
      sources: [],
    });
    expect(problems(errors)).toEqual([
      'sources.gitlab: no plugin provides source "gitlab" [HM_ERR_PLUGIN_NO_SOURCE]',
    ]);
    expect(errors[0]?.hint).toMatch(/^known sources: \(none loaded\);/);
  });

  it('should report every schema error of every section at its key path, all at once', () => {
    const config = load(`
sources:
  hook: { path: webhooks, window: soon }
sinks:
  team-a: { type: robot, webhook: "ftp://robot", fromat: text, mentions: "yes" }
  ops: { type: robot, format: html }
`);
    const errors = validatePluginSections(config, plugins);
    expect(problems(errors).sort()).toEqual(
      [
        'sinks.team-a.webhook: must match the pattern ^https?:// [HM_ERR_CFG_INVALID]',
        'sinks.team-a.fromat: unknown key (expected one of type, webhook, key, format, mentions, retries) [HM_ERR_CFG_INVALID]',
        'sinks.team-a.mentions: must be true or false [HM_ERR_CFG_INVALID]',
        'sinks.ops.format: must be one of text, markdown [HM_ERR_CFG_INVALID]',
        'sinks.ops: must set exactly one of webhook or key [HM_ERR_CFG_INVALID]',
        'sources.hook.secret: is required [HM_ERR_CFG_INVALID]',
        'sources.hook.path: must match the pattern ^/ [HM_ERR_CFG_INVALID]',
        'sources.hook.window: must be milliseconds or a duration like 90s [HM_ERR_CFG_INVALID]',
      ].sort(),
    );
    expect(errors.find((e) => e.at === 'sinks.team-a.fromat')?.hint).toBe('did you mean format?');
  });

  it('should never put a secret value in an error', () => {
    const secret = 'ftp://very-secret-robot-key-123';
    const config = load('sinks:\n  team-a: { type: robot, webhook: "${HOOK}" }', { HOOK: secret });
    const errors = validatePluginSections(config, plugins);
    expect(errors.map((e) => e.at)).toEqual(['sinks.team-a.webhook']);
    for (const error of errors)
      expect(`${error.describe()} ${JSON.stringify(error)}`).not.toContain('very-secret');
  });

  it('should turn a whole ${VAR} into the number or boolean the plugin schema wants', () => {
    const config = load(
      'sinks:\n  team-a:\n    type: robot\n    key: ${KEY}\n    mentions: ${MENTIONS:-false}\n    retries: ${RETRIES:-3}',
      {
        KEY: '12345',
      },
    );
    expect(validatePluginSections(config, plugins)).toEqual([]);
    expect(config.sinks['team-a']).toMatchObject({ key: '12345', mentions: false, retries: 3 });
  });

  it('should still refuse a hand-written string where the plugin wants a boolean', () => {
    const config = load('sinks:\n  team-a: { type: robot, key: k, mentions: "false" }');
    expect(problems(validatePluginSections(config, plugins))).toEqual([
      'sinks.team-a.mentions: must be true or false [HM_ERR_CFG_INVALID]',
    ]);
  });

  it("should report a plugin schema that does not compile as the plugin's bug", () => {
    const broken = fakeSink('broken', { type: 'object', properties: { a: { type: 'no-such-type' } } });
    const errors = validatePluginSections(load('sinks:\n  x: { type: broken }'), {
      sinks: [broken],
      sources: [],
    });
    expect(problems(errors)).toEqual([
      'sinks.x: the sink plugin "broken" has a config schema that does not compile [HM_ERR_CFG_INVALID]',
    ]);
  });

  it('should accept zero sinks and sources', () => {
    expect(validatePluginSections(load(''), { sinks: [], sources: [] })).toEqual([]);
  });
});
