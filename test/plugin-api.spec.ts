import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import * as api from '@hookmux/core';
import * as internal from '@hookmux/core/internal';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name === 'lib' ? [] : sourceFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

describe('the curated plugin API (@hookmux/core) and @hookmux/core/internal', () => {
  it('offers plugins the contracts and helpers, and keeps core machinery internal', () => {
    for (const name of [
      'ContainerModule',
      'injectable',
      'inject',
      'HookmuxError',
      'defineErrorCodes',
      'toEventName',
      'postToRobot',
      'classifyErrcodeAnswer',
      'MemoryLogger',
      'Source',
      'Sink',
      'QueueProvider',
      'Logger',
    ])
      expect({ name, exported: name in api }).toEqual({ name, exported: true });
    for (const name of [
      'createHookmux',
      'loadConfig',
      'buildRuntime',
      'Intake',
      'SqliteQueue',
      'loadPlugins',
      'createAdminRouter',
      'compileRoute',
    ])
      expect({ name, exported: name in api, internal: name in internal }).toEqual({
        name,
        exported: false,
        internal: true,
      });
  });

  it('is one file per entry, both named in core/package.json exports', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'core/package.json'), 'utf8')) as {
      exports: Record<string, { default: string }>;
    };
    expect(pkg.exports['.']?.default).toBe('./lib/index.js');
    expect(pkg.exports['./internal']?.default).toBe('./lib/internal.js');
  });

  it('@hookmux/testing is a workspace package, not a plugin: no manifest, never loaded as one', async () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'testing/package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg['name']).toBe('@hookmux/testing');
    expect(pkg['hookmux']).toBeUndefined();
    expect((internal.builtinPlugins as readonly string[]).includes('@hookmux/testing')).toBe(false);
    const { plugins } = await internal.loadPlugins({ extra: [] });
    expect(plugins.map((p) => p.name)).not.toContain('@hookmux/testing');
    const testing = await import('@hookmux/testing');
    expect(typeof testing.describeSinkContract).toBe('function');
    expect(typeof testing.FakeWeComRobot).toBe('function');
  });

  it('no plugin package imports @hookmux/core/internal', () => {
    const offenders = [
      ...readdirSync(join(repo, 'plugins')).map((p) => join(repo, 'plugins', p)),
      join(repo, 'examples'),
    ]
      .flatMap((dir) => sourceFiles(dir))
      .filter((file) => readFileSync(file, 'utf8').includes('@hookmux/core/internal'));
    expect(offenders).toEqual([]);
  });
});
