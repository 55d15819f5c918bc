import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type HookmuxError, HookmuxErrors } from '../errors/hookmux-error.js';
import { checkSchema, compileSchema } from './compile-schema.js';
import type { JsonSchema } from './json-schema.js';
import {
  configSchemaPath,
  exampleConfigPath,
  loadConfig,
  parseConfig,
  resolveConfigPath,
} from './load-config.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = join(repoRoot, 'test/fixtures/config');

function parseFixture(name: string, env: Record<string, string | undefined> = {}) {
  const file = join(fixtures, name);
  return parseConfig(readFileSync(file, 'utf8'), file, { env });
}

/** `at: message` of each error, the form the CLI prints. */
function problems(errors: readonly HookmuxError[]): string[] {
  return errors.map((e) => `${e.at ?? ''}: ${e.message}`);
}

const basicEnv = {
  ADMIN_TOKEN: 'admin-token-123',
  GITEE_SECRET: 'gitee-secret-456',
  WECOM_TEAM_A_KEY: 'wecom-key-789',
};

describe('parseConfig on basic.yaml', () => {
  const { config, errors } = parseFixture('basic.yaml', basicEnv);

  it('should load with no errors', () => {
    expect(problems(errors)).toEqual([]);
    expect(config).toBeDefined();
  });

  it('should record the absolute path of the file', () => {
    expect(config?.file).toBe(join(fixtures, 'basic.yaml'));
  });

  it('should resolve relative paths against the folder of the config file', () => {
    expect(config?.storage).toEqual({
      type: 'sqlite',
      path: join(fixtures, 'state/hookmux.db'),
      retention: { sentMs: 30 * 24 * 60 * 60 * 1000 },
    });
    expect(config?.templates.dir).toBe(join(fixtures, 'my-templates'));
    expect(config?.routes[1]?.template).toBe(join(fixtures, 'templates/team-a'));
  });

  it('should convert sizes and durations to bytes and milliseconds', () => {
    expect(config?.server.bodyLimit).toBe(2 * 1024 * 1024);
    expect(config?.delivery).toEqual({
      maxAttempts: 5,
      maxAgeMs: 7 * 86_400_000,
      backoffMs: 1500,
      maxBackoffMs: 90_000,
      timeoutMs: 5000,
    });
    expect(config?.sinks['team-a']?.timeoutMs).toBe(3000);
  });

  it('should turn a whole ${VAR:-default} into the number or boolean the schema wants', () => {
    expect(config?.server.port).toBe(9090);
    expect(config?.server.trustProxy).toBe(true);
    const fromEnv = parseFixture('basic.yaml', { ...basicEnv, PORT: '7070', TRUST_PROXY: 'false' }).config;
    expect(fromEnv?.server.port).toBe(7070);
    expect(fromEnv?.server.trustProxy).toBe(false);
  });

  it('should interpolate inside longer strings and keep secrets as given', () => {
    expect(config?.sinks['team-a']?.['webhook']).toBe(
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-789',
    );
    expect(config?.sources['gitee']?.['secret']).toBe('gitee-secret-456');
    expect(config?.admin.token).toBe('admin-token-123');
  });

  it('should normalise to and filters to lists and default route names to routes[i]', () => {
    expect(config?.routes.map((r) => r.name)).toEqual(['acme-main', 'routes[1]', 'routes[2]']);
    expect(config?.routes[0]?.when).toEqual({
      source: ['gitee'],
      repo: ['acme/*'],
      event: ['push', 'merge_request'],
      branch: ['main', 'release/**'],
      action: ['!update'],
    });
    expect(config?.routes[1]?.to).toEqual(['team-a']);
    expect(config?.routes[1]?.when.ping).toBe(true);
    expect(config?.routes[2]?.when).toEqual({});
  });

  it('should keep people, plugins and source sections as written', () => {
    expect(config?.people).toEqual([{ gitee: 'zhangsan', wecom: 'ZhangSan', mobile: '13800000000' }]);
    expect(config?.plugins).toEqual(['@acme/hookmux-sink-slack']);
    expect(config?.sources['gitee']?.['allow']).toEqual(['203.0.113.7', '10.0.0.0/8', '2001:db8::/32']);
  });
});

describe('parseConfig defaults', () => {
  it('should fill every section of an empty file with the documented defaults', () => {
    const { config, errors } = parseConfig('', '/etc/hookmux/hookmux.yaml', { env: {} });
    expect(errors).toEqual([]);
    expect(config).toEqual({
      file: '/etc/hookmux/hookmux.yaml',
      server: { host: '0.0.0.0', port: 8080, bodyLimit: 5 * 1024 * 1024, trustProxy: false },
      storage: {
        type: 'sqlite',
        path: '/etc/hookmux/data/hookmux.db',
        retention: { sentMs: 30 * 24 * 60 * 60 * 1000 },
      },
      templates: { timeZone: 'Asia/Shanghai', renderTimeoutMs: 5000 },
      admin: {},
      log: { level: 'info' },
      delivery: {
        maxAttempts: 150,
        maxAgeMs: 86_400_000,
        backoffMs: 2000,
        maxBackoffMs: 600_000,
        timeoutMs: 10_000,
      },
      plugins: [],
      sources: {},
      sinks: {},
      people: [],
      routes: [],
    });
  });

  it('should read storage.retention: a duration for sent rows, or sent/dead each, with never', () => {
    const read = (yaml: string) => parseConfig(yaml, 'a.yaml', { env: {} }).config?.storage.retention;
    expect(read('storage: { retention: 7d }')).toEqual({ sentMs: 7 * 24 * 60 * 60 * 1000 });
    expect(read('storage: { retention: never }')).toEqual({});
    expect(read('storage: { retention: { sent: 1d, dead: 90d } }')).toEqual({
      sentMs: 24 * 60 * 60 * 1000,
      deadMs: 90 * 24 * 60 * 60 * 1000,
    });
    expect(read('storage: { retention: { sent: never } }')).toEqual({});
    expect(parseConfig('storage: { retention: soon }', 'a.yaml', { env: {} }).errors.length).toBeGreaterThan(
      0,
    );
  });

  it('should read memory and redis storage', () => {
    expect(parseConfig('storage: { type: memory }', 'a.yaml', { env: {} }).config?.storage).toEqual({
      type: 'memory',
      retention: { sentMs: 30 * 24 * 60 * 60 * 1000 },
    });
    const redis = parseConfig(
      'storage:\n  type: redis\n  url: redis://:pw@127.0.0.1:6379/0\n  prefix: hm',
      'a.yaml',
      { env: {} },
    );
    expect(redis.config?.storage).toEqual({
      type: 'redis',
      url: 'redis://:pw@127.0.0.1:6379/0',
      prefix: 'hm',
      retention: { sentMs: 30 * 24 * 60 * 60 * 1000 },
    });
  });

  it('should treat an empty admin token as no token (admin off)', () => {
    const off = parseConfig('admin:\n  token: ${HOOKMUX_ADMIN_TOKEN:-}', 'a.yaml', { env: {} });
    expect(off.config?.admin).toEqual({});
    const on = parseConfig('admin:\n  token: ${HOOKMUX_ADMIN_TOKEN:-}', 'a.yaml', {
      env: { HOOKMUX_ADMIN_TOKEN: 'tok' },
    });
    expect(on.config?.admin).toEqual({ token: 'tok' });
  });
});

describe('parseConfig env interpolation', () => {
  it('should report every unset variable at its key path, all at once', () => {
    const { config, errors } = parseFixture('missing-env.yaml');
    expect(config).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual(['HM_ERR_CFG_ENV', 'HM_ERR_CFG_ENV']);
    expect(problems(errors)).toEqual([
      'server.port: environment variable HM_TEST_PORT is not set',
      'sinks.team-a.webhook: environment variable WECOM_TEAM_A is not set',
    ]);
    expect(errors[1]?.hint).toContain('${WECOM_TEAM_A:-value}');
  });

  it('should use defaults, keep $${ as a literal ${, and prefer set variables', () => {
    const env = { HM_TEST_PORT: '8181', WECOM_TEAM_A: 'https://robot.test/send?key=k1' };
    const { config, errors } = parseFixture('missing-env.yaml', env);
    expect(errors).toEqual([]);
    expect(config?.server.port).toBe(8181);
    expect(config?.sources['gitee']?.['secret']).toBe('fallback-secret');
    expect(config?.sinks['team-a']?.['note']).toBe('cost: ${PRICE} each');
    const overridden = parseFixture('missing-env.yaml', { ...env, HM_TEST_GITEE_SECRET: 'from-env' });
    expect(overridden.config?.sources['gitee']?.['secret']).toBe('from-env');
  });

  it('should not re-parse a value as YAML', () => {
    const env = { SECRET: 'a: b # [c] {d}', N: '42' };
    const { config } = parseConfig('sources:\n  gitee:\n    secret: ${SECRET}\n    n: "${N}"', 'a.yaml', {
      env,
    });
    expect(config?.sources['gitee']).toEqual({ secret: 'a: b # [c] {d}', n: '42' });
  });

  it('should keep a string where the schema wants a string, even if it looks like a number', () => {
    const { config } = parseConfig(
      'log:\n  level: ${LEVEL}\npeople:\n  - { mobile: "${MOBILE}" }',
      'a.yaml',
      {
        env: { LEVEL: 'warn', MOBILE: '13800000000' },
      },
    );
    expect(config?.people[0]?.['mobile']).toBe('13800000000');
  });

  it('should refuse a ${ that is not a reference without echoing the value', () => {
    const { errors } = parseConfig('admin:\n  token: "pa${ss-word"', 'a.yaml', { env: {} });
    expect(problems(errors)).toEqual(['admin.token: contains "${" that is not a variable reference']);
    expect(errors[0]?.describe()).not.toContain('pa$');
  });

  it('should apply the shell rule: :- also replaces an empty variable, a bare ${VAR} keeps it empty', () => {
    const text = 'sources:\n  s:\n    a: ${EMPTY:-dflt}\n    b: x${EMPTY}y';
    const { config } = parseConfig(text, 'a.yaml', { env: { EMPTY: '' } });
    expect(config?.sources['s']).toEqual({ a: 'dflt', b: 'xy' });
  });
});

describe('parseConfig failure modes', () => {
  it('should report a YAML syntax error with file:line:col and stop there', () => {
    const { config, errors } = parseFixture('malformed-yaml.yaml');
    expect(config).toBeUndefined();
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.every((e) => e.code === 'HM_ERR_CFG_YAML')).toBe(true);
    expect(errors[0]?.at).toMatch(new RegExp(`^${join(fixtures, 'malformed-yaml.yaml')}:\\d+:\\d+$`));
    const line = Number(errors[0]?.at?.split(':').at(-2));
    expect(line).toBeGreaterThanOrEqual(6);
  });

  it('should hint at quoting when ${...} sits in a flow map', () => {
    const { errors } = parseConfig('admin: { token: ${TOKEN} }', 'a.yaml', { env: { TOKEN: 'x' } });
    expect(errors[0]?.code).toBe('HM_ERR_CFG_YAML');
    expect(errors[0]?.at).toMatch(new RegExp(`^${resolve('a.yaml')}:1:1[78]$`));
    expect(errors[0]?.hint).toContain('quote');
  });

  it('should never show the source line of a YAML error (it may hold a secret)', () => {
    const { errors } = parseConfig('sources:\n  gitee:\n    secret: "very-secret-value\n', 'a.yaml', {
      env: {},
    });
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.describe()).not.toContain('very-secret-value');
  });

  it('should report routes to unknown sinks, duplicate names and empty targets together', () => {
    const { config, errors } = parseFixture('unknown-sink.yaml');
    expect(config).toBeUndefined();
    expect(problems(errors).sort()).toEqual(
      [
        'routes[0].to[1]: no sink named "team-x"',
        'routes[1].name: duplicate route name "main" (also used by routes[0])',
        'routes[2].to: no sink named "team-b"',
        'routes[3].to: must not be empty',
      ].sort(),
    );
    expect(errors.find((e) => e.at === 'routes[2].to')?.hint).toBe('known sinks: team-a, ops');
  });

  it('should report every bad type and value in one pass, in plain words', () => {
    const { config, errors } = parseFixture('bad-types.yaml');
    expect(config).toBeUndefined();
    expect(errors.every((e) => e.code === 'HM_ERR_CFG_INVALID')).toBe(true);
    expect(problems(errors).sort()).toEqual(
      [
        'server.port: must be an integer from 1 to 65535',
        'server.bodyLimit: must be a size like 5mb, 512kb or a number of bytes',
        'server.trustProxy: must be true or false',
        'server.hots: unknown key (expected one of host, port, bodyLimit, trustProxy)',
        'storage.type: must be a storage type such as sqlite, memory or redis',
        'templates.timeZone: must be an IANA time zone like Asia/Shanghai or UTC',
        'log.level: must be one of trace, debug, info, warn, error, fatal, silent',
        'delivery.maxAttempts: must be an integer from 1 to 10000',
        'delivery.maxAge: must be a duration like 1500 (ms), 90s, 10m, 24h or 7d',
        'sources.gitee.allow[0]: must be an IP address or a CIDR range like 10.0.0.0/8',
        'sources.gitee.allow[1]: must be an IP address or a CIDR range like 10.0.0.0/8',
        'sinks.team-a.type: is required',
        'sinks.team-a.rateLimit: must be a rate like 20/min, 5/s or 100/h',
        'sinks.team-a.merge: must be true or false',
        'people[0].age: must be a string',
        'routes[0].when.evnt: unknown key (expected one of source, repo, event, action, branch, tag, actor, robot, ping)',
        'routes[0].when.branch: must be a string or a list of strings',
        'routes[1].when.ping: must be true or false',
      ].sort(),
    );
    expect(errors.find((e) => e.at === 'routes[0].when.evnt')?.hint).toBe('did you mean event?');
  });

  it('should refuse prototype keys anywhere, and nothing leaks into Object.prototype', () => {
    const { config, errors } = parseFixture('evil.yaml');
    expect(config).toBeUndefined();
    expect(problems(errors)).toEqual([
      '__proto__: "__proto__" is not allowed as a key',
      'sinks.constructor: "constructor" is not allowed as a key',
      'sinks.log.prototype: "prototype" is not allowed as a key',
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('should refuse huge values without echoing them, and shorten long keys in paths', () => {
    const huge = 'x'.repeat(300_000);
    const long = 'k'.repeat(500);
    const { errors } = parseConfig(
      `server:\n  host: ${huge}\nsinks:\n  ${long}: { type: console }`,
      'a.yaml',
      { env: {} },
    );
    expect(problems(errors)).toEqual([
      'server.host: must be at most 255 characters long',
      `sinks["${'k'.repeat(100)}…"]: is not a valid key: must be a name of letters, digits, - and _ (at most 100 characters)`,
    ]);
  });

  it('should refuse a file over 4 MB, deep nesting, alias bombs and absurd numbers', () => {
    expect(parseConfig('#'.repeat(5 * 1024 * 1024), 'a.yaml').errors[0]?.message).toBe(
      'configuration file is larger than 4 MB',
    );
    const deep = `sources:\n  s:\n    a: ${'['.repeat(40)}${']'.repeat(40)}`;
    expect(problems(parseConfig(deep, 'a.yaml', { env: {} }).errors)[0]).toMatch(
      /: is nested more than 32 levels deep$/,
    );
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefg'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(parseConfig(bomb, 'a.yaml', { env: {} }).errors[0]?.code).toBe('HM_ERR_CFG_YAML');
    const numbers = parseConfig(
      'server:\n  port: 1e400\ndelivery:\n  maxAge: 99999999999999999999999d',
      'a.yaml',
      { env: {} },
    );
    expect(problems(numbers.errors)).toEqual([
      'server.port: must be an integer from 1 to 65535',
      expect.stringMatching(/^delivery\.maxAge: "9+.*" is not a duration/),
    ]);
  });

  it('should name the offending key of a map that must hold names', () => {
    const { errors } = parseConfig('sinks:\n  "team a": { type: console }', 'a.yaml', { env: {} });
    expect(problems(errors)).toEqual([
      'sinks["team a"]: is not a valid key: must be a name of letters, digits, - and _ (at most 100 characters)',
    ]);
  });

  it('should require a url for redis storage', () => {
    const { errors } = parseConfig('storage: { type: redis }', 'a.yaml', { env: {} });
    expect(problems(errors)).toEqual(['storage.url: is required']);
  });

  it('should refuse a top level that is not a map', () => {
    const { errors } = parseConfig('- a\n- b', 'a.yaml', { env: {} });
    expect(errors.map((e) => e.message)).toEqual([
      'must be a map of settings (server:, sinks:, routes:, ...)',
    ]);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-config-'));

  it('should read, parse and return the config', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'sinks:\n  log: { type: console }\nroutes:\n  - to: log\n');
    const config = await loadConfig(file, { env: {} });
    expect(config.file).toBe(file);
    expect(config.routes[0]?.to).toEqual(['log']);
  });

  it('should throw HM_ERR_CFG_NOT_FOUND for a missing file', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadConfig(missing)).rejects.toMatchObject({ code: 'HM_ERR_CFG_NOT_FOUND', at: missing });
  });

  it('should throw HookmuxErrors with every problem of a broken file', async () => {
    const error: unknown = await loadConfig(join(fixtures, 'unknown-sink.yaml'), { env: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HookmuxErrors);
    expect((error as HookmuxErrors).errors).toHaveLength(4);
    expect((error as HookmuxErrors).message).toContain('routes[2].to: no sink named "team-b"');
  });
});

describe('resolveConfigPath', () => {
  it('should prefer the explicit path, resolved against cwd', () => {
    expect(resolveConfigPath('conf/h.yaml', '/srv/app')).toBe('/srv/app/conf/h.yaml');
    expect(resolveConfigPath('/etc/h.yaml', '/srv/app')).toBe('/etc/h.yaml');
  });

  it('should use ./hookmux.yaml when it exists, else the bundled example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-cwd-'));
    expect(resolveConfigPath(undefined, dir)).toBe(exampleConfigPath);
    expect(exampleConfigPath).toBe(join(repoRoot, 'core/config/hookmux.example.yaml'));
    writeFileSync(join(dir, 'hookmux.yaml'), '');
    expect(resolveConfigPath(undefined, dir)).toBe(join(dir, 'hookmux.yaml'));
  });
});

describe('the shipped files', () => {
  it('should have a schema that is valid JSON Schema and compiles in strict mode', () => {
    const schema = JSON.parse(readFileSync(configSchemaPath, 'utf8')) as JsonSchema;
    expect(checkSchema(schema)).toEqual([]);
    expect(() => compileSchema(schema, 'strict')).not.toThrow();
    expect(checkSchema({ type: 'nonsense' }).length).toBeGreaterThan(0);
  });

  it('should load the example config with zero errors and no environment', () => {
    const { config, errors } = parseConfig(readFileSync(exampleConfigPath, 'utf8'), exampleConfigPath, {
      env: {},
      cwd: '/srv/demo',
    });
    expect(problems(errors)).toEqual([]);
    expect(config?.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    // The bundled example lives inside the installed package: its data goes to the working folder.
    expect(config?.storage).toEqual({
      type: 'sqlite',
      path: '/srv/demo/data/hookmux.db',
      retention: { sentMs: 30 * 24 * 60 * 60 * 1000 },
    });
    expect(config?.sources['gitee']?.['secret']).toBe('hookmux-example-secret');
    expect(config?.sinks['console']).toEqual({ type: 'console', format: 'md' });
    expect(config?.routes.map((r) => r.to)).toEqual([['console']]);
    expect(config?.admin).toEqual({});
  });

  it('should keep the commented-out examples valid when a user uncomments them', () => {
    const uncommented = readFileSync(exampleConfigPath, 'utf8')
      // Alternatives to what is in force (storage: redis) and the prose list of common sink keys.
      .replace(/^ {2}# (type: redis|url:|prefix:).*\n/gm, '')
      .replace(/^# {3}(rateLimit|merge|timeout|batch):.*\n/gm, '')
      .replace(/^# (memory|redis|sqlite)\b.*\n/gm, '')
      // `# key: value` and `# - item` lines become YAML; prose stays a comment.
      .replace(/^(\s*)# (\s*)((?:- |[a-z][\w-]*:(?: |$)).*)$/gm, '$1$2$3')
      .replace('people: []', 'people:')
      .replace('plugins: []', 'plugins:');
    const env = {
      DT_CI_ALERTS_SECRET: 'd',
      FS_CI_ALERTS_SECRET: 'f',
      WECOM_TEAM_A: 'https://robot.test/?key=1',
      WECOM_OPS_KEY: 'k',
    };
    const { config, errors } = parseConfig(uncommented, exampleConfigPath, { env });
    expect(problems(errors)).toEqual([]);
    expect(Object.keys(config?.sinks ?? {})).toEqual(['console', 'team-a', 'ops']);
    expect(Object.keys(config?.sources ?? {})).toEqual(['gitee', 'dingtalk', 'feishu']);
    expect(config?.routes.map((r) => r.name)).toEqual([
      'everything-to-console',
      'acme-main',
      'acme-issues',
      'no-feature-branches',
      'ci-alerts',
    ]);
    expect(config?.people).toHaveLength(2);
  });

  it('should let the example port and secret come from the environment', () => {
    const env = { HOOKMUX_PORT: '9999', GITEE_WEBHOOK_SECRET: 'real-secret' };
    const { config } = parseConfig(readFileSync(exampleConfigPath, 'utf8'), exampleConfigPath, { env });
    expect(config?.server.port).toBe(9999);
    expect(config?.sources['gitee']?.['secret']).toBe('real-secret');
  });
});
