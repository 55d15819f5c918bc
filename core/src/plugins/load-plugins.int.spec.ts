import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { loadPlugins } from './load-plugins.js';

/** A folder with node_modules/<name> packages, as npm would install third-party plugins. */
function installed(packages: Record<string, { manifest?: unknown; index?: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-plugins-'));
  for (const [name, { manifest, index }] of Object.entries(packages)) {
    const pkgDir = join(dir, 'node_modules', name);
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({
        name,
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
        ...(manifest ? { hookmux: manifest } : {}),
      }),
    );
    writeFileSync(join(pkgDir, 'index.js'), index ?? 'export default { load() {} };\n');
  }
  return dir;
}

describe('loadPlugins', () => {
  it('loads the installed built-ins', async () => {
    const { plugins, errors } = await loadPlugins({ extra: [] });
    expect(errors).toEqual([]);
    expect(plugins.map((p) => `${p.manifest.kind}:${p.manifest.id}`)).toEqual(
      expect.arrayContaining(['source:gitee', 'sink:wecom', 'sink:console']),
    );
  });

  it('skips a built-in whose package is gone (deleting a plugin folder removes only that feature)', async () => {
    const { plugins, errors } = await loadPlugins({
      extra: [],
      builtins: ['@hookmux/sink-console', '@hookmux/sink-gone'],
    });
    expect(errors).toEqual([]);
    expect(plugins.map((p) => p.name)).toEqual(['@hookmux/sink-console']);
  });

  it('names a plugin listed in the config but not installed', async () => {
    const { errors } = await loadPlugins({
      extra: ['hookmux-sink-missing'],
      builtins: [],
      searchFrom: [installed({})],
    });
    expect(errors.map((e) => [e.code, e.at])).toEqual([['HM_ERR_PLUGIN_NOT_INSTALLED', 'plugins[0]']]);
    expect(errors[0]?.message).toContain('hookmux-sink-missing');
  });

  it('refuses two plugins with the same kind and id, naming both', async () => {
    const dir = installed({ 'hookmux-sink-wecom2': { manifest: { kind: 'sink', id: 'wecom' } } });
    const { plugins, errors } = await loadPlugins({
      extra: ['hookmux-sink-wecom2'],
      builtins: ['@hookmux/sink-wecom'],
      searchFrom: [dir, process.cwd()],
    });
    expect(errors.map((e) => e.code)).toEqual(['HM_ERR_PLUGIN_DUPLICATE_ID']);
    expect(errors[0]?.message).toMatch(
      /hookmux-sink-wecom2 and @hookmux\/sink-wecom both provide sink "wecom"/,
    );
    expect(plugins.map((p) => p.name)).toEqual(['@hookmux/sink-wecom']);
  });

  it('refuses a package without a valid manifest, or for another core version, or without a module', async () => {
    const dir = installed({
      'not-a-plugin': {},
      'hookmux-old': { manifest: { kind: 'sink', id: 'old', core: '^9.0.0' } },
      'hookmux-empty': { manifest: { kind: 'sink', id: 'empty' }, index: 'export default 42;\n' },
    });
    const { errors } = await loadPlugins({
      extra: ['not-a-plugin', 'hookmux-old', 'hookmux-empty'],
      builtins: [],
      searchFrom: [dir],
    });
    expect(errors.map((e) => e.code)).toEqual([
      'HM_ERR_PLUGIN_BAD_MANIFEST',
      'HM_ERR_PLUGIN_CORE_VERSION',
      'HM_ERR_PLUGIN_BAD_MANIFEST',
    ]);
  });
});

describe('loadPlugins with a storage type', () => {
  it('does not import a built-in queue plugin for another storage type', async () => {
    const sqlite = await loadPlugins({ extra: [], storageType: 'sqlite' });
    expect(sqlite.plugins.map((p) => p.name)).not.toContain('@hookmux/queue-redis');
    const redis = await loadPlugins({ extra: [], storageType: 'redis' });
    expect(redis.plugins.map((p) => p.name)).toContain('@hookmux/queue-redis');
  });
});
