import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { HookmuxError } from '../errors/hookmux-error.js';
import type { ContainerModule } from '../shared/inversify.js';
import { isPluginManifest, type PluginManifest, satisfiesCoreRange } from './plugin-manifest.js';

/** Plugins that ship with hookmux: loaded when installed; deleting one's folder removes just that feature. */
export const builtinPlugins = [
  '@hookmux/source-gitee',
  '@hookmux/source-github',
  '@hookmux/source-gitlab',
  '@hookmux/source-gitea',
  '@hookmux/source-dingtalk',
  '@hookmux/source-feishu',
  '@hookmux/sink-wecom',
  '@hookmux/sink-dingtalk',
  '@hookmux/sink-feishu',
  '@hookmux/sink-console',
  '@hookmux/queue-redis',
] as const;

export interface LoadedPlugin {
  readonly name: string;
  readonly manifest: PluginManifest;
  readonly module: ContainerModule;
  readonly builtin: boolean;
  /** The package's folder. */
  readonly dir: string;
  /** The package's own templates (`"hookmux": { "templates": ... }`), when it ships any. */
  readonly templatesDir?: string;
}

/** Template folders the loaded plugins ship, in load order. */
export function pluginTemplateDirs(plugins: readonly LoadedPlugin[]): string[] {
  return plugins.map((p) => p.templatesDir).filter((d): d is string => d !== undefined);
}

export interface LoadPluginsOptions {
  /** Extra plugin packages (the config's `plugins:`). */
  readonly extra: readonly string[];
  /** Folders whose node_modules (and their parents') are searched; default: the working folder and core's. */
  readonly searchFrom?: readonly string[];
  /** The working folder of the default `searchFrom` (default: process.cwd()). */
  readonly cwd?: string;
  /** Built-ins to consider (tests narrow it). */
  readonly builtins?: readonly string[];
  /**
   * The config's `storage.type`: a built-in queue plugin for another type is not imported (the
   * Redis one brings BullMQ and ioredis, tens of MB a SQLite install never uses).
   */
  readonly storageType?: string;
}

const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const coreVersion = (JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { version: string })
  .version;

/**
 * Reads each plugin's manifest, checks it (fastify-style: duplicate ids, core range, missing
 * packages) and imports its ContainerModule. Every problem is reported, not only the first.
 */
export async function loadPlugins(
  options: LoadPluginsOptions,
): Promise<{ plugins: LoadedPlugin[]; errors: HookmuxError[] }> {
  const searchFrom = options.searchFrom ?? [options.cwd ?? process.cwd(), coreDir];
  const plugins: LoadedPlugin[] = [];
  const errors: HookmuxError[] = [];
  const seen = new Map<string, string>();
  const candidates = [
    ...(options.builtins ?? builtinPlugins).map((name) => ({ name, builtin: true, at: undefined })),
    ...options.extra.map((name, i) => ({ name, builtin: false, at: `plugins[${i}]` })),
  ];
  for (const { name, builtin, at } of candidates) {
    if (plugins.some((p) => p.name === name)) continue;
    const dir = findPackageDir(name, searchFrom);
    if (!dir) {
      if (!builtin) {
        errors.push(
          new HookmuxError('HM_ERR_PLUGIN_NOT_INSTALLED', `plugin ${name} is not installed`, {
            ...(at ? { at } : {}),
            hint: `run npm install ${name}, or remove it from plugins:`,
          }),
        );
      }
      continue;
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const manifest = pkg['hookmux'];
    if (!isPluginManifest(manifest)) {
      errors.push(
        new HookmuxError(
          'HM_ERR_PLUGIN_BAD_MANIFEST',
          `${name} has no valid "hookmux" field in package.json`,
          {
            hint: 'a plugin declares "hookmux": { "kind": "source" | "sink" | "queue", "id": "my-id" }',
          },
        ),
      );
      continue;
    }
    if (manifest.core && !satisfiesCoreRange(coreVersion, manifest.core)) {
      errors.push(
        new HookmuxError(
          'HM_ERR_PLUGIN_CORE_VERSION',
          `${name} needs @hookmux/core ${manifest.core}, this is ${coreVersion}`,
          {
            hint: `install a version of ${name} made for @hookmux/core ${coreVersion}`,
          },
        ),
      );
      continue;
    }
    if (
      builtin &&
      manifest.kind === 'queue' &&
      options.storageType !== undefined &&
      manifest.id !== options.storageType
    ) {
      continue;
    }
    const key = `${manifest.kind}:${manifest.id}`;
    const other = seen.get(key);
    if (other) {
      errors.push(
        new HookmuxError(
          'HM_ERR_PLUGIN_DUPLICATE_ID',
          `${name} and ${other} both provide ${manifest.kind} "${manifest.id}"`,
          {
            hint: `remove one of them from plugins: (or uninstall it)`,
          },
        ),
      );
      continue;
    }
    seen.set(key, name);
    try {
      const imported = (await import(
        name.startsWith('@hookmux/') ? name : pathToFileURL(resolveEntry(dir, pkg)).href
      )) as { default?: unknown };
      const module = imported.default;
      if (!isContainerModule(module)) {
        errors.push(
          new HookmuxError(
            'HM_ERR_PLUGIN_BAD_MANIFEST',
            `${name} does not default-export a ContainerModule`,
            {
              hint: 'export default new ContainerModule(({ bind }) => { ... }) using ContainerModule from @hookmux/core',
            },
          ),
        );
        continue;
      }
      const templatesDir = manifest.templates ? join(dir, manifest.templates) : undefined;
      plugins.push({ name, manifest, module, builtin, dir, ...(templatesDir ? { templatesDir } : {}) });
    } catch (error) {
      errors.push(
        new HookmuxError(
          'HM_ERR_PLUGIN_BAD_MANIFEST',
          `${name} failed to load: ${(error as Error).message}`,
          {
            hint: builtin ? 'run npm run build' : `reinstall ${name}`,
            cause: error,
          },
        ),
      );
    }
  }
  return { plugins, errors };
}

function findPackageDir(name: string, searchFrom: readonly string[]): string | undefined {
  for (const start of searchFrom) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

function resolveEntry(dir: string, pkg: Record<string, unknown>): string {
  const exportsField = pkg['exports'];
  const fromExports =
    typeof exportsField === 'string'
      ? exportsField
      : typeof exportsField === 'object' && exportsField !== null
        ? pickExport((exportsField as Record<string, unknown>)['.'] ?? exportsField)
        : undefined;
  const main = fromExports ?? (typeof pkg['main'] === 'string' ? pkg['main'] : 'index.js');
  return join(dir, main);
}

function pickExport(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  return pickExport(e['import'] ?? e['default'] ?? e['node']);
}

function isContainerModule(value: unknown): value is ContainerModule {
  return (
    typeof value === 'object' && value !== null && typeof (value as { load?: unknown }).load === 'function'
  );
}
